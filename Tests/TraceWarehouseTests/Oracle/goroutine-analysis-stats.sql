-- name: goroutine-analysis-stats
-- title: Per-goroutine distribution of each time category, per start function
-- description: For each start function and each time category of Go's goroutine summary — lifetime,
--   exec, sched_wait, syscall, syscall_block, block, block_sync, block_network, block_sleep,
--   block_gc, unknown — the distribution over the function's goroutines: total, min, avg (truncated
--   to whole ns), p50, p99, max. Answers "are all workers slow, or a few?" (golang/go#29103). A
--   goroutine with no time in a category counts as 0. Percentiles are nearest-rank: pN is the
--   smallest per-goroutine value v such that at least N% of the goroutines have ≤ v. Block
--   categories as in goroutine-analysis. The figures are Go's summarizer's (goroutines table), so
--   total_ns per (function, stat) equals the sums of tracegolden goroutines.tsv.
-- param: trace_id = latest — the trace to analyse
-- param: function = all — only this start function
-- key: function
-- key: stat
-- metric: goroutines count none — goroutines with this start function
-- metric: total_ns ns none — sum over the goroutines
-- metric: min_ns ns none — smallest per-goroutine value
-- metric: avg_ns ns none — mean per goroutine
-- metric: p50_ns ns none — median per goroutine
-- metric: p99_ns ns none — 99th percentile per goroutine
-- metric: max_ns ns none — largest per-goroutine value
WITH p AS (SELECT coalesce(:trace_id, (SELECT max(trace_id) FROM traces)) AS tid),
g AS (  -- one row per goroutine: Go's summary plus its block time per category
  SELECT g.name AS function, g.total_ns, g.exec_ns, g.sched_wait_ns, g.syscall_ns, g.syscall_block_ns, g.block_ns, g.unknown_ns,
         coalesce(sum(CASE WHEN b.reason <> 'network' AND (instr(b.reason, 'chan') > 0 OR instr(b.reason, 'sync') > 0
                   OR instr(b.reason, 'select') > 0) THEN b.ns END), 0) AS sync_ns,
         coalesce(sum(CASE WHEN b.reason = 'network' THEN b.ns END), 0) AS network_ns,
         coalesce(sum(CASE WHEN b.reason = 'sleep' THEN b.ns END), 0) AS sleep_ns,
         coalesce(sum(CASE WHEN instr(b.reason, 'GC') > 0 AND NOT (instr(b.reason, 'chan') > 0 OR instr(b.reason, 'sync') > 0
                   OR instr(b.reason, 'select') > 0) THEN b.ns END), 0) AS gc_ns,
         coalesce(sum(CASE WHEN b.reason = 'system goroutine wait' THEN b.ns END), 0) AS system_ns
  FROM goroutines g JOIN p ON g.trace_id = p.tid
  LEFT JOIN goroutine_block b ON b.trace_id = g.trace_id AND b.goid = g.goid
  WHERE :function IS NULL OR g.name = :function
  GROUP BY g.goid
),
k(i, stat) AS (VALUES (1, 'lifetime'), (2, 'exec'), (3, 'sched_wait'), (4, 'syscall'), (5, 'syscall_block'),
                      (6, 'block'), (7, 'block_sync'), (8, 'block_network'), (9, 'block_sleep'), (10, 'block_gc'),
                      (11, 'unknown')),
v AS (
  SELECT g.function, k.i, k.stat,
         CASE k.i WHEN 1 THEN g.total_ns WHEN 2 THEN g.exec_ns WHEN 3 THEN g.sched_wait_ns WHEN 4 THEN g.syscall_ns
                  WHEN 5 THEN g.syscall_block_ns WHEN 6 THEN g.block_ns WHEN 7 THEN g.sync_ns WHEN 8 THEN g.network_ns
                  WHEN 9 THEN g.sleep_ns WHEN 10 THEN g.gc_ns ELSE g.unknown_ns END AS ns
  FROM g CROSS JOIN k
),
ex AS (SELECT function, sum(exec_ns) AS e FROM g GROUP BY function),
r AS (
  SELECT function, i, stat, ns, row_number() OVER (PARTITION BY function, i ORDER BY ns) AS rn,
         count(*) OVER (PARTITION BY function, i) AS n
  FROM v
)
SELECT function, stat,
       count(*) AS goroutines,
       sum(ns) AS total_ns,
       min(ns) AS min_ns,
       sum(ns) / count(*) AS avg_ns,
       max(CASE WHEN rn = (n * 50 + 99) / 100 THEN ns END) AS p50_ns,
       max(CASE WHEN rn = (n * 99 + 99) / 100 THEN ns END) AS p99_ns,
       max(ns) AS max_ns
FROM r JOIN ex USING (function)
GROUP BY function, i
ORDER BY max(ex.e) DESC, function, i;
