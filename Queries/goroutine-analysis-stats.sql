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
WITH p AS (SELECT coalesce(:trace_id, (SELECT max(trace_id) FROM traces)) AS tid)
-- goroutine_function_stats is computed at ingest from Go's summary; the pure-SQL definition over goroutines
-- and goroutine_block is Tests/TraceWarehouseTests/Oracle/goroutine-analysis-stats.sql.
SELECT s.function, s.stat, s.goroutines, s.total_ns, s.min_ns, s.avg_ns, s.p50_ns, s.p99_ns, s.max_ns
FROM goroutine_function_stats s JOIN p ON s.trace_id = p.tid
WHERE :function IS NULL OR s.function = :function
ORDER BY s.function_exec_ns DESC, s.function, s.stat_idx;
