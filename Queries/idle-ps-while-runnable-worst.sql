-- name: idle-ps-while-runnable-worst
-- title: Worst episodes of idle Ps while goroutines are runnable
-- description: The longest stretches during which at least one P was idle while at least one goroutine
--   was runnable (definitions as in idle-ps-while-runnable), longest first: when, how long, the most
--   idle Ps and the most runnable goroutines during the episode, the runnable goroutine-time inside
--   it, and the start functions of goroutines that were runnable in it (up to 5, most waiting first).
--   Look at these moments in the trace viewer. The loader keeps the 1,000 longest episodes (top = -1: all
--   of those).
-- param: trace_id = latest — the trace to analyse
-- param: top = 10 — episodes to return
-- key: rank
-- metric: duration_ns ns lower — episode length
-- metric: max_idle_procs count none — most Ps idle at once during the episode
-- metric: max_runnable count none — most goroutines runnable at once during the episode
-- metric: waiting_goroutine_ns ns lower — runnable goroutine-time inside the episode
-- compare: no
WITH p AS (SELECT coalesce(:trace_id, (SELECT max(trace_id) FROM traces)) AS tid),
top AS (SELECT coalesce(:top, 10) AS n)
SELECT e.rank, e.start_ns, e.end_ns, e.end_ns - e.start_ns AS duration_ns,
       e.max_idle_procs, e.max_runnable, e.waiting_goroutine_ns, e.runnable_functions
FROM idle_p_episodes_longest e JOIN p ON e.trace_id = p.tid
WHERE (SELECT n FROM top) < 0 OR e.rank <= (SELECT n FROM top)
ORDER BY e.rank;
