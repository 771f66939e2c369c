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
s AS (
  SELECT s.state, s.first_run, s.open_at_end, s.reason_id, s.start_ns, s.event_ns, s.end_ns,
         lag(s.state) OVER (PARTITION BY s.goid ORDER BY s.start_seq) AS prev_state
  FROM goroutine_states s JOIN p ON s.trace_id = p.tid
),
w AS (
  SELECT CASE
           WHEN s.first_run = 1 THEN 'first run'
           WHEN s.prev_state = 4 THEN 'woken'
           WHEN s.prev_state = 5 THEN 'syscall returned'
           WHEN r.value = 'preempted' THEN 'preempted'
           WHEN r.value = 'runtime.Gosched' THEN 'yielded'
           ELSE 'stopped (' || coalesce(r.value, '') || ')'
         END AS cause,
         CASE WHEN s.first_run = 1 THEN s.end_ns - s.start_ns ELSE s.end_ns - s.event_ns END AS d
  FROM s
  LEFT JOIN strings r ON r.trace_id = (SELECT tid FROM p) AND r.string_id = s.reason_id
  WHERE s.state = 2 AND s.open_at_end = 0
),
r AS (
  SELECT cause, d, row_number() OVER (PARTITION BY cause ORDER BY d) AS rn,
         count(*) OVER (PARTITION BY cause) AS n
  FROM w
)
SELECT cause,
       count(*) AS count,
       max(CASE WHEN rn = (n * 50 + 99) / 100 THEN d END) AS p50_ns,
       max(CASE WHEN rn = (n * 90 + 99) / 100 THEN d END) AS p90_ns,
       max(CASE WHEN rn = (n * 99 + 99) / 100 THEN d END) AS p99_ns,
       max(d) AS max_ns,
       sum(d) AS total_ns
FROM r
GROUP BY cause
ORDER BY total_ns DESC, cause;
