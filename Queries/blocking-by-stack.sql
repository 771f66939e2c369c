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
-- (Rows are filtered by `trace_id = (SELECT tid FROM p)`, not joined to p: SQLite then reads them in the
-- table's key order, which is the order the window functions want, instead of sorting them.)
-- The Waiting rows of goroutine_states, counted by length at ingest (wait_lengths: the intervals still
-- open at the trace end are counted up to it), one row per (reason, stack, length), read in its key order.
-- The stack is keyed by stacks.funcs_id (0: no stack or one without frames, shown as ''); reason and
-- function-list ids stand for their text one to one, so the text is joined to the result rows only.
-- Nearest-rank percentiles off the running count: rank r falls on the length whose rows span it.
c AS (
  SELECT w.reason_id AS rid, w.stack_id AS k, w.length_ns AS d, w.count AS c, w.open_count AS o,
         sum(w.count) OVER (PARTITION BY w.reason_id, w.stack_id ORDER BY w.length_ns ROWS UNBOUNDED PRECEDING) AS cum,
         sum(w.count) OVER (PARTITION BY w.reason_id, w.stack_id ORDER BY w.length_ns
                            ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) AS n
  FROM wait_lengths w WHERE w.trace_id = (SELECT tid FROM p) AND w.state = 4
),
g AS (
  SELECT rid, k, sum(c) AS count, sum(o) AS open_count,
         max(CASE WHEN cum - c < (n * 50 + 99) / 100 AND (n * 50 + 99) / 100 <= cum THEN d END) AS p50_ns,
         max(CASE WHEN cum - c < (n * 99 + 99) / 100 AND (n * 99 + 99) / 100 <= cum THEN d END) AS p99_ns,
         max(d) AS max_ns, sum(c * d) AS total_ns
  FROM c GROUP BY rid, k
)
SELECT coalesce((SELECT s.value FROM strings s WHERE s.trace_id = (SELECT tid FROM p) AND s.string_id = g.rid), '') AS reason,
       coalesce((SELECT st.funcs FROM stacks st WHERE st.trace_id = (SELECT tid FROM p) AND st.stack_id = g.k), '') AS stack,
       count, open_count, p50_ns, p99_ns, max_ns, total_ns
FROM g
ORDER BY total_ns DESC, reason, stack
LIMIT coalesce(:top, -1);
