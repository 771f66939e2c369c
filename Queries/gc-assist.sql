-- name: gc-assist
-- title: GC mark assist per goroutine start function
-- description: Mark assist is GC work the runtime makes an allocating goroutine do when allocation
--   outpaces the background mark workers: it runs on the goroutine's own time and shows up as
--   latency in user code. For each start function: how many of its goroutines assisted, the number of
--   'GC mark assist' ranges, their total and longest length, and assist time as a share of those
--   goroutines' execution time. Computed from the paired ranges (tracegolden ranges.tsv, name
--   'GC mark assist'); a range without a start in the trace counts from the trace start. Reduce it
--   by allocating less or raising GOGC / the memory limit.
-- param: trace_id = latest — the trace to analyse
-- key: function
-- metric: goroutines count none — goroutines of this function that assisted
-- metric: assists count lower — mark-assist ranges
-- metric: assist_ns ns lower — total mark-assist time
-- metric: max_ns ns lower — longest single assist
-- metric: assist_pct_of_exec percent lower — assist time / execution time of those goroutines
WITH p AS (SELECT coalesce(:trace_id, (SELECT max(trace_id) FROM traces)) AS tid),
a AS (
  SELECT r.scope_id AS goid, count(*) AS n, sum(r.end_ns - coalesce(r.start_ns, 0)) AS ns,
         max(r.end_ns - coalesce(r.start_ns, 0)) AS mx
  FROM ranges r JOIN p ON r.trace_id = p.tid
  WHERE r.name = 'GC mark assist' AND r.scope_kind = 1
  GROUP BY r.scope_id
)
SELECT coalesce(g.name, '') AS function, count(*) AS goroutines, sum(a.n) AS assists, sum(a.ns) AS assist_ns,
       max(a.mx) AS max_ns, round(100.0 * sum(a.ns) / max(sum(g.exec_ns), 1), 3) AS assist_pct_of_exec
FROM a JOIN p LEFT JOIN goroutines g ON g.trace_id = p.tid AND g.goid = a.goid
GROUP BY 1
ORDER BY assist_ns DESC, function;
