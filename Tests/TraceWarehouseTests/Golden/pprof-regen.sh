#!/usr/bin/env bash
# Regenerates the pprof goldens from Go's own `go tool trace -pprof=TYPE` (CI has no Go; run locally).
#   GO=/tmp/go-1.27.3/bin/go Tests/TraceWarehouseTests/Golden/pprof-regen.sh
# Writes, next to this script:
#   pprof_totals.tsv   trace, sha256, profile, n_samples, total_count, total_ns   (every fixture × profile;
#                      sha256 of the trace file, so a regenerated fixture shows up as a stale golden)
#   pprof_samples.tsv  trace, profile, count, ns, pcs (leaf→root, ';')        (every sample, sorted)
# Traces: tracegolden's sample (Fixtures/tracegolden-sample/gcsmall.out) and Fixtures/traces/go1.*/*.trace.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../../.." && pwd)
GO=${GO:-go}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
traces=()
sample="$repo/Fixtures/tracegolden-sample/gcsmall.out"
[ -f "$sample" ] && traces+=("sample-gc=$sample")
for f in "$repo"/Fixtures/traces/go1.*/*.trace; do
  v=$(basename "$(dirname "$f")"); n=$(basename "$f" .trace)
  traces+=("$v/$n=$f")
done
printf 'trace\tsha256\tprofile\tn_samples\ttotal_count\ttotal_ns\n' > "$tmp/totals"
printf 'trace\tprofile\tcount\tns\tpcs\n' > "$tmp/samples"
for t in "${traces[@]}"; do
  name=${t%%=*}; file=${t#*=}
  sha=$(sha256sum "$file" | cut -d" " -f1)
  for p in sched net sync syscall; do
    "$GO" tool trace -pprof=$p "$file" > "$tmp/p.pb" 2>/dev/null || { echo "go tool trace -pprof=$p $file failed" >&2; continue; }
    "$GO" tool pprof -raw "$tmp/p.pb" 2>/dev/null | python3 -c '
import sys, re
name, prof = sys.argv[1], sys.argv[2]
lines = sys.stdin.read().split("\n")
samples, locs, mode = [], {}, None
for l in lines:
    if l.startswith("Samples:"): mode = "s"; continue
    if l.startswith("Locations"): mode = "l"; continue
    if l.startswith("Mappings"): mode = None; continue
    if mode == "s":
        m = re.match(r"\s+(\d+)\s+(\d+):(.*)$", l)
        if m: samples.append((int(m.group(1)), int(m.group(2)), m.group(3).split()))
    elif mode == "l":
        m = re.match(r"\s+(\d+): (0x[0-9a-f]+) ", l)
        if m: locs[m.group(1)] = m.group(2)
tc = sum(s[0] for s in samples); tn = sum(s[1] for s in samples)
with open(sys.argv[3], "a") as f: f.write(f"{name}\t{sys.argv[5]}\t{prof}\t{len(samples)}\t{tc}\t{tn}\n")
sep = ";"
rows = sorted("\t".join([name, prof, str(c), str(n), sep.join(locs[i] for i in ids)]) for c, n, ids in samples)
with open(sys.argv[4], "a") as f:
    for r in rows: f.write(r + "\n")
' "$name" "$p" "$tmp/totals" "$tmp/samples" "$sha"
  done
done
cp "$tmp/totals" "$here/pprof_totals.tsv"
cp "$tmp/samples" "$here/pprof_samples.tsv"
wc -l "$here/pprof_totals.tsv" "$here/pprof_samples.tsv"
