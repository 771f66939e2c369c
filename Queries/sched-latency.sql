-- name: sched-latency
-- title: Scheduling latency (Runnable → Running), overall
-- description: How long goroutines that were ready to run waited for a P. A wait is a goroutine's
--   Runnable interval: from the transition into Runnable (woken up, preempted, yielded, back from a
--   blocking syscall) until its next change of state (in practice: it starts running). Waits before a
--   goroutine's first run in the trace (creation → first run, or a goroutine that existed before the
--   trace until it first ran) and waits still open at the trace end are NOT counted; with these rules
--   `count` and `total_ns` equal the totals of `go tool trace -pprof=sched` (tracegolden
--   profile_totals.tsv, profile `sched`). sched-latency-with-start includes creation → first run.
--   Percentiles are nearest-rank: pN is the smallest wait w such that at least N% of waits are ≤ w.
--   Read p99/p999/max for the tail: large values mean runnable goroutines could not get a P (all Ps
--   busy, GC work, a stop-the-world, a P held in a syscall; see sched-delay-causes).
-- param: trace_id = latest — the trace to analyse
-- metric: count count none — number of waits
-- metric: p50_ns ns lower — median wait
-- metric: p90_ns ns lower — 90th percentile wait
-- metric: p99_ns ns lower — 99th percentile wait
-- metric: p999_ns ns lower — 99.9th percentile wait
-- metric: max_ns ns lower — longest wait
-- metric: total_ns ns lower — sum of all waits
WITH p AS (SELECT coalesce(:trace_id, (SELECT max(trace_id) FROM traces)) AS tid),
h AS (  -- the exact distribution of the waits (lengths), with running counts for the percentiles
  SELECT l.length_ns AS d, l.count AS c,
         sum(l.count) OVER (ORDER BY l.length_ns) AS cum, sum(l.count) OVER () AS n
  FROM lengths l JOIN p ON l.trace_id = p.tid WHERE l.measure = 'sched_latency'
)
SELECT coalesce(max(n), 0) AS count,
       min(CASE WHEN cum >= (n * 50 + 99) / 100 THEN d END) AS p50_ns,
       min(CASE WHEN cum >= (n * 90 + 99) / 100 THEN d END) AS p90_ns,
       min(CASE WHEN cum >= (n * 99 + 99) / 100 THEN d END) AS p99_ns,
       min(CASE WHEN cum >= (n * 999 + 999) / 1000 THEN d END) AS p999_ns,
       max(d) AS max_ns,
       coalesce(sum(d * c), 0) AS total_ns
FROM h;
