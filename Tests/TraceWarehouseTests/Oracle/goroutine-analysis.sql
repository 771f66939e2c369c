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
g AS (  -- one row per goroutine: Go's summary plus its block time per category
  SELECT g.goid, g.name, g.total_ns, g.exec_ns, g.sched_wait_ns, g.syscall_ns, g.syscall_block_ns, g.block_ns, g.unknown_ns,
         coalesce(sum(CASE WHEN b.reason <> 'network' AND (instr(b.reason, 'chan') > 0 OR instr(b.reason, 'sync') > 0
                   OR instr(b.reason, 'select') > 0) THEN b.ns END), 0) AS sync_ns,
         coalesce(sum(CASE WHEN b.reason = 'network' THEN b.ns END), 0) AS network_ns,
         coalesce(sum(CASE WHEN b.reason = 'sleep' THEN b.ns END), 0) AS sleep_ns,
         coalesce(sum(CASE WHEN instr(b.reason, 'GC') > 0 AND NOT (instr(b.reason, 'chan') > 0 OR instr(b.reason, 'sync') > 0
                   OR instr(b.reason, 'select') > 0) THEN b.ns END), 0) AS gc_ns,
         coalesce(sum(CASE WHEN b.reason = 'system goroutine wait' THEN b.ns END), 0) AS system_ns
  FROM goroutines g JOIN p ON g.trace_id = p.tid
  LEFT JOIN goroutine_block b ON b.trace_id = g.trace_id AND b.goid = g.goid
  GROUP BY g.goid
),
tot AS (SELECT sum(exec_ns) AS exec FROM g)
SELECT g.name AS function,
       count(*) AS goroutines,
       sum(g.total_ns) AS total_ns,
       sum(g.exec_ns) AS exec_ns,
       round(100.0 * sum(g.exec_ns) / max(tot.exec, 1), 3) AS exec_pct,
       sum(g.sched_wait_ns) AS sched_wait_ns,
       sum(g.syscall_ns) AS syscall_ns,
       sum(g.syscall_block_ns) AS syscall_block_ns,
       sum(g.block_ns) AS block_ns,
       sum(g.sync_ns) AS block_sync_ns,
       sum(g.network_ns) AS block_network_ns,
       sum(g.sleep_ns) AS block_sleep_ns,
       sum(g.gc_ns) AS block_gc_ns,
       sum(g.system_ns) AS block_system_ns,
       sum(g.block_ns) - sum(g.sync_ns + g.network_ns + g.sleep_ns + g.gc_ns + g.system_ns) AS block_other_ns,
       sum(g.unknown_ns) AS unknown_ns
FROM g CROSS JOIN tot
GROUP BY g.name
ORDER BY exec_ns DESC, function;
