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
e AS (  -- the episodes by length, swept at ingest
  SELECT l.duration_ns AS d, l.count AS c, l.waiting_goroutine_ns AS gw
  FROM idle_p_episode_lengths l JOIN p ON l.trace_id = p.tid
  WHERE l.duration_ns >= coalesce(:min_ns, 0)
)
SELECT coalesce(sum(c), 0) AS episodes,
       coalesce(sum(d * c), 0) AS total_ns,
       round(100.0 * coalesce(sum(d * c), 0) / (SELECT dur FROM t), 3) AS pct_of_trace,
       max(d) AS max_ns,
       coalesce(sum(gw), 0) AS waiting_goroutine_ns,
       round(100.0 * coalesce(sum(gw), 0) / max((SELECT s.runnable_ns FROM sched_summary s JOIN p ON s.trace_id = p.tid), 1), 3) AS pct_of_sched_wait
FROM e;
