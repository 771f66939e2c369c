#!/usr/bin/env bash
# Renders tracedb's HTML report of a trace to PNG with headless Chromium, to check how the page looks
# and to make the README screenshot (Fixtures/screenshots/report.png).
#
#   Fixtures/report-screenshot.sh [TRACE] [OUT.png] [WIDTH,HEIGHT]
#
# TRACE defaults to tracegolden's sample-gc trace (GC cycles, assists, tasks, network, syscalls),
# Fixtures/tracegolden-sample/gcsmall.out, else Fixtures/traces/go1.27/gcheavy.trace. OUT defaults to Fixtures/screenshots/report.png,
# the window to 1280,1800 (the top of the report: overview, findings, timeline).
# Needs Chromium (Debian: apt-get install chromium). Uses $TRACEDB if set, else builds tracedb
# (scratch path $SCRATCH, default .build).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
sample="$repo/Fixtures/tracegolden-sample/gcsmall.out"
default_trace="$repo/Fixtures/traces/go1.27/gcheavy.trace"
[ -f "$sample" ] && default_trace="$sample"
trace=${1:-$default_trace}
out=${2:-$repo/Fixtures/screenshots/report.png}
size=${3:-1280,1800}

chromium=$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)
if [ -z "$chromium" ]; then
  echo "report-screenshot: no Chromium found (Debian: apt-get install chromium)" >&2
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
"$tracedb" ingest --db "$tmp/t.db" "$trace" >&2
"$tracedb" report --db "$tmp/t.db" -o "$tmp/report.html" >&2
mkdir -p "$(dirname "$out")"
# --hide-scrollbars: no scrollbar in the picture; Chromium's D-Bus chatter goes to the log.
if ! "$chromium" --headless --no-sandbox --disable-gpu --hide-scrollbars --force-device-scale-factor=1 \
    --window-size="$size" --screenshot="$out" "file://$tmp/report.html" >"$tmp/chromium.log" 2>&1; then
  cat "$tmp/chromium.log" >&2
  exit 1
fi
echo "wrote $out ($(wc -c < "$out") bytes) from the report of $trace"
