#!/usr/bin/env bash
# make-large-trace.sh — generate a large, real execution trace (20-60 MB) for benchmarks, with
# Go 1.27.3: `go test -trace=OUT -count=COUNT PKG` (default: net/http, COUNT=2, about 35 MB and
# 5-6 million events). The trace is NOT committed: it goes to /tmp/large.trace by default (or the
# path given; *.trace under Fixtures/bench/ is gitignored).
#
# Usage: Fixtures/bench/make-large-trace.sh [OUT] [--count-events]
#   --count-events   also count the parsed events (`go tool trace -d=parsed OUT | grep -c '^M='`;
#                    slow: ~40 s and several GB of text through a pipe, nothing written to disk)
# Environment: COUNT (default 2), PKG (default net/http), GO (default: get-go.sh 1.27.3),
#              TOOLS (default /work/shared/tools).
set -euo pipefail
OUT=/tmp/large.trace
count_events=0
for a in "$@"; do
  case "$a" in
    --count-events) count_events=1 ;;
    -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
    -*) echo "make-large-trace.sh: unknown option $a" >&2; exit 2 ;;
    *) OUT=$a ;;
  esac
done
COUNT=${COUNT:-2}
PKG=${PKG:-net/http}
TOOLS=${TOOLS:-/work/shared/tools}
GO=${GO:-$("$TOOLS/get-go.sh" 1.27.3)}
case "$OUT" in /*) ;; *) OUT="$PWD/$OUT" ;; esac

# Standard-library packages only: no module proxy, no toolchain switching.
export GOTOOLCHAIN=local GOPROXY=off GOFLAGS=
mkdir -p "$(dirname "$OUT")"
rm -f "$OUT"
# go test runs in the package directory; keep its output (test log) out of the way.
"$GO" test -trace="$OUT.tmp" -count="$COUNT" "$PKG" >&2
mv "$OUT.tmp" "$OUT"
size=$(wc -c < "$OUT")
echo "$OUT: $size bytes ($(( size / 1048576 )) MiB), $("$GO" version | cut -d' ' -f3), go test -count=$COUNT $PKG"
if [ "$count_events" = 1 ]; then
  n=$("$GO" tool trace -d=parsed "$OUT" | grep -c '^M=')
  echo "$OUT: $n parsed events"
fi
