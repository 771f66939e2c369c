#!/bin/sh
# trace-compare.sh BASE_DIR HEAD_DIR — trace a Go benchmark in two checkouts (the PR's base and
# head), ingest both runs with labels, and write the comparison as Markdown for a PR comment.
# Exit status: 0 no rule regressed, 1 a --fail-on rule regressed (the Markdown says which),
# 2 something else went wrong (a benchmark that fails is reported by `tracedb record`, with its
# own exit status).
#
# Environment (all optional):
#   TRACEDB   the tracedb binary                       (default: tracedb on PATH)
#   PKG       the package to benchmark (one package)   (default: .)
#   BENCH     the -bench pattern                       (default: .)
#   COUNT     -count, repeated runs per side           (default: 1)
#   FAIL_ON   regression rules, one per line           (default: sched-latency.p99_ns>+20%)
#   DB        the tracedb database                     (default: ./trace-compare.db)
#   OUT       the Markdown file                        (default: ./trace-compare.md)
# Used by trace-compare.yml; tested by Tests/tracedbTests/ExampleCLITests.swift with a stand-in go.
set -eu
[ $# -eq 2 ] || { echo "usage: trace-compare.sh BASE_DIR HEAD_DIR" >&2; exit 2; }
TRACEDB=${TRACEDB:-tracedb}
PKG=${PKG:-.}
BENCH=${BENCH:-.}
COUNT=${COUNT:-1}
FAIL_ON=${FAIL_ON:-'sched-latency.p99_ns>+20%'}
here=$(pwd)
case "${DB:-}" in "") DB="$here/trace-compare.db" ;; /*) ;; *) DB="$here/$DB" ;; esac
case "${OUT:-}" in "") OUT="$here/trace-compare.md" ;; /*) ;; *) OUT="$here/$OUT" ;; esac
rm -f "$DB" "$DB-wal" "$DB-shm"

side() { # side NAME DIR
    # One trace per run: -count N is N repeated runs, each ingested with the same labels.
    i=1
    while [ "$i" -le "$COUNT" ]; do
        (cd "$2" && "$TRACEDB" record --db "$DB" --label side="$1" --label run="$i" --git -- \
            go test -run '^$' -bench "$BENCH" -count 1 "$PKG") || return $?
        i=$((i + 1))
    done
}
side base "$1" || exit 2
side head "$2" || exit 2

set --
nl='
'
oldifs=$IFS; IFS=$nl
for rule in $FAIL_ON; do [ -n "$rule" ] && set -- "$@" --fail-on "$rule"; done
IFS=$oldifs
status=0
"$TRACEDB" compare --db "$DB" side=base side=head --format markdown "$@" > "$OUT" || status=$?
echo "trace-compare: wrote $OUT (compare exit status $status)" >&2
exit "$status"
