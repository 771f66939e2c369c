-- name: sched-profile
-- title: Scheduler latency profile (go tool trace -pprof=sched)
-- description: Go's scheduler-latency profile, computed with the exact rules of cmd/trace
--   (pprof.go): each interval from a goroutine's transition into Runnable until its next transition to
--   a different state, overlapped with the goroutine's [first run, end or trace end]; intervals still
--   open at the trace end and intervals with zero overlap are dropped. Creation → first-run waits
--   therefore never count. Grouped by the stack of the event that made the goroutine runnable (the
--   waker's stack for a wake-up; '' = the scheduler, a timer or the netpoller), as leaf→root
--   function names joined with ';' — Go merges by PC list, this query by function list, so `stacks`
--   tells how many of Go's records a row merges. Sums over all rows equal tracegolden
--   profile_totals.tsv (profile sched: total_count, total_ns).
-- param: trace_id = latest — the trace to analyse
-- param: top = all — rows to return (largest total first)
-- key: stack
-- metric: count count none — intervals counted
-- metric: total_ns ns lower — overlapping time
-- metric: stacks count none — Go's records (distinct first-128-PC lists) merged into the row
WITH p AS (SELECT coalesce(:trace_id, (SELECT max(trace_id) FROM traces)) AS tid),
-- Per stack_id of the event that opened the interval, the count and total overlap, summed at ingest
-- (profile_stacks; the pure-SQL definition from the intervals is the test oracle).
ps AS (
  SELECT ps.stack_id AS sid, ps.count AS n, ps.total_ns AS o
  FROM p JOIN profile_stacks ps ON ps.trace_id = p.tid AND ps.profile = 'sched'
),
-- Go's record identity of each such stack (first 128 PCs, zero-padded), as the profile's `stacks` counts them.
sk AS (
  SELECT ps.sid, ps.n, ps.o, coalesce(st.funcs, '') AS stack,
         coalesce((SELECT group_concat(CASE WHEN f.depth < 128 AND f.depth <= f.lastnz THEN f.pc END, ',')
                   FROM (SELECT sf.depth, fr.pc,
                                max(CASE WHEN fr.pc <> 0 THEN sf.depth END) OVER () AS lastnz
                         FROM stack_frames sf
                         JOIN frames fr ON fr.trace_id = sf.trace_id AND fr.frame_id = sf.frame_id
                         WHERE sf.trace_id = (SELECT tid FROM p) AND sf.stack_id = ps.sid
                         ORDER BY sf.depth) f), '') AS pcs
  FROM ps LEFT JOIN stacks st ON st.trace_id = (SELECT tid FROM p) AND st.stack_id = ps.sid
)
SELECT stack, sum(n) AS count, sum(o) AS total_ns, count(DISTINCT pcs) AS stacks
FROM sk
GROUP BY stack
ORDER BY total_ns DESC, count DESC, stack
LIMIT coalesce(:top, -1);
