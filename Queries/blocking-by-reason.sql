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
-- The Waiting rows of goroutine_states, read off their tables directly (the view's UNION ALL would be
-- evaluated for every event of every trace): closed intervals from the events that close them, the
-- ones open at the trace end from goroutine_open_intervals; the reason is that of the event at start_seq.
s AS (
  SELECT o.name_id AS rid, c.iv_dur_ns AS d, 0 AS o
  FROM p JOIN events c ON c.trace_id = p.tid
  LEFT JOIN events o ON o.trace_id = c.trace_id AND o.seq = c.seq - c.iv_back
  WHERE c.iv_back IS NOT NULL AND c.from_state = 4
  UNION ALL
  SELECT o.name_id, t.duration_ns - x.start_ns, 1
  FROM p JOIN goroutine_open_intervals x ON x.trace_id = p.tid
  JOIN traces t ON t.trace_id = x.trace_id
  LEFT JOIN events o ON o.trace_id = x.trace_id AND o.seq = x.start_seq
  WHERE x.state = 4
),
-- One row per (reason, length).
h AS (
  SELECT coalesce(r.value, '') AS reason, s.d, count(*) AS c, sum(s.o) AS o
  FROM s LEFT JOIN strings r ON r.trace_id = (SELECT tid FROM p) AND r.string_id = s.rid
  GROUP BY 1, 2
),
-- Nearest-rank percentiles off the running count: rank r falls on the length whose rows span it.
r AS (
  SELECT reason, d, c, o,
         sum(c) OVER (PARTITION BY reason ORDER BY d ROWS UNBOUNDED PRECEDING) AS cum,
         sum(c) OVER (PARTITION BY reason ORDER BY d ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) AS n
  FROM h
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
       sum(c) AS count,
       sum(o) AS open_count,
       max(CASE WHEN cum - c < (n * 50 + 99) / 100 AND (n * 50 + 99) / 100 <= cum THEN d END) AS p50_ns,
       max(CASE WHEN cum - c < (n * 90 + 99) / 100 AND (n * 90 + 99) / 100 <= cum THEN d END) AS p90_ns,
       max(CASE WHEN cum - c < (n * 99 + 99) / 100 AND (n * 99 + 99) / 100 <= cum THEN d END) AS p99_ns,
       max(d) AS max_ns,
       sum(c * d) AS total_ns
FROM r
GROUP BY reason
ORDER BY total_ns DESC, reason;
