-- name: sched-latency-by-function
-- title: Scheduling latency per goroutine start function
-- description: The waits of sched-latency (Runnable → next state, first-run waits and waits open at
--   the trace end excluded) grouped by the start function of the waiting goroutine (Go's goroutine
--   name: the root frame of its stack; '' when the trace never saw a stack for it). Shows which kinds
--   of goroutine suffer the scheduling delay. Sorted by total wait, largest first. Percentiles are
--   nearest-rank within each function (see sched-latency).
-- param: trace_id = latest — the trace to analyse
-- param: top = all — rows to return
-- key: function
-- metric: goroutines count none — goroutines of this function that waited
-- metric: count count none — number of waits
-- metric: p50_ns ns lower — median wait
-- metric: p90_ns ns lower — 90th percentile wait
-- metric: p99_ns ns lower — 99th percentile wait
-- metric: max_ns ns lower — longest wait
-- metric: total_ns ns lower — sum of waits
WITH p AS (SELECT coalesce(:trace_id, (SELECT max(trace_id) FROM traces)) AS tid),
-- (Rows are filtered by `trace_id = (SELECT tid FROM p)`, not joined to p: SQLite then reads them in the
-- table's key order, which is the order the window functions want, instead of sorting them.)
h AS (  -- per start function, the exact distribution of its goroutines' waits (lengths)
  SELECT l.key AS function, l.length_ns AS d, l.count AS c,
         sum(l.count) OVER (PARTITION BY l.key ORDER BY l.length_ns) AS cum,
         sum(l.count) OVER (PARTITION BY l.key) AS n
  FROM lengths l WHERE l.trace_id = (SELECT tid FROM p) AND l.measure = 'sched_latency_by_function'
)
SELECT h.function,
       (SELECT g.count FROM lengths g WHERE g.trace_id = (SELECT tid FROM p) AND g.measure = 'sched_waiting_goroutines'
          AND g.key = h.function AND g.length_ns = 0) AS goroutines,
       max(n) AS count,
       min(CASE WHEN cum >= (n * 50 + 99) / 100 THEN d END) AS p50_ns,
       min(CASE WHEN cum >= (n * 90 + 99) / 100 THEN d END) AS p90_ns,
       min(CASE WHEN cum >= (n * 99 + 99) / 100 THEN d END) AS p99_ns,
       max(d) AS max_ns,
       sum(d * c) AS total_ns
FROM h
GROUP BY h.function
ORDER BY total_ns DESC, h.function
LIMIT coalesce(:top, -1);
