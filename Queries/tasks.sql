-- name: tasks
-- title: Task latency per task type
-- description: User tasks (runtime/trace.NewTask … End) grouped by type (tracegolden tasks.tsv,
--   /usertasks of `go tool trace`). A task's duration is cmd/trace's taskInterval: TaskBegin →
--   TaskEnd, clipped to the trace (a task begun before the trace starts at the trace start, one not
--   ended ends at the trace end). The latency distribution (p50 … max, nearest-rank) is over complete
--   tasks only (both ends in the trace); `total_ns` is over all tasks of the type, clipped,
--   `complete_total_ns` over complete ones. Task 0 (Go's background task for logs outside any task)
--   is left out. Use tasks-slowest for instances and critical-path to see why one was slow.
-- param: trace_id = latest — the trace to analyse
-- key: task
-- metric: count count none — tasks of this type (complete or not)
-- metric: complete count none — tasks with both begin and end in the trace
-- metric: p50_ns ns lower — median duration of complete tasks
-- metric: p90_ns ns lower — 90th percentile duration of complete tasks
-- metric: p99_ns ns lower — 99th percentile duration of complete tasks
-- metric: max_ns ns lower — longest complete task
-- metric: complete_total_ns ns none — summed duration of complete tasks
-- metric: total_ns ns none — summed (clipped) duration of all tasks
-- metric: regions count none — regions begun within these tasks
-- metric: logs count none — log messages within these tasks
WITH p AS (SELECT coalesce(:trace_id, (SELECT max(trace_id) FROM traces)) AS tid),
t AS (
  SELECT t.name, t.duration_ns AS d, t.complete, t.region_count, t.log_count,
         row_number() OVER (PARTITION BY t.name, t.complete ORDER BY t.duration_ns) AS rn,
         count(*) OVER (PARTITION BY t.name, t.complete) AS n
  FROM tasks t JOIN p ON t.trace_id = p.tid
  WHERE t.task_id <> 0
)
SELECT name AS task,
       count(*) AS count,
       sum(complete) AS complete,
       max(CASE WHEN complete = 1 AND rn = (n * 50 + 99) / 100 THEN d END) AS p50_ns,
       max(CASE WHEN complete = 1 AND rn = (n * 90 + 99) / 100 THEN d END) AS p90_ns,
       max(CASE WHEN complete = 1 AND rn = (n * 99 + 99) / 100 THEN d END) AS p99_ns,
       max(CASE WHEN complete = 1 THEN d END) AS max_ns,
       coalesce(sum(CASE WHEN complete = 1 THEN d END), 0) AS complete_total_ns,
       sum(d) AS total_ns,
       sum(region_count) AS regions,
       sum(log_count) AS logs
FROM t
GROUP BY name
ORDER BY name;
