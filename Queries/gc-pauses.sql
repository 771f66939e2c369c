-- name: gc-pauses
-- title: Stop-the-world pauses by reason
-- description: Stop-the-world pauses ('stop-the-world (REASON)' ranges; tracegolden stw.tsv) grouped by
--   reason: 'GC sweep termination' and 'GC mark termination' (is_gc = 1, the ones Go's MMU counts),
--   and non-GC ones such as 'start trace', 'GOMAXPROCS', 'read mem stats'. While the world is stopped
--   no goroutine runs, so every pause adds directly to the latency of whatever was running or
--   runnable. Pauses whose start is not in the trace count in `count` but not in the durations.
--   Percentiles are nearest-rank.
-- param: trace_id = latest — the trace to analyse
-- key: reason
-- metric: count count none — number of pauses
-- metric: total_ns ns lower — summed pause time
-- metric: p50_ns ns lower — median pause
-- metric: p99_ns ns lower — 99th percentile pause
-- metric: max_ns ns lower — longest pause
WITH p AS (SELECT coalesce(:trace_id, (SELECT max(trace_id) FROM traces)) AS tid),
w AS (
  SELECT w.reason, w.is_gc, w.end_ns - w.start_ns AS d
  FROM stw_pauses w JOIN p ON w.trace_id = p.tid
),
r AS (
  SELECT reason, is_gc, d,
         row_number() OVER (PARTITION BY reason ORDER BY d IS NULL, d) AS rn,
         count(d) OVER (PARTITION BY reason) AS n
  FROM w
)
SELECT reason, max(is_gc) AS is_gc, count(*) AS count, coalesce(sum(d), 0) AS total_ns,
       max(CASE WHEN rn = (n * 50 + 99) / 100 THEN d END) AS p50_ns,
       max(CASE WHEN rn = (n * 99 + 99) / 100 THEN d END) AS p99_ns,
       max(d) AS max_ns
FROM r
GROUP BY reason
ORDER BY total_ns DESC, reason;
