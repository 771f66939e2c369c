-- name: context-switching-by-function
-- title: Context switching per goroutine start function
-- description: The running slices of context-switching grouped by the goroutine's start function:
--   slices, switches (slices that gave up the P: blocked, preempted, yielded, exited — not ending in a
--   syscall), switches per second of trace, nearest-rank median and p99 slice length, short slices
--   (< :short_ns, default 10 µs) and their share, and total running time. The top rows are the
--   goroutines that ping-pong: many switches, tiny slices.
-- param: trace_id = latest — the trace to analyse
-- param: short_ns = 10000 — slices shorter than this count as short
-- param: top = all — rows to return
-- key: function
-- metric: slices count none — running slices
-- metric: switches count lower — slices that gave up the P
-- metric: switches_per_s per_s lower — switches per second of trace
-- metric: p50_ns ns higher — median slice length
-- metric: p99_ns ns none — 99th percentile slice length
-- metric: short_slices count lower — slices shorter than :short_ns
-- metric: short_pct percent lower — share of slices that are short
-- metric: running_ns ns none — total running time
WITH p AS (SELECT coalesce(:trace_id, (SELECT max(trace_id) FROM traces)) AS tid),
t AS (SELECT max(t.duration_ns, 1) AS dur FROM traces t JOIN p ON t.trace_id = p.tid),
s AS (
  SELECT s.goid, s.state, s.open_at_end, s.end_ns - s.start_ns AS d,
         lead(s.state) OVER (PARTITION BY s.goid ORDER BY s.start_seq) AS nstate
  FROM goroutine_intervals s JOIN p ON s.trace_id = p.tid
),
x AS (
  SELECT g.name AS function, s.d, coalesce(s.nstate, 0) <> 5 AS sw
  FROM s JOIN goroutines g ON g.trace_id = (SELECT tid FROM p) AND g.goid = s.goid
  WHERE s.state = 3 AND s.open_at_end = 0
),
r AS (
  SELECT function, d, sw, row_number() OVER (PARTITION BY function ORDER BY d) AS rn,
         count(*) OVER (PARTITION BY function) AS n
  FROM x
)
SELECT function,
       count(*) AS slices,
       sum(sw) AS switches,
       round(sum(sw) * 1e9 / (SELECT dur FROM t), 3) AS switches_per_s,
       max(CASE WHEN rn = (n * 50 + 99) / 100 THEN d END) AS p50_ns,
       max(CASE WHEN rn = (n * 99 + 99) / 100 THEN d END) AS p99_ns,
       sum(d < coalesce(:short_ns, 10000)) AS short_slices,
       round(100.0 * sum(d < coalesce(:short_ns, 10000)) / count(*), 3) AS short_pct,
       sum(d) AS running_ns
FROM r
GROUP BY function
ORDER BY switches DESC, function
LIMIT coalesce(:top, -1);
