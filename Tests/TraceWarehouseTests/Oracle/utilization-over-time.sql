-- name: utilization-over-time
-- title: P utilization per time bucket
-- description: The trace cut into buckets (default: the smallest of 1, 2, 5 × 10^k ns that gives at
--   most 100 buckets; the last one may be shorter). For each bucket, time-averaged counts: Ps running
--   (held by an M), Ps idle, Ps running GC background mark workers, goroutines running and goroutines
--   runnable (waiting for a P), and utilization_pct = running Ps / existing Ps. A bucket with idle Ps
--   and runnable goroutines at the same time is a scheduling problem (see idle-ps-while-runnable);
--   runnable goroutines with all Ps running means the program wants more CPU than GOMAXPROCS.
-- param: trace_id = latest — the trace to analyse
-- param: bucket_ns = auto — bucket length in ns
-- key: bucket_start_ns
-- metric: running_procs count none — average Ps running
-- metric: idle_procs count none — average Ps idle
-- metric: gc_procs count none — average Ps running GC mark workers
-- metric: running_goroutines count none — average goroutines running
-- metric: runnable_goroutines count lower — average goroutines runnable
-- metric: utilization_pct percent none — running Ps / existing Ps
-- compare: no
WITH RECURSIVE p AS (SELECT coalesce(:trace_id, (SELECT max(trace_id) FROM traces)) AS tid),
t AS (SELECT max(t.duration_ns, 1) AS dur FROM traces t JOIN p ON t.trace_id = p.tid),
nice(v) AS (SELECT 1 UNION ALL SELECT CASE WHEN substr(CAST(v AS TEXT), 1, 1) = '2' THEN v * 5 / 2 ELSE v * 2 END
            FROM nice WHERE v < 1000000000000000),
bs AS (SELECT coalesce(:bucket_ns, (SELECT min(v) FROM nice, t WHERE v * 100 >= t.dur)) AS w),
iv(kind, a, z) AS (
  SELECT CASE ps.state WHEN 2 THEN 'prun' ELSE 'pidle' END, ps.start_ns, ps.end_ns
  FROM proc_states ps JOIN p ON ps.trace_id = p.tid WHERE ps.state IN (2, 3) AND ps.end_ns > ps.start_ns
  UNION ALL
  SELECT CASE WHEN s.state = 2 THEN 'runnable' WHEN g.name = 'runtime.gcBgMarkWorker' THEN 'gcw' ELSE 'grun' END,
         s.start_ns, s.end_ns
  FROM goroutine_intervals s JOIN p ON s.trace_id = p.tid
  JOIN goroutines g ON g.trace_id = s.trace_id AND g.goid = s.goid
  WHERE s.state IN (2, 3) AND s.end_ns > s.start_ns
),
x(kind, a, z, b) AS (
  SELECT kind, a, z, a / (SELECT w FROM bs) FROM iv
  UNION ALL
  SELECT kind, a, z, b + 1 FROM x WHERE (b + 1) * (SELECT w FROM bs) < z
),
o AS (
  SELECT b, kind, sum(min(z, (b + 1) * (SELECT w FROM bs)) - max(a, b * (SELECT w FROM bs))) AS ns
  FROM x GROUP BY b, kind
),
bk(b) AS (SELECT 0 UNION ALL SELECT b + 1 FROM bk, t WHERE (b + 1) * (SELECT w FROM bs) < t.dur),
agg AS (
  SELECT bk.b, bk.b * (SELECT w FROM bs) AS s,
         min((bk.b + 1) * (SELECT w FROM bs), t.dur) - bk.b * (SELECT w FROM bs) AS len,
         coalesce(sum(CASE WHEN o.kind = 'prun' THEN o.ns END), 0) AS prun,
         coalesce(sum(CASE WHEN o.kind = 'pidle' THEN o.ns END), 0) AS pidle,
         coalesce(sum(CASE WHEN o.kind = 'gcw' THEN o.ns END), 0) AS gcw,
         coalesce(sum(CASE WHEN o.kind IN ('grun', 'gcw') THEN o.ns END), 0) AS grun,
         coalesce(sum(CASE WHEN o.kind = 'runnable' THEN o.ns END), 0) AS runnable
  FROM bk CROSS JOIN t LEFT JOIN o ON o.b = bk.b
  GROUP BY bk.b
)
SELECT s AS bucket_start_ns, len AS bucket_ns,
       round(1.0 * prun / len, 3) AS running_procs,
       round(1.0 * pidle / len, 3) AS idle_procs,
       round(1.0 * gcw / len, 3) AS gc_procs,
       round(1.0 * grun / len, 3) AS running_goroutines,
       round(1.0 * runnable / len, 3) AS runnable_goroutines,
       round(100.0 * prun / max(prun + pidle, 1), 3) AS utilization_pct
FROM agg
ORDER BY b;
