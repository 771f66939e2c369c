-- name: sched-latency-with-start
-- title: Scheduling latency including creation → first run
-- description: Like sched-latency, but every completed Runnable interval counts, including the wait
--   between a goroutine's creation and its first run (and, for goroutines that existed before the
--   trace, from the Sync where the trace first saw them Runnable). This is the latency a burst of new
--   goroutines experiences (goroutine explosion: creation outruns the Ps). Waits still open at the
--   trace end are not counted; together with them, total_ns equals the sum of Go's per-goroutine
--   SchedWaitTime (tracegolden goroutines.tsv sched_wait_time). `first_run_*` columns are the part
--   of the figures that comes from first-run waits. Percentiles are nearest-rank (see sched-latency).
-- param: trace_id = latest — the trace to analyse
-- metric: count count none — number of waits
-- metric: p50_ns ns lower — median wait
-- metric: p90_ns ns lower — 90th percentile wait
-- metric: p99_ns ns lower — 99th percentile wait
-- metric: p999_ns ns lower — 99.9th percentile wait
-- metric: max_ns ns lower — longest wait
-- metric: total_ns ns lower — sum of all waits
-- metric: first_run_count count none — waits that were a goroutine's first wait to run
-- metric: first_run_total_ns ns lower — time of those first-run waits
-- metric: first_run_max_ns ns lower — longest first-run wait
WITH p AS (SELECT coalesce(:trace_id, (SELECT max(trace_id) FROM traces)) AS tid),
w AS (
  SELECT s.end_ns - s.start_ns AS d, s.first_run AS f
  FROM goroutine_intervals s JOIN p ON s.trace_id = p.tid
  WHERE s.state = 2 AND s.open_at_end = 0
),
r AS (SELECT d, f, row_number() OVER (ORDER BY d) AS rn, count(*) OVER () AS n FROM w)
SELECT count(*) AS count,
       max(CASE WHEN rn = (n * 50 + 99) / 100 THEN d END) AS p50_ns,
       max(CASE WHEN rn = (n * 90 + 99) / 100 THEN d END) AS p90_ns,
       max(CASE WHEN rn = (n * 99 + 99) / 100 THEN d END) AS p99_ns,
       max(CASE WHEN rn = (n * 999 + 999) / 1000 THEN d END) AS p999_ns,
       max(d) AS max_ns,
       coalesce(sum(d), 0) AS total_ns,
       coalesce(sum(f), 0) AS first_run_count,
       coalesce(sum(CASE WHEN f = 1 THEN d END), 0) AS first_run_total_ns,
       max(CASE WHEN f = 1 THEN d END) AS first_run_max_ns
FROM r;
