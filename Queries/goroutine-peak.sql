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
-- The goroutine counts and lifetimes in one pass over goroutines; the creations, the runnable peak and the
-- alive peak (+1 at creation_ns, -1 at end_ns) swept at ingest (sched_summary).
g AS (
  SELECT count(*) AS n, sum(g.end_ns IS NOT NULL) AS ended, sum(g.end_ns IS NULL) AS alive_at_end,
         coalesce(sum(g.total_ns), 0) AS total_ns
  FROM goroutines g JOIN p ON g.trace_id = p.tid
),
ss AS (SELECT s.* FROM sched_summary s JOIN p ON s.trace_id = p.tid)
SELECT g.n AS goroutines,
       (SELECT created FROM ss) AS created,
       coalesce(g.ended, 0) AS ended,
       coalesce(g.alive_at_end, 0) AS alive_at_end,
       coalesce((SELECT peak_alive FROM ss), 0) AS peak_alive,
       (SELECT peak_alive_at_ns FROM ss) AS peak_alive_at_ns,
       (SELECT peak_runnable FROM ss) AS peak_runnable,
       (SELECT peak_runnable_at_ns FROM ss) AS peak_runnable_at_ns,
       round(1.0 * g.total_ns / t.dur, 3) AS avg_alive,
       round((SELECT created FROM ss) * 1e9 / t.dur, 3) AS created_per_s,
       (SELECT max_created_per_ms FROM ss) AS max_created_per_ms
FROM t CROSS JOIN g;
