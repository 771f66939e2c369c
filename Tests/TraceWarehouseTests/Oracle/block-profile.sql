-- name: block-profile
-- title: Synchronization blocking profile (go tool trace -pprof=sync)
-- description: Go's synchronization-blocking profile: time goroutines spent Waiting
--   with a reason containing 'chan', 'sync' or 'select' (chan send, chan receive, select, sync —
--   mutexes, WaitGroups —, sync.(*Cond).Wait, synctest), by the stack that blocked. Large rows are
--   contention or waiting on other goroutines.
--   Computed with the exact rules of cmd/trace (pprof.go): each interval runs from the goroutine's
--   transition into the state until its next transition to a different state, overlapped with the
--   goroutine's [first run, end or trace end]; intervals still open at the trace end and intervals
--   with zero overlap are dropped. The stack is that of the event that moved the goroutine into the
--   state, as leaf→root function names joined with ';' ('' = no stack) — Go merges by PC list, this
--   query by function list, so `stacks` tells how many of Go's records (first 128 PCs) a row merges. Sums over all
--   rows equal tracegolden profile_totals.tsv (profile block: total_count, total_ns).
-- param: trace_id = latest — the trace to analyse
-- param: top = all — rows to return (largest total first)
-- key: stack
-- metric: count count none — intervals counted
-- metric: total_ns ns lower — overlapping time
-- metric: stacks count none — Go's records (distinct first-128-PC lists) merged into the row
WITH p AS (SELECT coalesce(:trace_id, (SELECT max(trace_id) FROM traces)) AS tid),
t AS (SELECT t.duration_ns AS trace_end FROM traces t JOIN p ON t.trace_id = p.tid),
sk AS (  -- per stack of this trace: leaf→root functions and Go's record identity (first 128 PCs, zero-padded)
  SELECT stack_id AS sid, group_concat(name, ';') AS funcs,
         coalesce(group_concat(CASE WHEN depth < 128 AND depth <= lastnz THEN pc END, ','), '') AS pcs
  FROM (SELECT sf.stack_id, sf.depth, fr.pc, fn.name,
               max(CASE WHEN fr.pc <> 0 THEN sf.depth END) OVER (PARTITION BY sf.stack_id) AS lastnz
        FROM stack_frames sf
        JOIN frames fr ON fr.trace_id = sf.trace_id AND fr.frame_id = sf.frame_id
        JOIN funcs fn ON fn.trace_id = fr.trace_id AND fn.func_id = fr.func_id
        WHERE sf.trace_id = (SELECT tid FROM p)
        ORDER BY sf.stack_id, sf.depth)
  GROUP BY stack_id
  UNION ALL SELECT 0, '', ''  -- no stack
),
iv AS (
  SELECT coalesce(s.stack_id, 0) AS sid,
         min(s.end_ns, coalesce(g.end_ns, t.trace_end)) - max(s.event_ns, coalesce(g.start_ns, s.event_ns)) AS o
  FROM goroutine_states s JOIN p ON s.trace_id = p.tid CROSS JOIN t
  JOIN goroutines g ON g.trace_id = s.trace_id AND g.goid = s.goid
  LEFT JOIN strings r ON r.trace_id = s.trace_id AND r.string_id = s.reason_id
  WHERE s.state = 4 AND s.open_at_end = 0
    AND (instr(r.value, 'chan') > 0 OR instr(r.value, 'sync') > 0 OR instr(r.value, 'select') > 0)
),
u AS (  -- stack rows and interval rows in one stream: the window carries each stack's text to its intervals
  SELECT sid, funcs, pcs, NULL AS o FROM sk
  UNION ALL SELECT sid, NULL, NULL, o FROM iv WHERE o > 0
),
w AS (SELECT coalesce(max(funcs) OVER (PARTITION BY sid), '') AS stack,
              coalesce(max(pcs) OVER (PARTITION BY sid), '') AS pcs, o FROM u)
SELECT stack, count(*) AS count, sum(o) AS total_ns, count(DISTINCT pcs) AS stacks
FROM w
WHERE o IS NOT NULL
GROUP BY stack
ORDER BY total_ns DESC, count DESC, stack
LIMIT coalesce(:top, -1);
