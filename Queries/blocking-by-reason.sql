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
-- The Waiting rows of goroutine_states, counted by length at ingest (wait_lengths: the intervals still
-- open at the trace end are counted up to it), one row per (reason, length). Reason ids stand for their
-- text one to one, so the text is joined to the result rows only.
h AS (
  SELECT w.reason_id AS rid, w.length_ns AS d, sum(w.count) AS c, sum(w.open_count) AS o
  FROM p JOIN wait_lengths w ON w.trace_id = p.tid AND w.state = 4
  GROUP BY w.reason_id, w.length_ns
),
-- Nearest-rank percentiles off the running count: rank r falls on the length whose rows span it.
r AS (
  SELECT rid, d, c, o,
         sum(c) OVER (PARTITION BY rid ORDER BY d ROWS UNBOUNDED PRECEDING) AS cum,
         sum(c) OVER (PARTITION BY rid ORDER BY d ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) AS n
  FROM h
),
g AS (
  SELECT coalesce((SELECT s.value FROM strings s WHERE s.trace_id = (SELECT tid FROM p) AND s.string_id = r.rid), '') AS reason,
         sum(c) AS count, sum(o) AS open_count,
         max(CASE WHEN cum - c < (n * 50 + 99) / 100 AND (n * 50 + 99) / 100 <= cum THEN d END) AS p50_ns,
         max(CASE WHEN cum - c < (n * 90 + 99) / 100 AND (n * 90 + 99) / 100 <= cum THEN d END) AS p90_ns,
         max(CASE WHEN cum - c < (n * 99 + 99) / 100 AND (n * 99 + 99) / 100 <= cum THEN d END) AS p99_ns,
         max(d) AS max_ns, sum(c * d) AS total_ns
  FROM r
  GROUP BY rid
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
       count, open_count, p50_ns, p90_ns, p99_ns, max_ns, total_ns
FROM g
ORDER BY total_ns DESC, reason;
