-- name: proc-utilization
-- title: Per-P utilization: running, idle, GC
-- description: For each P (Go's logical processor; there are GOMAXPROCS of them): time it was Running
--   (held by an M, running goroutines or the scheduler) and Idle, from its first appearance in the
--   trace to the end (or until GOMAXPROCS removed it), and how much of its goroutine time went to
--   the GC: background mark workers (goroutines started at runtime.gcBgMarkWorker, in any mode,
--   including idle-time marking) and mark assists (assist ranges while the assisting goroutine ran on
--   this P). Percentages are of the P's lifetime (running + idle). Ps mostly idle while
--   sched-latency is high point at a scheduler or lock problem; Ps mostly running GC at allocation.
-- param: trace_id = latest — the trace to analyse
-- key: proc
-- metric: running_ns ns none — P held by an M
-- metric: idle_ns ns none — P idle
-- metric: running_pct percent none — running / lifetime
-- metric: goroutine_ns ns none — goroutines running on the P
-- metric: gc_worker_ns ns lower — background mark workers running on the P
-- metric: assist_ns ns lower — mark assists on the P
-- metric: gc_pct percent lower — (GC workers + assists) / lifetime
WITH p AS (SELECT coalesce(:trace_id, (SELECT max(trace_id) FROM traces)) AS tid)
-- The goroutine, GC-worker and assist columns of procs are derived at ingest; the pure-SQL definition over
-- goroutine_states and ranges is Tests/TraceWarehouseTests/Oracle/proc-utilization.sql.
SELECT pr.proc_id AS proc, pr.running_ns, pr.idle_ns,
       round(100.0 * pr.running_ns / max(pr.running_ns + pr.idle_ns, 1), 3) AS running_pct,
       pr.goroutine_ns,
       pr.gc_worker_ns,
       pr.assist_ns,
       round(100.0 * (pr.gc_worker_ns + pr.assist_ns) / max(pr.running_ns + pr.idle_ns, 1), 3) AS gc_pct
FROM procs pr JOIN p ON pr.trace_id = p.tid
ORDER BY pr.proc_id;
