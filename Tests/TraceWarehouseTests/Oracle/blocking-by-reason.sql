-- name: blocking-by-reason
-- title: Time blocked by reason
-- description: Every Waiting interval of every goroutine, grouped by the runtime's block reason
--   ('chan receive', 'chan send', 'select', 'sync', 'sync.(*Cond).Wait', 'sleep', 'network',
--   'GC mark assist wait for work', 'system goroutine wait', …; '' = already waiting when the trace
--   first saw the goroutine). `category` groups reasons: sync (Go's block profile set: chan, select,
--   sync), network, sleep, gc, system, unknown (''), other. Waits still open at the trace end count up
--   to the trace end (`open_count` of them), and a goroutine first seen waiting counts from the Sync
--   before it, exactly as Go's summary: total_ns per reason equals tracegolden goroutine_totals.tsv
--   (block_time_by_reason). Percentiles are nearest-rank over the waits of each reason (open waits
--   included with their truncated length). Blocking is not bad by itself (idle workers wait on
--   channels); look for reasons whose waits sit on a request's path (see critical-path).
-- param: trace_id = latest — the trace to analyse
-- key: reason
-- metric: count count none — number of waits
-- metric: open_count count none — waits still open at the trace end
-- metric: p50_ns ns lower — median wait
-- metric: p90_ns ns lower — 90th percentile wait
-- metric: p99_ns ns lower — 99th percentile wait
-- metric: max_ns ns lower — longest wait
-- metric: total_ns ns lower — sum of waits
WITH p AS (SELECT coalesce(:trace_id, (SELECT max(trace_id) FROM traces)) AS tid),
w AS (
  SELECT coalesce(r.value, '') AS reason, s.end_ns - s.start_ns AS d, s.open_at_end AS o
  FROM goroutine_states s JOIN p ON s.trace_id = p.tid
  LEFT JOIN strings r ON r.trace_id = s.trace_id AND r.string_id = s.reason_id
  WHERE s.state = 4
),
r AS (
  SELECT reason, d, o, row_number() OVER (PARTITION BY reason ORDER BY d) AS rn,
         count(*) OVER (PARTITION BY reason) AS n
  FROM w
)
SELECT reason,
       CASE
         WHEN reason = 'network' THEN 'network'
         WHEN instr(reason, 'chan') > 0 OR instr(reason, 'sync') > 0 OR instr(reason, 'select') > 0 THEN 'sync'
         WHEN reason = 'sleep' THEN 'sleep'
         WHEN instr(reason, 'GC') > 0 THEN 'gc'
         WHEN reason = 'system goroutine wait' THEN 'system'
         WHEN reason = '' THEN 'unknown'
         ELSE 'other'
       END AS category,
       count(*) AS count,
       sum(o) AS open_count,
       max(CASE WHEN rn = (n * 50 + 99) / 100 THEN d END) AS p50_ns,
       max(CASE WHEN rn = (n * 90 + 99) / 100 THEN d END) AS p90_ns,
       max(CASE WHEN rn = (n * 99 + 99) / 100 THEN d END) AS p99_ns,
       max(d) AS max_ns,
       sum(d) AS total_ns
FROM r
GROUP BY reason
ORDER BY total_ns DESC, reason;
