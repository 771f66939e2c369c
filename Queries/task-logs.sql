-- name: task-logs
-- title: Log messages per task
-- description: The runtime/trace.Log messages of each task in time order (tracegolden logs.tsv), with
--   the task's type, when the message was logged relative to the task's start, which goroutine
--   (start function) logged it, its category and text. `task` '' with task_id 0 holds logs written
--   outside any task. `n` numbers the logs of one task type in time order, so (task, n) identifies a
--   message across runs of a deterministic program.
-- param: trace_id = latest — the trace to analyse
-- param: task = all — only tasks of this type
-- key: task
-- key: n
-- compare: no
WITH p AS (SELECT coalesce(:trace_id, (SELECT max(trace_id) FROM traces)) AS tid)
SELECT coalesce(t.name, '') AS task,
       row_number() OVER (PARTITION BY coalesce(t.name, '') ORDER BY l.ts_ns, l.seq) AS n,
       l.task_id, l.ts_ns, l.ts_ns - t.interval_start_ns AS since_task_start_ns,
       l.goid, coalesce(g.name, '') AS function, l.category, l.message
FROM logs l JOIN p ON l.trace_id = p.tid
LEFT JOIN tasks t ON t.trace_id = l.trace_id AND t.task_id = l.task_id
LEFT JOIN goroutines g ON g.trace_id = l.trace_id AND g.goid = l.goid
WHERE :task IS NULL OR coalesce(t.name, '') = :task
ORDER BY l.ts_ns, l.seq;
