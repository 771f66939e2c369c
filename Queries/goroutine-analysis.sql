-- name: goroutine-analysis
-- title: Goroutine analysis per start function
-- description: Go's goroutine summary aggregated per start function (the /goroutines page of
--   `go tool trace`, extended with the full time breakdown users ask for in golang/go#29103). For
--   each function: how many goroutines, their summed lifetime, and where that time went — exec
--   (running), sched wait (runnable, waiting for a P), syscall (in a syscall holding its P), syscall
--   blocked (in a syscall after losing its P), blocked by category (sync = chan/select/sync,
--   network, sleep, gc, system, other = anything else including '' for goroutines first seen
--   waiting), and unknown. The columns come from Go's summarizer (goroutines / goroutine_block
--   tables): goroutines and exec_ns equal tracegolden goroutine_groups.tsv (count, exec_time), the
--   column sums equal goroutines.tsv sums; exec_pct is the share of all goroutines' execution time
--   (goroutine_groups.tsv exec_pct_of_total). Sorted by exec time as Go does. See
--   goroutine-analysis-stats for min/avg/p50/p99/max per goroutine.
-- param: trace_id = latest — the trace to analyse
-- key: function
-- metric: goroutines count none — goroutines with this start function
-- metric: total_ns ns none — summed lifetime (creation → end or trace end)
-- metric: exec_ns ns none — running
-- metric: exec_pct percent none — share of all goroutines' execution time
-- metric: sched_wait_ns ns lower — runnable, waiting for a P
-- metric: syscall_ns ns none — in syscalls while holding the P
-- metric: syscall_block_ns ns lower — in syscalls after losing the P
-- metric: block_ns ns none — blocked, all reasons
-- metric: block_sync_ns ns lower — blocked on chan, select, sync
-- metric: block_network_ns ns none — blocked on the network
-- metric: block_sleep_ns ns none — sleeping
-- metric: block_gc_ns ns lower — blocked on the GC
-- metric: block_system_ns ns none — runtime-internal waits
-- metric: block_other_ns ns none — other reasons
-- metric: unknown_ns ns none — not accounted for
WITH p AS (SELECT coalesce(:trace_id, (SELECT max(trace_id) FROM traces)) AS tid),
-- Per start function, the category totals of goroutine_function_stats (made at ingest from Go's summary, with
-- the block categories counted as here); the pure-SQL definition over goroutines and goroutine_block is the
-- test oracle Tests/TraceWarehouseTests/Oracle/goroutine-analysis.sql.
s AS (
  SELECT s.function, max(s.goroutines) AS goroutines,
         sum(CASE s.stat_idx WHEN 1 THEN s.total_ns END) AS total_ns,
         sum(CASE s.stat_idx WHEN 2 THEN s.total_ns END) AS exec_ns,
         sum(CASE s.stat_idx WHEN 3 THEN s.total_ns END) AS sched_wait_ns,
         sum(CASE s.stat_idx WHEN 4 THEN s.total_ns END) AS syscall_ns,
         sum(CASE s.stat_idx WHEN 5 THEN s.total_ns END) AS syscall_block_ns,
         sum(CASE s.stat_idx WHEN 6 THEN s.total_ns END) AS block_ns,
         sum(CASE s.stat_idx WHEN 7 THEN s.total_ns END) AS sync_ns,
         sum(CASE s.stat_idx WHEN 8 THEN s.total_ns END) AS network_ns,
         sum(CASE s.stat_idx WHEN 9 THEN s.total_ns END) AS sleep_ns,
         sum(CASE s.stat_idx WHEN 10 THEN s.total_ns END) AS gc_ns,
         sum(CASE s.stat_idx WHEN 11 THEN s.total_ns END) AS unknown_ns
  FROM goroutine_function_stats s JOIN p ON s.trace_id = p.tid
  GROUP BY s.function
),
-- 'system goroutine wait', which goroutine_function_stats does not count apart: only system goroutines wait so.
sys AS (
  SELECT g.name AS function, sum(b.ns) AS ns
  FROM p JOIN goroutine_block b ON b.trace_id = p.tid
  JOIN goroutines g ON g.trace_id = b.trace_id AND g.goid = b.goid
  WHERE b.reason = 'system goroutine wait'
  GROUP BY g.name
),
tot AS (SELECT sum(exec_ns) AS exec FROM s)
SELECT s.function AS function,
       s.goroutines,
       s.total_ns,
       s.exec_ns,
       round(100.0 * s.exec_ns / max(tot.exec, 1), 3) AS exec_pct,
       s.sched_wait_ns,
       s.syscall_ns,
       s.syscall_block_ns,
       s.block_ns,
       s.sync_ns AS block_sync_ns,
       s.network_ns AS block_network_ns,
       s.sleep_ns AS block_sleep_ns,
       s.gc_ns AS block_gc_ns,
       coalesce(sys.ns, 0) AS block_system_ns,
       s.block_ns - (s.sync_ns + s.network_ns + s.sleep_ns + s.gc_ns + coalesce(sys.ns, 0)) AS block_other_ns,
       s.unknown_ns
FROM s CROSS JOIN tot
LEFT JOIN sys ON sys.function = s.function
ORDER BY s.exec_ns DESC, s.function;
