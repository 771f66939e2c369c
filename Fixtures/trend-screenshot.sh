#!/usr/bin/env bash
# Renders `tracedb trend --format html` to PNG with headless Chromium (a sibling of
# report-screenshot.sh), to check how the trend picture looks: Fixtures/screenshots/trend.png.
#
#   Fixtures/trend-screenshot.sh [OUT.png] [WIDTH,HEIGHT]
#
# The trend is made from fixtures labelled as six commits, two of them with repeated runs (so the
# min–max band shows): c1 sequential, c2 pool ×2 (go1.27, go1.26), c3 contention, c4 pool ×3
# (go1.25, go1.23, go1.22), c5 workers, c6 sequential (go1.26); metric sched-latency.p99_ns.
# Needs Chromium (Debian: apt-get install chromium). Uses $TRACEDB if set, else builds tracedb
# (scratch path $SCRATCH, default .build).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$repo/Fixtures/screenshots/trend.png}
size=${2:-960,720}
chromium=$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)
if [ -z "$chromium" ]; then
  echo "trend-screenshot: no Chromium found (Debian: apt-get install chromium)" >&2
  exit 1
fi
tracedb=${TRACEDB:-}
if [ -z "$tracedb" ]; then
  scratch=${SCRATCH:-$repo/.build}
  swift build --package-path "$repo" --scratch-path "$scratch" --product tracedb >&2
  tracedb="$(swift build --package-path "$repo" --scratch-path "$scratch" --show-bin-path)/tracedb"
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
T=$repo/Fixtures/traces
ing() { "$tracedb" ingest --db "$tmp/t.db" --label commit="$1" "$2" > /dev/null; }
ing c1 "$T/go1.27/sequential.trace"
ing c2 "$T/go1.27/pool.trace"; ing c2 "$T/go1.26/pool.trace"
ing c3 "$T/go1.27/contention.trace"
ing c4 "$T/go1.25/pool.trace"; ing c4 "$T/go1.23/pool.trace"; ing c4 "$T/go1.22/pool.trace"
ing c5 "$T/go1.27/workers.trace"
ing c6 "$T/go1.26/sequential.trace"
"$tracedb" trend --db "$tmp/t.db" sched-latency.p99_ns --label commit --format html -o "$tmp/trend.html"
mkdir -p "$(dirname "$out")"
if ! "$chromium" --headless --no-sandbox --disable-gpu --hide-scrollbars --force-device-scale-factor=1 \
    --window-size="$size" --screenshot="$out" "file://$tmp/trend.html" >"$tmp/chromium.log" 2>&1; then
  cat "$tmp/chromium.log" >&2
  exit 1
fi
echo "wrote $out ($(wc -c < "$out") bytes)"
