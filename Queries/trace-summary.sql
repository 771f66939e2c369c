-- name: trace-summary
-- title: Trace overview
-- description: One row describing the trace: file, Go version, duration, events, goroutines, GOMAXPROCS
--   (first and largest value), GC cycles, tasks, regions, CPU samples, and where all goroutine time
--   went according to Go's summary (sums over goroutines of exec, sched wait, blocked, syscall incl.
--   blocked syscalls). `complete` is 0 for a trace cut off mid-way (ingested up to its last complete
--   generation). A first look before the specific queries, and the headline for comparing runs.
-- param: trace_id = latest — the trace to analyse
-- metric: duration_ns ns lower — trace duration
-- metric: events count none — events in the trace
-- metric: goroutines count none — goroutines seen
-- metric: gomaxprocs count none — GOMAXPROCS at the start
-- metric: gc_cycles count lower — GC cycles
-- metric: tasks count none — user tasks (task 0 not counted)
-- metric: regions count none — user regions (synthetic ones not counted)
-- metric: cpu_samples count none — CPU profile samples
-- metric: exec_ns ns none — goroutine execution time
-- metric: sched_wait_ns ns lower — goroutine time runnable, waiting for a P
-- metric: block_ns ns none — goroutine time blocked
-- metric: syscall_ns ns none — goroutine time in syscalls (with or without P)
WITH p AS (SELECT coalesce(:trace_id, (SELECT max(trace_id) FROM traces)) AS tid),
g AS (SELECT count(*) AS n, coalesce(sum(exec_ns), 0) AS ex, coalesce(sum(sched_wait_ns), 0) AS sw,
             coalesce(sum(block_ns), 0) AS bl, coalesce(sum(syscall_ns + syscall_block_ns), 0) AS sc
      FROM goroutines g JOIN p ON g.trace_id = p.tid)
SELECT t.trace_id, t.file_name, t.go_version, t.duration_ns, t.event_count AS events, g.n AS goroutines,
       t.gomaxprocs, t.max_gomaxprocs,
       (SELECT count(*) FROM gc_cycles c WHERE c.trace_id = t.trace_id) AS gc_cycles,
       (SELECT count(*) FROM tasks k WHERE k.trace_id = t.trace_id AND k.task_id <> 0) AS tasks,
       (SELECT count(*) FROM regions r WHERE r.trace_id = t.trace_id AND r.synthetic = 0) AS regions,
       (SELECT count(*) FROM cpu_samples c WHERE c.trace_id = t.trace_id) AS cpu_samples,
       g.ex AS exec_ns, g.sw AS sched_wait_ns, g.bl AS block_ns, g.sc AS syscall_ns,
       t.complete
FROM traces t JOIN p ON t.trace_id = p.tid CROSS JOIN g;
