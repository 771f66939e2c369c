-- name: goroutine-peak
-- title: Goroutine population: peak concurrency and creation rate
-- description: One row about the goroutine population (goroutine explosion): goroutines seen, created
--   during the trace (a GoCreate transition), ended (exit or blocked forever), alive at the end; the
--   peak number alive at once and when; the peak number runnable at once (waiting for a P) and when;
--   the time-averaged number alive; the creation rate over the trace and the most created within one
--   millisecond (aligned 1 ms buckets from the trace start). A goroutine is alive from its creation
--   (or the Sync before it was first seen) to its end. Many alive but few runnable or running is the
--   "many goroutines, few running" pattern: memory and scheduler cost without parallelism.
-- param: trace_id = latest — the trace to analyse
-- metric: goroutines count none — goroutines in the trace
-- metric: created count none — goroutines created during the trace
-- metric: ended count none — goroutines that ended during the trace
-- metric: alive_at_end count lower — goroutines alive at the trace end
-- metric: peak_alive count lower — most goroutines alive at one time
-- metric: peak_runnable count lower — most goroutines runnable at one time
-- metric: avg_alive count none — time-averaged goroutines alive
-- metric: created_per_s per_s none — creations per second of trace
-- metric: max_created_per_ms count none — most creations within one millisecond
WITH p AS (SELECT coalesce(:trace_id, (SELECT max(trace_id) FROM traces)) AS tid),
t AS (SELECT max(t.duration_ns, 1) AS dur FROM traces t JOIN p ON t.trace_id = p.tid),
g AS (SELECT g.* FROM goroutines g JOIN p ON g.trace_id = p.tid),
cr AS (
  SELECT DISTINCT e.res_id AS goid, e.ts_ns
  FROM events e JOIN p ON e.trace_id = p.tid
  WHERE e.kind = 13 AND e.res_kind = 1 AND e.from_state = 1 AND e.to_state <> 1
),
alive AS (
  SELECT ts, sum(sum(d)) OVER (ORDER BY ts) AS n FROM (
    SELECT coalesce(creation_ns, 0) AS ts, 1 AS d FROM g
    UNION ALL SELECT end_ns, -1 FROM g WHERE end_ns IS NOT NULL
  ) GROUP BY ts
),
rnb AS (
  SELECT ts, sum(sum(d)) OVER (ORDER BY ts) AS n FROM (
    SELECT s.start_ns AS ts, 1 AS d FROM goroutine_intervals s JOIN p ON s.trace_id = p.tid WHERE s.state = 2
    UNION ALL
    SELECT s.end_ns, -1 FROM goroutine_intervals s JOIN p ON s.trace_id = p.tid WHERE s.state = 2
  ) GROUP BY ts
),
pa AS (SELECT n, ts FROM alive ORDER BY n DESC, ts LIMIT 1),
pr AS (SELECT n, ts FROM rnb ORDER BY n DESC, ts LIMIT 1),
pm AS (SELECT count(*) AS n FROM cr GROUP BY ts_ns / 1000000 ORDER BY n DESC LIMIT 1)
SELECT (SELECT count(*) FROM g) AS goroutines,
       (SELECT count(*) FROM cr) AS created,
       (SELECT count(*) FROM g WHERE end_ns IS NOT NULL) AS ended,
       (SELECT count(*) FROM g WHERE end_ns IS NULL) AS alive_at_end,
       coalesce((SELECT n FROM pa), 0) AS peak_alive,
       (SELECT ts FROM pa) AS peak_alive_at_ns,
       coalesce((SELECT n FROM pr), 0) AS peak_runnable,
       (SELECT ts FROM pr) AS peak_runnable_at_ns,
       round(1.0 * (SELECT coalesce(sum(total_ns), 0) FROM g) / t.dur, 3) AS avg_alive,
       round((SELECT count(*) FROM cr) * 1e9 / t.dur, 3) AS created_per_s,
       coalesce((SELECT n FROM pm), 0) AS max_created_per_ms
FROM t;
