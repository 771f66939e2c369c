#!/usr/bin/env bash
# Replays a fuzz corpus through the whole ingest path: `tracedb ingest` of every input into one
# database (which already holds a good trace), then `tracedb dump` and `dump --wire`. Any exit
# status other than 0 (loaded / dumped), 1 (dump error) or 2 (clear ingest error) — a trap, a
# signal — is reported; at the end the database must pass PRAGMA integrity_check and hold only
# whole traces.
#
#   Tests/Fuzz/replay-ingest.sh [CORPUS_DIR] [TRACEDB_BINARY]
set -uo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
CORPUS="${1:-/tmp/gotrace-fuzz/corpus}"
BIN="${2:-$ROOT/.build/debug/tracedb}"
WORK="$(mktemp -d /tmp/tracedb-replay.XXXXXX)"
DB="$WORK/replay.db"
"$BIN" ingest --db "$DB" "$ROOT/Fixtures/traces/go1.27/tasks.trace" > /dev/null || exit 1
n=0; loaded=0; refused=0; bad=0
for f in "$CORPUS"/*; do
    [[ -f "$f" ]] || continue
    n=$((n + 1))
    "$BIN" ingest --db "$DB" "$f" > /dev/null 2> "$WORK/err"
    rc=$?
    case $rc in
        0) loaded=$((loaded + 1)) ;;
        2) refused=$((refused + 1)) ;;
        *) bad=$((bad + 1)); cp "$f" "$WORK/"; echo "ingest exit $rc: $f"; head -3 "$WORK/err" ;;
    esac
    for mode in "" "--wire"; do
        # shellcheck disable=SC2086
        "$BIN" dump $mode "$f" > /dev/null 2> "$WORK/err"
        rc=$?
        if [[ $rc -ne 0 && $rc -ne 1 ]]; then bad=$((bad + 1)); cp "$f" "$WORK/"; echo "dump $mode exit $rc: $f"; head -3 "$WORK/err"; fi
    done
done
ic="$(sqlite3 "$DB" 'PRAGMA integrity_check')"
partial="$(sqlite3 "$DB" 'SELECT count(*) FROM traces t WHERE event_count <> (SELECT count(*) FROM events e WHERE e.trace_id = t.trace_id)')"
echo "replayed $n inputs: $loaded loaded, $refused refused, $bad crashed; integrity_check=$ic, partial traces=$partial (work dir $WORK)"
[[ $bad -eq 0 && "$ic" == ok && "$partial" == 0 ]]
