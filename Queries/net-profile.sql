-- name: net-profile
-- title: Network wait profile (go tool trace -pprof=net)
-- description: Go's network-blocking profile: time goroutines spent Waiting with reason
--   'network' (blocked in the netpoller: socket reads, writes, accepts, dials), by the stack that
--   blocked. Large rows point at I/O the program waits for serially.
--   Computed with the exact rules of cmd/trace (pprof.go): each interval runs from the goroutine's
--   transition into the state until its next transition to a different state, overlapped with the
--   goroutine's [first run, end or trace end]; intervals still open at the trace end and intervals
--   with zero overlap are dropped. The stack is that of the event that moved the goroutine into the
--   state, as leaf→root function names joined with ';' ('' = no stack) — Go merges by PC list, this
--   query by function list, so `stacks` tells how many of Go's records (first 128 PCs) a row merges. Sums over all
--   rows equal tracegolden profile_totals.tsv (profile io: total_count, total_ns).
-- param: trace_id = latest — the trace to analyse
-- param: top = all — rows to return (largest total first)
-- key: stack
-- metric: count count none — intervals counted
-- metric: total_ns ns lower — overlapping time
-- metric: stacks count none — Go's records (distinct first-128-PC lists) merged into the row
WITH p AS (SELECT coalesce(:trace_id, (SELECT max(trace_id) FROM traces)) AS tid),
t AS (SELECT t.duration_ns AS trace_end FROM traces t JOIN p ON t.trace_id = p.tid),
-- The closed Waiting rows of goroutine_states, read off the events that close them (c) and open them
-- (o, at c.seq - c.iv_back) instead of through the view, overlapped with the goroutine's [first run,
-- end or trace end]; summed per stack_id first, so that only the few thousand stacks are named.
iv AS (
  SELECT coalesce(o.stack_id, 0) AS sid,
         min(c.ts_ns, coalesce(g.end_ns, t.trace_end)) - max(o.ts_ns, coalesce(g.start_ns, o.ts_ns)) AS o
  FROM p CROSS JOIN t JOIN events c ON c.trace_id = p.tid
  LEFT JOIN events o ON o.trace_id = c.trace_id AND o.seq = c.seq - c.iv_back
  LEFT JOIN strings r ON r.trace_id = c.trace_id AND r.string_id = o.name_id
  CROSS JOIN goroutines g  -- CROSS: look the goroutine up only for the waits of the profile's reasons
  WHERE c.iv_back IS NOT NULL AND c.from_state = 4 AND g.trace_id = c.trace_id AND g.goid = c.res_id
    AND r.value = 'network'
),
ps AS (SELECT sid, count(*) AS n, sum(o) AS o FROM iv WHERE o > 0 GROUP BY sid),
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
