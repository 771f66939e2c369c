-- name: gc-summary
-- title: GC overview
-- description: One row summarising garbage collection over the trace: number of GC cycles and their
--   rate, total and share of the trace spent in the concurrent mark phase, GC stop-the-world pauses
--   (is_gc; count, total, longest) and all stop-the-world pauses, total mark-assist time (user
--   goroutines drafted into marking), the peak live heap ('/memory/classes/heap/objects:bytes') and
--   the minimum mutator utilization at 10 ms (from the mmu table; NULL if ingest did not compute it).
--   A regression in stw_max_ns or assist_ns is latency the program sees directly.
-- param: trace_id = latest — the trace to analyse
-- metric: cycles count lower — GC cycles (mark phases) in the trace
-- metric: cycles_per_s per_s lower — GC cycles per second of trace
-- metric: mark_ns ns lower — summed concurrent mark phase time
-- metric: mark_pct percent lower — share of the trace with a mark phase running
-- metric: gc_stw_count count lower — GC stop-the-world pauses
-- metric: gc_stw_ns ns lower — their total
-- metric: gc_stw_max_ns ns lower — the longest
-- metric: stw_ns ns lower — all stop-the-world pauses (GC or not)
-- metric: stw_max_ns ns lower — the longest of all pauses
-- metric: assist_ns ns lower — mark-assist time
-- metric: peak_heap_bytes bytes lower — largest live-heap metric value
-- metric: mmu_10ms ratio higher — minimum mutator utilization over 10 ms windows
WITH p AS (SELECT coalesce(:trace_id, (SELECT max(trace_id) FROM traces)) AS tid),
t AS (SELECT t.duration_ns AS dur FROM traces t JOIN p ON t.trace_id = p.tid),
c AS (SELECT count(*) AS n, coalesce(sum(c.end_ns - coalesce(c.start_ns, 0)), 0) AS ns
      FROM gc_cycles c JOIN p ON c.trace_id = p.tid),
w AS (SELECT coalesce(sum(is_gc), 0) AS gn,
             coalesce(sum(CASE WHEN is_gc = 1 THEN end_ns - start_ns END), 0) AS gns,
             max(CASE WHEN is_gc = 1 THEN end_ns - start_ns END) AS gmax,
             coalesce(sum(end_ns - start_ns), 0) AS ns, max(end_ns - start_ns) AS mx
      FROM stw_pauses w JOIN p ON w.trace_id = p.tid),
a AS (SELECT coalesce(sum(r.end_ns - coalesce(r.start_ns, 0)), 0) AS ns
      FROM ranges r JOIN p ON r.trace_id = p.tid WHERE r.name = 'GC mark assist'),
h AS (SELECT max(m.value) AS peak FROM metrics m JOIN p ON m.trace_id = p.tid
      WHERE m.name = '/memory/classes/heap/objects:bytes'),
u AS (SELECT m.mmu FROM mmu m JOIN p ON m.trace_id = p.tid WHERE m.window_ns = 10000000)
SELECT c.n AS cycles,
       round(c.n * 1e9 / max(t.dur, 1), 3) AS cycles_per_s,
       c.ns AS mark_ns,
       round(100.0 * c.ns / max(t.dur, 1), 3) AS mark_pct,
       w.gn AS gc_stw_count, w.gns AS gc_stw_ns, w.gmax AS gc_stw_max_ns,
       w.ns AS stw_ns, w.mx AS stw_max_ns,
       a.ns AS assist_ns,
       h.peak AS peak_heap_bytes,
       (SELECT mmu FROM u) AS mmu_10ms
FROM t, c, w, a, h;
