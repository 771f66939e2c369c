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
w AS (
  SELECT g.name AS function, s.goid, s.end_ns - s.event_ns AS d
  FROM goroutine_states s JOIN p ON s.trace_id = p.tid
  JOIN goroutines g ON g.trace_id = s.trace_id AND g.goid = s.goid
  WHERE s.state = 2 AND s.first_run = 0 AND s.open_at_end = 0
),
r AS (
  SELECT function, goid, d,
         row_number() OVER (PARTITION BY function ORDER BY d) AS rn,
         count(*) OVER (PARTITION BY function) AS n
  FROM w
)
SELECT function,
       count(DISTINCT goid) AS goroutines,
       count(*) AS count,
       max(CASE WHEN rn = (n * 50 + 99) / 100 THEN d END) AS p50_ns,
       max(CASE WHEN rn = (n * 90 + 99) / 100 THEN d END) AS p90_ns,
       max(CASE WHEN rn = (n * 99 + 99) / 100 THEN d END) AS p99_ns,
       max(d) AS max_ns,
       sum(d) AS total_ns
FROM r
GROUP BY function
ORDER BY total_ns DESC, function
LIMIT coalesce(:top, -1);
