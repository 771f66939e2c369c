-- name: cpu-profile
-- title: CPU profile samples by function (flat and cumulative)
-- description: When the program ran the CPU profiler during tracing (pprof.StartCPUProfile), the trace
--   holds its samples (StackSample events). For each function: flat = samples whose leaf frame is the
--   function (time spent in its own code), cum = samples with the function anywhere on the stack
--   (counted once per sample even if it recurses), both as counts and as a percentage of all samples
--   with a stack. At the default 100 Hz profiling rate one sample ≈ 10 ms of CPU. No rows if the trace
--   has no CPU samples. Sorted by flat, then cum.
-- param: trace_id = latest — the trace to analyse
-- param: top = all — rows to return
-- key: function
-- metric: flat count none — samples in the function itself
-- metric: flat_pct percent none — flat / all samples
-- metric: cum count none — samples with the function on the stack
-- metric: cum_pct percent none — cum / all samples
WITH p AS (SELECT coalesce(:trace_id, (SELECT max(trace_id) FROM traces)) AS tid),
cs AS (SELECT c.seq, c.stack_id FROM cpu_samples c JOIN p ON c.trace_id = p.tid WHERE c.stack_id IS NOT NULL),
n AS (SELECT count(*) AS n FROM cs),
fr AS (
  SELECT DISTINCT cs.seq, fn.name, sf.depth = 0 AS leaf
  FROM cs JOIN stack_frames sf ON sf.trace_id = (SELECT tid FROM p) AND sf.stack_id = cs.stack_id
  JOIN frames f ON f.trace_id = sf.trace_id AND f.frame_id = sf.frame_id
  JOIN funcs fn ON fn.trace_id = f.trace_id AND fn.func_id = f.func_id
),
agg AS (
  SELECT name, count(DISTINCT CASE WHEN leaf THEN seq END) AS flat, count(DISTINCT seq) AS cum
  FROM fr GROUP BY name
)
SELECT name AS function, flat, round(100.0 * flat / (SELECT n FROM n), 3) AS flat_pct,
       cum, round(100.0 * cum / (SELECT n FROM n), 3) AS cum_pct
FROM agg
ORDER BY flat DESC, cum DESC, function
LIMIT coalesce(:top, -1);
