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
WITH p AS (SELECT coalesce(:trace_id, (SELECT max(trace_id) FROM traces)) AS tid),
run AS (
  SELECT s.proc_id, s.goid, s.start_ns, s.end_ns, g.name
  FROM goroutine_states s JOIN p ON s.trace_id = p.tid
  JOIN goroutines g ON g.trace_id = s.trace_id AND g.goid = s.goid
  WHERE s.state = 3 AND s.proc_id IS NOT NULL
),
gr AS (
  SELECT proc_id, sum(end_ns - start_ns) AS ns,
         sum(CASE WHEN name = 'runtime.gcBgMarkWorker' THEN end_ns - start_ns ELSE 0 END) AS gc_ns
  FROM run GROUP BY proc_id
),
asst AS (
  SELECT run.proc_id, sum(min(run.end_ns, r.end_ns) - max(run.start_ns, coalesce(r.start_ns, 0))) AS ns
  FROM ranges r JOIN p ON r.trace_id = p.tid
  JOIN run ON run.goid = r.scope_id AND run.start_ns < r.end_ns AND run.end_ns > coalesce(r.start_ns, 0)
  WHERE r.name = 'GC mark assist' AND r.scope_kind = 1
  GROUP BY run.proc_id
)
SELECT pr.proc_id AS proc, pr.running_ns, pr.idle_ns,
       round(100.0 * pr.running_ns / max(pr.running_ns + pr.idle_ns, 1), 3) AS running_pct,
       coalesce(gr.ns, 0) AS goroutine_ns,
       coalesce(gr.gc_ns, 0) AS gc_worker_ns,
       coalesce(asst.ns, 0) AS assist_ns,
       round(100.0 * (coalesce(gr.gc_ns, 0) + coalesce(asst.ns, 0)) / max(pr.running_ns + pr.idle_ns, 1), 3) AS gc_pct
FROM procs pr JOIN p ON pr.trace_id = p.tid
LEFT JOIN gr ON gr.proc_id = pr.proc_id
LEFT JOIN asst ON asst.proc_id = pr.proc_id
ORDER BY pr.proc_id;
