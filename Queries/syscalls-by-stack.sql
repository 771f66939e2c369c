-- name: syscalls-by-stack
-- title: System calls by stack, with blocked time
-- description: The Syscall intervals of `syscalls` grouped by the stack that entered the syscall
--   (leaf→root function names joined with ';'; '' when the trace has no stack, e.g. a goroutine first
--   seen in a syscall): how many, total time, how many lost their P (blocked) and the time after that,
--   and the length distribution (nearest-rank). Syscalls still in progress at the trace end count up to
--   the trace end. Unlike syscall-profile (Go's rules), this includes time before a goroutine's first
--   run and open syscalls, and shows the blocked part separately.
-- param: trace_id = latest — the trace to analyse
-- param: top = all — rows to return
-- key: stack
-- metric: count count none — syscalls
-- metric: total_ns ns lower — total time in these syscalls
-- metric: blocked_count count lower — syscalls that lost their P
-- metric: blocked_ns ns lower — time after losing the P
-- metric: p50_ns ns lower — median syscall length
-- metric: p99_ns ns lower — 99th percentile syscall length
-- metric: max_ns ns lower — longest syscall
WITH p AS (SELECT coalesce(:trace_id, (SELECT max(trace_id) FROM traces)) AS tid),
-- The Syscall rows of goroutine_states, read off their tables directly (the view's UNION ALL would be
-- evaluated for every event of every trace): closed intervals from the events that close them, the
-- ones open at the trace end from goroutine_open_intervals; the stack is that of the event at start_seq.
s AS (
  SELECT o.stack_id AS sid, c.iv_dur_ns AS d, coalesce(c.iv_blocked_ns, 0) AS b
  FROM p JOIN events c ON c.trace_id = p.tid
  LEFT JOIN events o ON o.trace_id = c.trace_id AND o.seq = c.seq - c.iv_back
  WHERE c.iv_back IS NOT NULL AND c.from_state = 5
  UNION ALL
  SELECT o.stack_id, t.duration_ns - x.start_ns, coalesce(x.blocked_ns, 0)
  FROM p JOIN goroutine_open_intervals x ON x.trace_id = p.tid
  JOIN traces t ON t.trace_id = x.trace_id
  LEFT JOIN events o ON o.trace_id = x.trace_id AND o.seq = x.start_seq
  WHERE x.state = 5
),
-- Group by an integer key instead of the stack text: stacks.funcs_id names the function list (0: no
-- stack, an unknown stack or one without frames, all shown as ''), then one row per (key, length).
h0 AS (SELECT sid, d, count(*) AS c, sum(b > 0) AS bc, sum(b) AS bs FROM s
       WHERE d IS NOT NULL  -- as the old query, which told syscall rows from stack rows by a length
       GROUP BY sid, d),
h AS (
  SELECT coalesce(CASE WHEN st.funcs <> '' THEN st.funcs_id END, 0) AS k, h0.d, sum(h0.c) AS c, sum(h0.bc) AS bc, sum(h0.bs) AS bs
  FROM h0 LEFT JOIN stacks st ON st.trace_id = (SELECT tid FROM p) AND st.stack_id = h0.sid
  GROUP BY 1, 2
),
-- Nearest-rank percentiles off the running count: rank r falls on the length whose rows span it.
c AS (
  SELECT k, d, c, bc, bs, sum(c) OVER (PARTITION BY k ORDER BY d ROWS UNBOUNDED PRECEDING) AS cum,
         sum(c) OVER (PARTITION BY k) AS n
  FROM h
),
g AS (
  SELECT k, sum(c) AS count, sum(c * d) AS total_ns, sum(bc) AS blocked_count, sum(bs) AS blocked_ns,
         max(CASE WHEN cum - c < (n * 50 + 99) / 100 AND (n * 50 + 99) / 100 <= cum THEN d END) AS p50_ns,
         max(CASE WHEN cum - c < (n * 99 + 99) / 100 AND (n * 99 + 99) / 100 <= cum THEN d END) AS p99_ns,
         max(d) AS max_ns
  FROM c GROUP BY k
)
SELECT coalesce((SELECT st.funcs FROM stacks st WHERE st.trace_id = (SELECT tid FROM p) AND st.stack_id = g.k), '') AS stack,
       count, total_ns, blocked_count, blocked_ns, p50_ns, p99_ns, max_ns
FROM g
ORDER BY total_ns DESC, stack
LIMIT coalesce(:top, -1);
