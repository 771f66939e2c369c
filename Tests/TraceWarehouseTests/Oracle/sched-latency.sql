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
w AS (
  SELECT s.end_ns - s.event_ns AS d
  FROM goroutine_states s JOIN p ON s.trace_id = p.tid
  WHERE s.state = 2 AND s.first_run = 0 AND s.open_at_end = 0
),
r AS (SELECT d, row_number() OVER (ORDER BY d) AS rn, count(*) OVER () AS n FROM w)
SELECT count(*) AS count,
       max(CASE WHEN rn = (n * 50 + 99) / 100 THEN d END) AS p50_ns,
       max(CASE WHEN rn = (n * 90 + 99) / 100 THEN d END) AS p90_ns,
       max(CASE WHEN rn = (n * 99 + 99) / 100 THEN d END) AS p99_ns,
       max(CASE WHEN rn = (n * 999 + 999) / 1000 THEN d END) AS p999_ns,
       max(d) AS max_ns,
       coalesce(sum(d), 0) AS total_ns
FROM r;
