-- name: thread-utilization
-- title: Thread (M) time in Go code, syscalls and idle
-- description: For each OS thread (M) the trace saw: time running Go code (holding a P), in a
--   syscall (a goroutine on it is in a system call, with or without its P) and idle (parked or
--   spinning without a P), from its first event to the trace end. Threads are numbered `m` = 1, 2, … in
--   order of first appearance (thread ids are OS ids and change between runs; thread_id shows it). The
--   last row, m = 0 ('all'), sums every thread. Many threads mostly in syscalls mean blocking I/O or
--   cgo is holding OS threads; compare with syscalls-by-stack.
-- param: trace_id = latest — the trace to analyse
-- key: m
-- metric: running_ns ns none — holding a P, running Go code
-- metric: syscall_ns ns none — in a system call
-- metric: idle_ns ns none — neither
-- metric: running_pct percent none — running share of the thread's time
-- metric: syscall_pct percent none — syscall share of the thread's time
-- compare: no
WITH p AS (SELECT coalesce(:trace_id, (SELECT max(trace_id) FROM traces)) AS tid),
-- Each thread's first interval: one primary-key lookup per thread (thread_intervals is keyed by thread and
-- start), not a pass over every interval. Tests/TraceWarehouseTests/Oracle/thread-utilization.sql is the
-- pass over thread_states it replaces.
f AS (
  SELECT th.thread_id, th.running_ns, th.syscall_ns, th.idle_ns,
         (SELECT min(i.start_ns) FROM thread_intervals i WHERE i.trace_id = th.trace_id AND i.thread_id = th.thread_id) AS first_ns
  FROM threads th WHERE th.trace_id = (SELECT tid FROM p)
),
t AS (
  SELECT row_number() OVER (ORDER BY coalesce(f.first_ns, 1e18), f.thread_id) AS m, f.thread_id,
         f.running_ns, f.syscall_ns, f.idle_ns
  FROM f
)
SELECT * FROM (
SELECT m, 'M' || thread_id AS thread, running_ns, syscall_ns, idle_ns,
       round(100.0 * running_ns / max(running_ns + syscall_ns + idle_ns, 1), 3) AS running_pct,
       round(100.0 * syscall_ns / max(running_ns + syscall_ns + idle_ns, 1), 3) AS syscall_pct
FROM t
UNION ALL
SELECT 0, 'all', coalesce(sum(running_ns), 0), coalesce(sum(syscall_ns), 0), coalesce(sum(idle_ns), 0),
       round(100.0 * sum(running_ns) / max(sum(running_ns + syscall_ns + idle_ns), 1), 3),
       round(100.0 * sum(syscall_ns) / max(sum(running_ns + syscall_ns + idle_ns), 1), 3)
FROM t
)
ORDER BY m = 0, m;
