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
-- The Waiting rows of goroutine_states, read off their tables directly (the view's UNION ALL would be
-- evaluated for every event of every trace): closed intervals from the events that close them, the
-- ones open at the trace end from goroutine_open_intervals; reason and stack are those of the event at
-- start_seq.
s AS (
  SELECT o.name_id AS rid, o.stack_id AS sid, c.iv_dur_ns AS d, 0 AS o
  FROM p JOIN events c ON c.trace_id = p.tid
  LEFT JOIN events o ON o.trace_id = c.trace_id AND o.seq = c.seq - c.iv_back
  WHERE c.iv_back IS NOT NULL AND c.from_state = 4
  UNION ALL
  SELECT o.name_id, o.stack_id, t.duration_ns - x.start_ns, 1
  FROM p JOIN goroutine_open_intervals x ON x.trace_id = p.tid
  JOIN traces t ON t.trace_id = x.trace_id
  LEFT JOIN events o ON o.trace_id = x.trace_id AND o.seq = x.start_seq
  WHERE x.state = 4
),
-- Keyed by reason text and stacks.funcs_id (0: no stack, an unknown stack or one without frames, all
-- shown as ''), one row per (reason, function list, length).
h AS (
  SELECT coalesce(r.value, '') AS reason, coalesce(CASE WHEN st.funcs <> '' THEN st.funcs_id END, 0) AS k,
         s.d, count(*) AS c, sum(s.o) AS o
  FROM s
  LEFT JOIN strings r ON r.trace_id = (SELECT tid FROM p) AND r.string_id = s.rid
  LEFT JOIN stacks st ON st.trace_id = (SELECT tid FROM p) AND st.stack_id = s.sid
  WHERE s.d IS NOT NULL  -- as the old query, which told wait rows from stack rows by a length
  GROUP BY 1, 2, 3
),
-- Nearest-rank percentiles off the running count: rank r falls on the length whose rows span it.
c AS (
  SELECT reason, k, d, c, o, sum(c) OVER (PARTITION BY reason, k ORDER BY d ROWS UNBOUNDED PRECEDING) AS cum,
         sum(c) OVER (PARTITION BY reason, k ORDER BY d ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) AS n
  FROM h
),
g AS (
  SELECT reason, k, sum(c) AS count, sum(o) AS open_count,
         max(CASE WHEN cum - c < (n * 50 + 99) / 100 AND (n * 50 + 99) / 100 <= cum THEN d END) AS p50_ns,
         max(CASE WHEN cum - c < (n * 99 + 99) / 100 AND (n * 99 + 99) / 100 <= cum THEN d END) AS p99_ns,
         max(d) AS max_ns, sum(c * d) AS total_ns
  FROM c GROUP BY reason, k
)
SELECT reason,
       coalesce((SELECT st.funcs FROM stacks st WHERE st.trace_id = (SELECT tid FROM p) AND st.stack_id = g.k), '') AS stack,
       count, open_count, p50_ns, p99_ns, max_ns, total_ns
FROM g
ORDER BY total_ns DESC, reason, stack
LIMIT coalesce(:top, -1);
