-- name: sched-delay-causes
-- title: Causes of scheduling delay
-- description: What was going on while goroutines waited for a P. The waits are those of
--   sched-latency (Runnable intervals after a goroutine's first run, not open at the trace end). Each
--   moment of each wait is attributed to exactly one cause, checked in this order: 'stop-the-world'
--   (a stop-the-world pause was in progress: nothing can run), 'idle P available' (at least one P was
--   idle: the delay is the scheduler's wake-up latency, or the goroutine was locked to a busy thread),
--   'all Ps busy: GC workers' (no idle P and at least one P ran a GC background mark worker),
--   'all Ps busy: P held in syscall' (no idle P and at least one P was held by a goroutine in a
--   syscall, before the runtime took it away), 'all Ps busy: goroutines' (every P ran ordinary
--   goroutines: the program wants more CPU than GOMAXPROCS). wait_ns is goroutine-time (two goroutines
--   waiting 1 ms together count 2 ms); the rows sum to sched-latency's total_ns, pct is the share.
-- param: trace_id = latest — the trace to analyse
-- key: cause
-- metric: wait_ns ns lower — goroutine wait time attributed to the cause
-- metric: pct percent none — share of all scheduling wait
-- metric: max_waiting count none — most goroutines waiting at once under this cause
WITH p AS (SELECT coalesce(:trace_id, (SELECT max(trace_id) FROM traces)) AS tid),
pts(ts, dr, di, dw, dg, ds) AS (
  SELECT s.event_ns, 1, 0, 0, 0, 0 FROM goroutine_states s JOIN p ON s.trace_id = p.tid
    WHERE s.state = 2 AND s.first_run = 0 AND s.open_at_end = 0
  UNION ALL SELECT s.end_ns, -1, 0, 0, 0, 0 FROM goroutine_states s JOIN p ON s.trace_id = p.tid
    WHERE s.state = 2 AND s.first_run = 0 AND s.open_at_end = 0
  UNION ALL SELECT ps.start_ns, 0, 1, 0, 0, 0 FROM proc_states ps JOIN p ON ps.trace_id = p.tid WHERE ps.state = 3
  UNION ALL SELECT ps.end_ns, 0, -1, 0, 0, 0 FROM proc_states ps JOIN p ON ps.trace_id = p.tid WHERE ps.state = 3
  UNION ALL SELECT w.start_ns, 0, 0, 1, 0, 0 FROM stw_pauses w JOIN p ON w.trace_id = p.tid WHERE w.start_ns IS NOT NULL
  UNION ALL SELECT w.end_ns, 0, 0, -1, 0, 0 FROM stw_pauses w JOIN p ON w.trace_id = p.tid WHERE w.start_ns IS NOT NULL
  UNION ALL SELECT s.start_ns, 0, 0, 0, 1, 0 FROM goroutine_states s JOIN p ON s.trace_id = p.tid
    JOIN goroutines g ON g.trace_id = s.trace_id AND g.goid = s.goid
    WHERE s.state = 3 AND g.name = 'runtime.gcBgMarkWorker'
  UNION ALL SELECT s.end_ns, 0, 0, 0, -1, 0 FROM goroutine_states s JOIN p ON s.trace_id = p.tid
    JOIN goroutines g ON g.trace_id = s.trace_id AND g.goid = s.goid
    WHERE s.state = 3 AND g.name = 'runtime.gcBgMarkWorker'
  UNION ALL SELECT s.start_ns, 0, 0, 0, 0, 1 FROM goroutine_states s JOIN p ON s.trace_id = p.tid
    WHERE s.state = 5 AND s.proc_id IS NOT NULL AND s.end_ns - coalesce(s.syscall_blocked_ns, 0) > s.start_ns
  UNION ALL SELECT s.end_ns - coalesce(s.syscall_blocked_ns, 0), 0, 0, 0, 0, -1 FROM goroutine_states s JOIN p ON s.trace_id = p.tid
    WHERE s.state = 5 AND s.proc_id IS NOT NULL AND s.end_ns - coalesce(s.syscall_blocked_ns, 0) > s.start_ns
),
seg AS (
  SELECT ts, lead(ts) OVER (ORDER BY ts) AS nx,
         sum(sum(dr)) OVER (ORDER BY ts) AS r, sum(sum(di)) OVER (ORDER BY ts) AS i,
         sum(sum(dw)) OVER (ORDER BY ts) AS w, sum(sum(dg)) OVER (ORDER BY ts) AS g,
         sum(sum(ds)) OVER (ORDER BY ts) AS s
  FROM pts GROUP BY ts
),
c AS (
  SELECT CASE WHEN w > 0 THEN 'stop-the-world'
              WHEN i > 0 THEN 'idle P available'
              WHEN g > 0 THEN 'all Ps busy: GC workers'
              WHEN s > 0 THEN 'all Ps busy: P held in syscall'
              ELSE 'all Ps busy: goroutines' END AS cause,
         r * (nx - ts) AS ns, r
  FROM seg WHERE nx IS NOT NULL AND r > 0
),
tot AS (SELECT sum(ns) AS ns FROM c)
SELECT cause, sum(ns) AS wait_ns, round(100.0 * sum(ns) / max((SELECT ns FROM tot), 1), 3) AS pct, max(r) AS max_waiting
FROM c
GROUP BY cause
ORDER BY wait_ns DESC, cause;
