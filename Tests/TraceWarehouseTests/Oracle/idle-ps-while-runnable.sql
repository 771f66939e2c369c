-- name: idle-ps-while-runnable
-- title: Idle Ps while goroutines are runnable
-- description: Time during which at least one P was idle while at least one goroutine was runnable —
--   work waiting although a processor was free. Short overlaps are normal (waking an idle P and
--   starting a goroutine takes microseconds); long or frequent ones point at a scheduler pathology:
--   a P released and not restarted in time (spinning-M limits), goroutines locked to a thread
--   (LockOSThread) that must wait for their M, or runnable goroutines stuck on one P's local queue.
--   An episode is a maximal stretch with idle Ps and runnable goroutines; episodes shorter than
--   :min_ns are ignored. `waiting_goroutine_ns` is the runnable goroutine-time inside the episodes
--   (goroutines × time), `pct_of_sched_wait` its share of all runnable time. Runnable intervals
--   include first runs; a goroutine first seen runnable counts from the Sync before it.
-- param: trace_id = latest — the trace to analyse
-- param: min_ns = 0 — ignore episodes shorter than this
-- metric: episodes count lower — stretches with idle Ps and runnable goroutines
-- metric: total_ns ns lower — their total length
-- metric: pct_of_trace percent lower — total_ns / trace duration
-- metric: max_ns ns lower — longest episode
-- metric: waiting_goroutine_ns ns lower — runnable goroutine-time inside the episodes
-- metric: pct_of_sched_wait percent lower — share of all runnable goroutine-time
WITH p AS (SELECT coalesce(:trace_id, (SELECT max(trace_id) FROM traces)) AS tid),
t AS (SELECT max(t.duration_ns, 1) AS dur FROM traces t JOIN p ON t.trace_id = p.tid),
pts(ts, di, dr) AS (
  SELECT ps.start_ns, 1, 0 FROM proc_states ps JOIN p ON ps.trace_id = p.tid WHERE ps.state = 3
  UNION ALL SELECT ps.end_ns, -1, 0 FROM proc_states ps JOIN p ON ps.trace_id = p.tid WHERE ps.state = 3
  UNION ALL SELECT s.start_ns, 0, 1 FROM goroutine_intervals s JOIN p ON s.trace_id = p.tid WHERE s.state = 2
  UNION ALL SELECT s.end_ns, 0, -1 FROM goroutine_intervals s JOIN p ON s.trace_id = p.tid WHERE s.state = 2
),
seg AS (
  SELECT ts, lead(ts) OVER (ORDER BY ts) AS nx,
         sum(sum(di)) OVER (ORDER BY ts) AS idle, sum(sum(dr)) OVER (ORDER BY ts) AS rnb
  FROM pts GROUP BY ts
),
flag AS (
  SELECT ts, nx, idle, rnb, (idle > 0 AND rnb > 0) AS bad,
         lag(idle > 0 AND rnb > 0, 1, 0) OVER (ORDER BY ts) AS prev_bad
  FROM seg WHERE nx IS NOT NULL
),
ep AS (
  SELECT ts, nx, rnb, bad, sum(CASE WHEN bad AND NOT prev_bad THEN 1 ELSE 0 END) OVER (ORDER BY ts) AS k
  FROM flag
),
e AS (
  SELECT k, min(ts) AS s, max(nx) AS z, sum(rnb * (nx - ts)) AS gw
  FROM ep WHERE bad GROUP BY k
  HAVING max(nx) - min(ts) >= coalesce(:min_ns, 0)
),
allw AS (SELECT coalesce(sum(s.end_ns - s.start_ns), 0) AS ns FROM goroutine_intervals s JOIN p ON s.trace_id = p.tid WHERE s.state = 2)
SELECT count(*) AS episodes,
       coalesce(sum(z - s), 0) AS total_ns,
       round(100.0 * coalesce(sum(z - s), 0) / (SELECT dur FROM t), 3) AS pct_of_trace,
       max(z - s) AS max_ns,
       coalesce(sum(gw), 0) AS waiting_goroutine_ns,
       round(100.0 * coalesce(sum(gw), 0) / max((SELECT ns FROM allw), 1), 3) AS pct_of_sched_wait
FROM e;
