-- name: tasks-slowest
-- title: Slowest task instances per type
-- description: The longest complete tasks of each type (duration = TaskBegin → TaskEnd), with the
--   goroutines that took part (events naming the task), regions, logs and child tasks, and how the
--   task ended relative to its start. `rank` is 1 for the slowest task of its type; task_id is the
--   trace's own id (not stable across runs; use it with critical-path's :task_id). Pass :task to see
--   one type only.
-- param: trace_id = latest — the trace to analyse
-- param: task = all — only tasks of this type
-- param: top = 5 — instances per type
-- key: task
-- key: rank
-- metric: duration_ns ns lower — task duration
-- metric: goroutines count none — goroutines with events naming the task
-- metric: regions count none — regions in the task
-- metric: logs count none — log messages in the task
-- compare: no
WITH p AS (SELECT coalesce(:trace_id, (SELECT max(trace_id) FROM traces)) AS tid),
t AS (
  SELECT t.*, row_number() OVER (PARTITION BY t.name ORDER BY t.duration_ns DESC, t.task_id) AS rank
  FROM tasks t JOIN p ON t.trace_id = p.tid
  WHERE t.task_id <> 0 AND t.complete = 1 AND (:task IS NULL OR t.name = :task)
)
SELECT name AS task, rank, task_id, start_ns, end_ns, duration_ns, goroutine_count AS goroutines,
       region_count AS regions, log_count AS logs, child_count AS children, parent_id
FROM t
WHERE rank <= coalesce(:top, 5)
ORDER BY duration_ns DESC, task, rank;
