-- name: blocking-by-stack
-- title: Time blocked by reason and blocking stack
-- description: The Waiting intervals of blocking-by-reason split further by the stack of the event
--   that blocked the goroutine (its own stack at the block: the channel operation, Lock, Wait, Sleep,
--   Read …), as leaf→root function names joined with ';' ('' = no stack, e.g. a goroutine first seen
--   already waiting). Includes waits still open at the trace end (up to the trace end) and, unlike
--   block-profile, every reason and the time before a goroutine's first run. Percentiles are
--   nearest-rank per row.
-- param: trace_id = latest — the trace to analyse
-- param: top = all — rows to return (largest total first)
-- key: reason
-- key: stack
-- metric: count count none — number of waits
-- metric: open_count count none — waits still open at the trace end
-- metric: p50_ns ns lower — median wait
-- metric: p99_ns ns lower — 99th percentile wait
-- metric: max_ns ns lower — longest wait
-- metric: total_ns ns lower — sum of waits
WITH p AS (SELECT coalesce(:trace_id, (SELECT max(trace_id) FROM traces)) AS tid),
sk AS (  -- per stack of this trace: leaf→root function names joined with ';'
  SELECT st.stack_id AS sid, st.funcs FROM stacks st WHERE st.trace_id = (SELECT tid FROM p)
  UNION ALL SELECT 0, ''  -- no stack
),
u AS (  -- stack rows and wait rows in one stream: the window carries each stack's text to its waits
  SELECT sid, funcs, NULL AS reason, NULL AS d, NULL AS o FROM sk
  UNION ALL
  SELECT coalesce(s.stack_id, 0), NULL, coalesce(r.value, ''), s.end_ns - s.start_ns, s.open_at_end
  FROM goroutine_states s JOIN p ON s.trace_id = p.tid
  LEFT JOIN strings r ON r.trace_id = s.trace_id AND r.string_id = s.reason_id
  WHERE s.state = 4
),
w AS (SELECT reason, stack, d, o FROM (SELECT reason, coalesce(max(funcs) OVER (PARTITION BY sid), '') AS stack, d, o FROM u)
      WHERE d IS NOT NULL),
r AS (
  SELECT reason, stack, d, o, row_number() OVER (PARTITION BY reason, stack ORDER BY d) AS rn,
         count(*) OVER (PARTITION BY reason, stack) AS n
  FROM w
)
SELECT reason, stack,
       count(*) AS count,
       sum(o) AS open_count,
       max(CASE WHEN rn = (n * 50 + 99) / 100 THEN d END) AS p50_ns,
       max(CASE WHEN rn = (n * 99 + 99) / 100 THEN d END) AS p99_ns,
       max(d) AS max_ns,
       sum(d) AS total_ns
FROM r
GROUP BY reason, stack
ORDER BY total_ns DESC, reason, stack
LIMIT coalesce(:top, -1);
