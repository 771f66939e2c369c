-- name: regions
-- title: Region latency per region type
-- description: User regions (runtime/trace.WithRegion / StartRegion … End) grouped by type and the
--   function where they begin (the /userregions page of `go tool trace`; tracegolden
--   region_types.tsv groups by name and PC, this query by name and function, a key that survives
--   rebuilds). A region's duration is cmd/trace's regionInterval (clipped to the trace; a region
--   still open when its goroutine exits ends there). The distribution (nearest-rank p50 … max) is
--   over complete regions; total_ns over all. Because a region lives on one goroutine, its time splits
--   into exec, sched wait, block and syscall (sums over all instances, from Go's summary): a region
--   that is mostly sched_wait is starved of CPU, mostly block waits on others. Go's synthetic
--   task-inheritance regions (name '') and regions of system goroutines are not included.
-- param: trace_id = latest — the trace to analyse
-- key: region
-- key: function
-- metric: count count none — regions of this type
-- metric: complete count none — regions with begin and end in the trace
-- metric: p50_ns ns lower — median duration (complete)
-- metric: p90_ns ns lower — 90th percentile duration (complete)
-- metric: p99_ns ns lower — 99th percentile duration (complete)
-- metric: max_ns ns lower — longest complete region
-- metric: complete_total_ns ns none — summed duration of complete regions
-- metric: total_ns ns none — summed duration of all regions
-- metric: exec_ns ns none — running inside the regions
-- metric: sched_wait_ns ns lower — runnable inside the regions
-- metric: block_ns ns none — blocked inside the regions
-- metric: syscall_ns ns none — in syscalls inside the regions (with or without P)
WITH p AS (SELECT coalesce(:trace_id, (SELECT max(trace_id) FROM traces)) AS tid),
r AS (
  SELECT r.name, coalesce(r.frame_func, '') AS function, r.duration_ns AS d, r.complete,
         r.exec_ns, r.sched_wait_ns, r.block_ns, r.syscall_ns + r.syscall_block_ns AS sys_ns,
         row_number() OVER (PARTITION BY r.name, coalesce(r.frame_func, ''), r.complete ORDER BY r.duration_ns) AS rn,
         count(*) OVER (PARTITION BY r.name, coalesce(r.frame_func, ''), r.complete) AS n
  FROM regions r JOIN p ON r.trace_id = p.tid
  WHERE r.synthetic = 0
)
SELECT name AS region, function,
       count(*) AS count,
       sum(complete) AS complete,
       max(CASE WHEN complete = 1 AND rn = (n * 50 + 99) / 100 THEN d END) AS p50_ns,
       max(CASE WHEN complete = 1 AND rn = (n * 90 + 99) / 100 THEN d END) AS p90_ns,
       max(CASE WHEN complete = 1 AND rn = (n * 99 + 99) / 100 THEN d END) AS p99_ns,
       max(CASE WHEN complete = 1 THEN d END) AS max_ns,
       coalesce(sum(CASE WHEN complete = 1 THEN d END), 0) AS complete_total_ns,
       sum(d) AS total_ns,
       sum(exec_ns) AS exec_ns, sum(sched_wait_ns) AS sched_wait_ns, sum(block_ns) AS block_ns,
       sum(sys_ns) AS syscall_ns
FROM r
GROUP BY name, function
ORDER BY name, function;
