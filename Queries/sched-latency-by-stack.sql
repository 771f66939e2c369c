-- name: sched-latency-by-stack
-- title: Scheduling latency per stack that made the goroutine runnable
-- description: The waits of sched-latency grouped by the stack of the event that moved the goroutine
--   into Runnable: for a wake-up, the stack of the goroutine that unblocked it (e.g. the sender on a
--   channel); for a preemption or yield, its own stack; '' when the scheduler, a timer or the
--   netpoller made it runnable. `stack` is the leaf→root function list joined with ';' (stacks with
--   the same functions are merged). Unlike sched-profile, this shows the latency distribution per
--   stack; its count and total_ns per stack equal sched-profile's. Percentiles are nearest-rank.
-- param: trace_id = latest — the trace to analyse
-- param: top = all — rows to return
-- key: stack
-- metric: count count none — number of waits
-- metric: p50_ns ns lower — median wait
-- metric: p90_ns ns lower — 90th percentile wait
-- metric: p99_ns ns lower — 99th percentile wait
-- metric: max_ns ns lower — longest wait
-- metric: total_ns ns lower — sum of waits
WITH p AS (SELECT coalesce(:trace_id, (SELECT max(trace_id) FROM traces)) AS tid),
-- (Rows are filtered by `trace_id = (SELECT tid FROM p)`, not joined to p: SQLite then reads them in the
-- table's key order, which is the order the window functions want, instead of sorting them.)
h AS (  -- per stack (stacks.funcs_id of the event that made the goroutine runnable), the exact distribution
  SELECT l.key AS k, l.length_ns AS d, l.count AS c,
         sum(l.count) OVER (PARTITION BY l.key ORDER BY l.length_ns) AS cum,
         sum(l.count) OVER (PARTITION BY l.key) AS n
  FROM lengths l WHERE l.trace_id = (SELECT tid FROM p) AND l.measure = 'sched_latency_by_stack'
)
SELECT coalesce((SELECT st.funcs FROM stacks st WHERE st.trace_id = (SELECT tid FROM p) AND st.stack_id = h.k), '') AS stack,
       max(n) AS count,
       min(CASE WHEN cum >= (n * 50 + 99) / 100 THEN d END) AS p50_ns,
       min(CASE WHEN cum >= (n * 90 + 99) / 100 THEN d END) AS p90_ns,
       min(CASE WHEN cum >= (n * 99 + 99) / 100 THEN d END) AS p99_ns,
       max(d) AS max_ns,
       sum(d * c) AS total_ns
FROM h
GROUP BY h.k
ORDER BY total_ns DESC, stack
LIMIT coalesce(:top, -1);
