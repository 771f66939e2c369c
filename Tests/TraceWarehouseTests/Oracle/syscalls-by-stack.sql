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
sk AS (  -- per stack of this trace: leaf→root function names joined with ';'
  SELECT st.stack_id AS sid, st.funcs FROM stacks st WHERE st.trace_id = (SELECT tid FROM p)
  UNION ALL SELECT 0, ''  -- no stack
),
u AS (  -- stack rows and syscall rows in one stream: the window carries each stack's text to its syscalls
  SELECT sid, funcs, NULL AS d, NULL AS b FROM sk
  UNION ALL
  SELECT coalesce(s.stack_id, 0), NULL, s.end_ns - s.start_ns, coalesce(s.syscall_blocked_ns, 0)
  FROM goroutine_states s JOIN p ON s.trace_id = p.tid
  WHERE s.state = 5
),
s AS (SELECT stack, d, b FROM (SELECT coalesce(max(funcs) OVER (PARTITION BY sid), '') AS stack, d, b FROM u) WHERE d IS NOT NULL),
r AS (SELECT stack, d, b, row_number() OVER (PARTITION BY stack ORDER BY d) AS rn,
             count(*) OVER (PARTITION BY stack) AS n FROM s)
SELECT stack, count(*) AS count, sum(d) AS total_ns, sum(b > 0) AS blocked_count, sum(b) AS blocked_ns,
       max(CASE WHEN rn = (n * 50 + 99) / 100 THEN d END) AS p50_ns,
       max(CASE WHEN rn = (n * 99 + 99) / 100 THEN d END) AS p99_ns,
       max(d) AS max_ns
FROM r
GROUP BY stack
ORDER BY total_ns DESC, stack
LIMIT coalesce(:top, -1);
