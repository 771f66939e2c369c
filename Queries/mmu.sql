-- name: mmu
-- title: Minimum mutator utilization (1 ms, 10 ms, 100 ms, 1 s)
-- description: For each window length, the worst fraction of the CPU (GOMAXPROCS) left to the program
--   over any window of that length (1 = the GC never took CPU in any window; 0 = some window was
--   entirely GC). Computed at ingest like `go tool trace`'s MMU page with its default flags (system
--   view; GC stop-the-world, background mark workers and mark assists count as GC time; sweeping does
--   not; a window longer than the trace is clipped to the trace). Two figures: `go_mmu` is exactly
--   what Go 1.27.3 reports (tracegolden mmu.tsv, flags stw|background|assist), `mmu` is tracedb's.
--   They differ where Go's computation is not sound: MutatorUtilizationV2 counts a background mark
--   worker again at every later GC label event but uncounts it once, so its per-P GC counts drift
--   upwards and its utilization can sink to 0 for the rest of the trace; its per-P counts also go
--   stale across GOMAXPROCS changes (it can report 0 for a second in which the program mostly ran),
--   and it panics on a GC event without a P. tracedb counts each worker run once, recounts after a
--   GOMAXPROCS change and ignores P-less events. Compare runs on `mmu`; use `go_mmu` to match
--   `go tool trace`. worst_start_ns is the start of a worst window. NULL if the trace was ingested
--   without utilization data.
-- param: trace_id = latest — the trace to analyse
-- key: window_ns
-- metric: mmu ratio higher — minimum mutator utilization over windows of this length (tracedb)
-- metric: go_mmu ratio higher — the same as Go 1.27.3's go tool trace reports it
WITH p AS (SELECT coalesce(:trace_id, (SELECT max(trace_id) FROM traces)) AS tid),
w(window_ns) AS (VALUES (1000000), (10000000), (100000000), (1000000000))
SELECT w.window_ns, m.mmu, m.worst_start_ns, m.go_mmu, m.go_worst_start_ns
FROM w CROSS JOIN p LEFT JOIN mmu m ON m.trace_id = p.tid AND m.window_ns = w.window_ns
ORDER BY w.window_ns;
