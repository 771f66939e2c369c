-- name: gc-cycles
-- title: GC cycles
-- description: One row per garbage-collection cycle, i.e. per 'GC concurrent mark phase' range (what
--   the trace viewer's GC row shows; tracegolden gc.tsv): when it started and how long the concurrent
--   mark ran, the stop-the-world pauses that belong to it (sweep termination before, mark termination
--   at the end), the mark-assist time goroutines were drafted into during the cycle (assist ranges
--   clipped to the cycle), and the heap before (last heap-objects metric before the start), after
--   (first one after the end) and the heap goal in force at the start. `cycle` is the 0-based cycle
--   number in the trace. A cycle already running when the trace started has start_kind 'Active'
--   (start = trace start) and one still running at the end has end_kind 'trace_end'. Long mark
--   phases with much assist time mean allocation outpaces the background workers.
-- param: trace_id = latest — the trace to analyse
-- key: cycle
-- metric: duration_ns ns lower — concurrent mark phase length
-- metric: stw_count count none — stop-the-world pauses of the cycle
-- metric: stw_ns ns lower — their total length
-- metric: stw_max_ns ns lower — the longest of them
-- metric: assist_count count none — mark-assist ranges overlapping the cycle
-- metric: assist_ns ns lower — mark-assist time inside the cycle
-- metric: heap_before_bytes bytes lower — live heap before the cycle
-- metric: heap_after_bytes bytes lower — heap after the cycle
-- metric: heap_goal_bytes bytes none — heap goal at the start
-- compare: no
WITH p AS (SELECT coalesce(:trace_id, (SELECT max(trace_id) FROM traces)) AS tid),
c AS (SELECT c.* FROM gc_cycles c JOIN p ON c.trace_id = p.tid),
w AS (
  SELECT w.gc_idx, count(*) AS n, sum(w.end_ns - w.start_ns) AS ns, max(w.end_ns - w.start_ns) AS mx
  FROM stw_pauses w JOIN p ON w.trace_id = p.tid
  WHERE w.gc_idx IS NOT NULL
  GROUP BY w.gc_idx
),
-- The mark-assist ranges once (a few thousand rows) instead of a scan of all of the trace's ranges per cycle.
ar AS MATERIALIZED (
  SELECT coalesce(r.start_ns, 0) AS s, r.end_ns AS e
  FROM ranges r JOIN p ON r.trace_id = p.tid
  WHERE r.name = 'GC mark assist'
),
a AS (
  SELECT c.gc_idx, count(*) AS n,
         sum(min(ar.e, c.end_ns) - max(ar.s, coalesce(c.start_ns, 0))) AS ns
  FROM c JOIN ar ON ar.s < c.end_ns AND ar.e > coalesce(c.start_ns, 0)
  GROUP BY c.gc_idx
)
SELECT c.gc_idx AS cycle, c.start_ns, c.end_ns, c.end_ns - c.start_ns AS duration_ns,
       coalesce(w.n, 0) AS stw_count, coalesce(w.ns, 0) AS stw_ns, w.mx AS stw_max_ns,
       coalesce(a.n, 0) AS assist_count, coalesce(a.ns, 0) AS assist_ns,
       c.heap_before_bytes, c.heap_after_bytes, c.heap_goal_bytes, c.start_kind, c.end_kind
FROM c LEFT JOIN w ON w.gc_idx = c.gc_idx LEFT JOIN a ON a.gc_idx = c.gc_idx
ORDER BY c.gc_idx;
