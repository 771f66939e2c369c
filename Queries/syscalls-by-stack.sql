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
-- The Syscall rows of goroutine_states, counted by length at ingest (wait_lengths: the intervals still
-- open at the trace end are counted up to it, with how many lost their P and their time after it), one
-- row per (stack, length). The stack is keyed by stacks.funcs_id (0: no stack or one without frames,
-- shown as ''), which stands for its text one to one.
h AS (
  SELECT w.stack_id AS k, w.length_ns AS d, sum(w.count) AS c, sum(w.blocked_count) AS bc, sum(w.blocked_ns) AS bs
  FROM p JOIN wait_lengths w ON w.trace_id = p.tid AND w.state = 5
  GROUP BY w.stack_id, w.length_ns
),
-- Nearest-rank percentiles off the running count: rank r falls on the length whose rows span it.
c AS (
  SELECT k, d, c, bc, bs, sum(c) OVER (PARTITION BY k ORDER BY d ROWS UNBOUNDED PRECEDING) AS cum,
         sum(c) OVER (PARTITION BY k ORDER BY d ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) AS n
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
