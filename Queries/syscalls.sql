-- name: syscalls
-- title: System calls, overall
-- description: Every Syscall interval of every goroutine: from entering the syscall until leaving it
--   (or the trace end: open_count of them are still in progress; a goroutine first seen in a syscall
--   counts from the Sync before it, as Go's summary does). A syscall is 'blocked' when the runtime took
--   its P away during it (the P went idle or to another M: sysmon retakes Ps from syscalls longer than
--   ~20 µs); blocked_ns is the part after that, Go's SyscallBlockTime. Without open syscalls at the
--   trace end, total_ns equals the sum of tracegolden goroutines.tsv syscall_time + syscall_block_time
--   and blocked_ns the sum of syscall_block_time — except where Go's summarizer loses the split: when
--   goroutine A lost its P in a syscall, B entered a syscall on that P, and A then returned, Go's stale
--   per-goroutine P entry deletes B's, so B's blocked part counts as plain syscall time in Go
--   (go1.23/cpuio); tracedb still counts it as blocked. Percentiles (nearest-rank) are of syscall length.
--   Many blocked syscalls cost thread creation and P hand-offs; see syscalls-by-stack for where.
-- param: trace_id = latest — the trace to analyse
-- metric: count count none — syscalls
-- metric: open_count count none — syscalls still in progress at the trace end
-- metric: total_ns ns lower — total time in syscalls
-- metric: blocked_count count lower — syscalls that lost their P
-- metric: blocked_ns ns lower — time in syscalls after losing the P
-- metric: p50_ns ns lower — median syscall length
-- metric: p90_ns ns lower — 90th percentile syscall length
-- metric: p99_ns ns lower — 99th percentile syscall length
-- metric: max_ns ns lower — longest syscall
WITH p AS (SELECT coalesce(:trace_id, (SELECT max(trace_id) FROM traces)) AS tid),
-- The Syscall rows of goroutine_intervals, counted by length at ingest (wait_lengths: the intervals still
-- open at the trace end are counted up to it, with how many lost their P and their time after it); one
-- row per length.
h AS (
  SELECT w.length_ns AS d, sum(w.count) AS c, sum(w.open_count) AS o, sum(w.blocked_count) AS bc, sum(w.blocked_ns) AS b
  FROM p JOIN wait_lengths w ON w.trace_id = p.tid AND w.state = 5
  GROUP BY w.length_ns
),
-- Nearest-rank percentiles off the running count: rank r falls on the length whose rows span it.
r AS (
  SELECT d, c, o, bc, b, sum(c) OVER (ORDER BY d ROWS UNBOUNDED PRECEDING) AS cum,
         sum(c) OVER (ORDER BY d ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) AS n
  FROM h
)
SELECT coalesce(sum(c), 0) AS count,
       coalesce(sum(o), 0) AS open_count,
       coalesce(sum(c * d), 0) AS total_ns,
       coalesce(sum(bc), 0) AS blocked_count,
       coalesce(sum(b), 0) AS blocked_ns,
       max(CASE WHEN cum - c < (n * 50 + 99) / 100 AND (n * 50 + 99) / 100 <= cum THEN d END) AS p50_ns,
       max(CASE WHEN cum - c < (n * 90 + 99) / 100 AND (n * 90 + 99) / 100 <= cum THEN d END) AS p90_ns,
       max(CASE WHEN cum - c < (n * 99 + 99) / 100 AND (n * 99 + 99) / 100 <= cum THEN d END) AS p99_ns,
       max(d) AS max_ns
FROM r;
