-- name: regions-slowest
-- title: Slowest region instances per region type
-- description: The longest complete regions of each type, with where the time went on their goroutine
--   (exec, sched wait, block, syscall; from Go's summary), the goroutine's start function and the
--   task. `rank` is 1 for the slowest region of its type; goid is the trace's own id (not stable
--   across runs). Pass :region for one type. Synthetic task-inheritance regions are not included.
-- param: trace_id = latest — the trace to analyse
-- param: region = all — only regions of this type
-- param: top = 5 — instances per type
-- key: region
-- key: rank
-- metric: duration_ns ns lower — region duration
-- metric: exec_ns ns none — running
-- metric: sched_wait_ns ns lower — runnable
-- metric: block_ns ns none — blocked
-- metric: syscall_ns ns none — in syscalls
-- compare: no
WITH p AS (SELECT coalesce(:trace_id, (SELECT max(trace_id) FROM traces)) AS tid),
r AS (
  SELECT r.*, row_number() OVER (PARTITION BY r.name ORDER BY r.duration_ns DESC, r.goid, r.idx) AS rank
  FROM regions r JOIN p ON r.trace_id = p.tid
  WHERE r.synthetic = 0 AND r.complete = 1 AND (:region IS NULL OR r.name = :region)
)
SELECT r.name AS region, r.rank, r.goid, coalesce(g.name, '') AS function, r.task_id, r.start_ns, r.end_ns,
       r.duration_ns, r.exec_ns, r.sched_wait_ns, r.block_ns, r.syscall_ns + r.syscall_block_ns AS syscall_ns
FROM r LEFT JOIN goroutines g ON g.trace_id = r.trace_id AND g.goid = r.goid
WHERE r.rank <= coalesce(:top, 5)
ORDER BY r.duration_ns DESC, region, r.rank;
