-- name: sched-latency-by-cause
-- title: Scheduling latency by how the goroutine became runnable
-- description: Every completed Runnable interval (as in sched-latency-with-start) classified by what
--   made the goroutine runnable: 'woken' (it was blocked and another goroutine, a timer or the
--   netpoller readied it), 'preempted' (the scheduler took its P away), 'yielded' (runtime.Gosched),
--   'syscall returned' (back from a syscall that lost its P), 'stopped (REASON)' for other stops, and
--   'first run' (creation → first run, or first seen Runnable). The rows other than 'first run' sum
--   to sched-latency. Long 'woken' waits mean wake-ups had to queue for a P; long 'preempted' waits
--   mean CPU-bound goroutines compete for too few Ps. Percentiles are nearest-rank (see
--   sched-latency). Waits open at the trace end are not counted.
-- param: trace_id = latest — the trace to analyse
-- key: cause
-- metric: count count none — number of waits
-- metric: p50_ns ns lower — median wait
-- metric: p90_ns ns lower — 90th percentile wait
-- metric: p99_ns ns lower — 99th percentile wait
-- metric: max_ns ns lower — longest wait
-- metric: total_ns ns lower — sum of waits
WITH p AS (SELECT coalesce(:trace_id, (SELECT max(trace_id) FROM traces)) AS tid),
-- (Rows are filtered by `trace_id = (SELECT tid FROM p)`, not joined to p: SQLite then reads them in the
-- table's key order, which is the order the window functions want, instead of sorting them.)
h AS (  -- per cause, the exact distribution of the waits (lengths)
  SELECT l.key AS cause, l.length_ns AS d, l.count AS c,
         sum(l.count) OVER (PARTITION BY l.key ORDER BY l.length_ns) AS cum,
         sum(l.count) OVER (PARTITION BY l.key) AS n
  FROM lengths l WHERE l.trace_id = (SELECT tid FROM p) AND l.measure = 'sched_latency_by_cause'
)
SELECT cause,
       max(n) AS count,
       min(CASE WHEN cum >= (n * 50 + 99) / 100 THEN d END) AS p50_ns,
       min(CASE WHEN cum >= (n * 90 + 99) / 100 THEN d END) AS p90_ns,
       min(CASE WHEN cum >= (n * 99 + 99) / 100 THEN d END) AS p99_ns,
       max(d) AS max_ns,
       sum(d * c) AS total_ns
FROM h
GROUP BY cause
ORDER BY total_ns DESC, cause;
