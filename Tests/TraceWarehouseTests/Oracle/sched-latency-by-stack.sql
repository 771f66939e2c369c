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
sk AS (  -- per stack of this trace: leaf→root function names joined with ';'
  SELECT stack_id AS sid, group_concat(name, ';') AS funcs
  FROM (SELECT sf.stack_id, sf.depth, fn.name
        FROM stack_frames sf
        JOIN frames fr ON fr.trace_id = sf.trace_id AND fr.frame_id = sf.frame_id
        JOIN funcs fn ON fn.trace_id = fr.trace_id AND fn.func_id = fr.func_id
        WHERE sf.trace_id = (SELECT tid FROM p)
        ORDER BY sf.stack_id, sf.depth)
  GROUP BY stack_id
  UNION ALL SELECT 0, ''  -- no stack
),
u AS (  -- stack rows and wait rows in one stream: the window carries each stack's text to its waits
  SELECT sid, funcs, NULL AS d FROM sk
  UNION ALL
  SELECT coalesce(s.stack_id, 0), NULL, s.end_ns - s.event_ns
  FROM goroutine_states s JOIN p ON s.trace_id = p.tid
  WHERE s.state = 2 AND s.first_run = 0 AND s.open_at_end = 0
),
w AS (SELECT stack, d FROM (SELECT coalesce(max(funcs) OVER (PARTITION BY sid), '') AS stack, d FROM u) WHERE d IS NOT NULL),
r AS (
  SELECT stack, d, row_number() OVER (PARTITION BY stack ORDER BY d) AS rn,
         count(*) OVER (PARTITION BY stack) AS n
  FROM w
)
SELECT stack,
       count(*) AS count,
       max(CASE WHEN rn = (n * 50 + 99) / 100 THEN d END) AS p50_ns,
       max(CASE WHEN rn = (n * 90 + 99) / 100 THEN d END) AS p90_ns,
       max(CASE WHEN rn = (n * 99 + 99) / 100 THEN d END) AS p99_ns,
       max(d) AS max_ns,
       sum(d) AS total_ns
FROM r
GROUP BY stack
ORDER BY total_ns DESC, stack
LIMIT coalesce(:top, -1);
