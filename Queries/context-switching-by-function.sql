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
-- (Rows are filtered by `trace_id = (SELECT tid FROM p)`, not joined to p: SQLite then reads them in the
-- table's key order, which is the order the window functions want, instead of sorting them.)
t AS (SELECT max(t.duration_ns, 1) AS dur FROM traces t JOIN p ON t.trace_id = p.tid),
h AS (  -- per start function, the exact distribution of its running slices (lengths)
  SELECT l.key AS function, l.length_ns AS d, l.count AS c,
         sum(l.count) OVER (PARTITION BY l.key ORDER BY l.length_ns) AS cum,
         sum(l.count) OVER (PARTITION BY l.key) AS n
  FROM lengths l WHERE l.trace_id = (SELECT tid FROM p) AND l.measure = 'running_by_function'
),
sy AS MATERIALIZED (  -- the slices that ended by entering a syscall (they keep the P: not a switch); computed once, not per function
  SELECT l.key AS function, sum(l.count) AS c
  FROM lengths l WHERE l.trace_id = (SELECT tid FROM p) AND l.measure = 'running_to_syscall_by_function' GROUP BY l.key
),
f AS (
  SELECT h.function, max(n) AS slices, max(n) - coalesce((SELECT c FROM sy WHERE sy.function = h.function), 0) AS switches,
         min(CASE WHEN cum >= (n * 50 + 99) / 100 THEN d END) AS p50_ns,
         min(CASE WHEN cum >= (n * 99 + 99) / 100 THEN d END) AS p99_ns,
         coalesce(sum(CASE WHEN d < coalesce(:short_ns, 10000) THEN c END), 0) AS short_slices,
         sum(d * c) AS running_ns
  FROM h GROUP BY h.function
)
SELECT function, slices, switches,
       round(switches * 1e9 / (SELECT dur FROM t), 3) AS switches_per_s,
       p50_ns, p99_ns, short_slices,
       round(100.0 * short_slices / slices, 3) AS short_pct,
       running_ns
FROM f
ORDER BY switches DESC, function
LIMIT coalesce(:top, -1);
