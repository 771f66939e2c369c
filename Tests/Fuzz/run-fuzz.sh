#!/usr/bin/env bash
# Builds the GoTrace libFuzzer target and fuzzes it for SECONDS (default 600).
#
#   Tests/Fuzz/run-fuzz.sh [SECONDS]
#
# Compiles Sources/GoTrace/**/*.swift + Tests/Fuzz/GoTraceFuzz.swift with
# `swiftc -sanitize=fuzzer,address` into $FUZZ_DIR (default /tmp/gotrace-fuzz), seeds the corpus
# with Fixtures/traces/go1.*/ and Fixtures/go-conformance/{fuzz,tests,cmd-trace,v1}/*.trace plus the
# committed regressions, and runs libFuzzer on one core (-jobs=1 -workers=1). The corpus persists
# in $FUZZ_DIR/corpus between runs; findings land in $FUZZ_DIR/artifacts/ (crash-*, timeout-*,
# oom-*, leak-*). Add each finding to Tests/GoTraceTests/FuzzRegressions/ once it is fixed.
#
# Environment: FUZZ_DIR, FUZZ_CORPUS (default $FUZZ_DIR/corpus), FUZZ_OPT (-O, the default, or -Onone to also check assert()s),
# FUZZ_MAX_LEN (default 65536), FUZZ_EXTRA (more libFuzzer flags), FUZZ_REBUILD=1.
set -euo pipefail
SECONDS_TO_RUN="${1:-600}"
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
SHARED="$ROOT/Fixtures/go-conformance"
FUZZ_DIR="${FUZZ_DIR:-/tmp/gotrace-fuzz}"
OPT="${FUZZ_OPT:--O}"
MAX_LEN="${FUZZ_MAX_LEN:-65536}"
BIN="$FUZZ_DIR/gotrace-fuzz$OPT"
CORPUS="${FUZZ_CORPUS:-$FUZZ_DIR/corpus}"
mkdir -p "$CORPUS" "$FUZZ_DIR/artifacts"

# Build when missing or older than any source.
newest_src="$(find "$ROOT/Sources/GoTrace" "$ROOT/Tests/Fuzz/GoTraceFuzz.swift" -name '*.swift' -newer "$BIN" 2>/dev/null | head -1 || true)"
if [[ ! -x "$BIN" || -n "$newest_src" || "${FUZZ_REBUILD:-0}" == 1 ]]; then
    echo "building $BIN ($OPT)…" >&2
    mapfile -d '' SOURCES < <(find "$ROOT/Sources/GoTrace" -name '*.swift' -print0 | sort -z)
    swiftc -module-name GoTraceFuzz -package-name tracedb -parse-as-library -swift-version 6 "$OPT" -g \
        -sanitize=fuzzer,address -use-ld=lld \
        "${SOURCES[@]}" "$ROOT/Tests/Fuzz/GoTraceFuzz.swift" -o "$BIN.tmp" 2>&1 \
        | grep -v "^warning: \|Cannot export local symbol" >&2 || true
    [[ -x "$BIN.tmp" ]] || { echo "build failed" >&2; exit 1; }
    mv "$BIN.tmp" "$BIN"
fi

# Seeds (a separate folder, so the evolving corpus stays small and the seeds stay read-only).
SEEDS="$FUZZ_DIR/seeds"
mkdir -p "$SEEDS"
for f in "$ROOT"/Fixtures/traces/go1.*/*.trace "$SHARED"/fuzz/*.trace "$SHARED"/tests/*.trace \
         "$SHARED"/cmd-trace/*.trace "$SHARED"/v1/*.trace "$ROOT"/Tests/GoTraceTests/FuzzRegressions/*.trace \
         "$ROOT"/Tests/GoTraceTests/FuzzRegressions/crash-* "$ROOT"/Tests/GoTraceTests/FuzzRegressions/timeout-* \
         "$ROOT"/Tests/GoTraceTests/FuzzRegressions/oom-*; do
    [[ -f "$f" ]] || continue
    size=$(stat -c %s "$f")
    (( size <= MAX_LEN )) || continue
    name="$(echo "$f" | sed "s|^$ROOT/||; s|^$SHARED/||; s|/|_|g")"
    [[ -f "$SEEDS/$name" ]] || cp "$f" "$SEEDS/$name"
done

# A dictionary of the header and the frequent framing bytes helps libFuzzer build valid batches.
DICT="$FUZZ_DIR/gotrace.dict"
cat > "$DICT" <<'DICT'
"go 1.22 trace\x00\x00\x00"
"go 1.23 trace\x00\x00\x00"
"go 1.25 trace\x00\x00\x00"
"go 1.26 trace\x00\x00\x00"
"go 1.21 trace\x00\x00\x00"
"go 1.19 trace\x00\x00\x00"
"go 1.11 trace\x00\x00\x00"
"\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01"
"\x80\x80\x80\x80\x80\x80\x80\x80\x80\x80"
DICT

echo "fuzzing for ${SECONDS_TO_RUN}s: $BIN, corpus $CORPUS, seeds $SEEDS ($(ls "$SEEDS" | wc -l) files)" >&2
cd "$FUZZ_DIR"
# shellcheck disable=SC2086
exec "$BIN" "$CORPUS" "$SEEDS" \
    -max_total_time="$SECONDS_TO_RUN" -max_len="$MAX_LEN" -rss_limit_mb=2048 -malloc_limit_mb=1024 -timeout=10 \
    -jobs=1 -workers=1 -dict="$DICT" -artifact_prefix="$FUZZ_DIR/artifacts/" -print_final_stats=1 \
    -reload=0 ${FUZZ_EXTRA:-}
