-- name: idle-ps-while-runnable-worst
-- title: Worst episodes of idle Ps while goroutines are runnable
-- description: The longest stretches during which at least one P was idle while at least one goroutine
--   was runnable (definitions as in idle-ps-while-runnable), longest first: when, how long, the most
--   idle Ps and the most runnable goroutines during the episode, the runnable goroutine-time inside
--   it, and the start functions of goroutines that were runnable in it (up to 5, most waiting first).
--   Look at these moments in the trace viewer.
-- param: trace_id = latest — the trace to analyse
-- param: top = 10 — episodes to return
-- key: rank
-- metric: duration_ns ns lower — episode length
-- metric: max_idle_procs count none — most Ps idle at once during the episode
-- metric: max_runnable count none — most goroutines runnable at once during the episode
-- metric: waiting_goroutine_ns ns lower — runnable goroutine-time inside the episode
-- compare: no
WITH p AS (SELECT coalesce(:trace_id, (SELECT max(trace_id) FROM traces)) AS tid),
pts(ts, di, dr) AS (
  SELECT ps.start_ns, 1, 0 FROM proc_states ps JOIN p ON ps.trace_id = p.tid WHERE ps.state = 3
  UNION ALL SELECT ps.end_ns, -1, 0 FROM proc_states ps JOIN p ON ps.trace_id = p.tid WHERE ps.state = 3
  UNION ALL SELECT s.start_ns, 0, 1 FROM goroutine_intervals s JOIN p ON s.trace_id = p.tid WHERE s.state = 2
  UNION ALL SELECT s.end_ns, 0, -1 FROM goroutine_intervals s JOIN p ON s.trace_id = p.tid WHERE s.state = 2
),
seg AS (
  SELECT ts, lead(ts) OVER (ORDER BY ts) AS nx,
         sum(sum(di)) OVER (ORDER BY ts) AS idle, sum(sum(dr)) OVER (ORDER BY ts) AS rnb
  FROM pts GROUP BY ts
),
flag AS (
  SELECT ts, nx, idle, rnb, (idle > 0 AND rnb > 0) AS bad,
         lag(idle > 0 AND rnb > 0, 1, 0) OVER (ORDER BY ts) AS prev_bad
  FROM seg WHERE nx IS NOT NULL
),
ep AS (
  SELECT ts, nx, idle, rnb, bad, sum(CASE WHEN bad AND NOT prev_bad THEN 1 ELSE 0 END) OVER (ORDER BY ts) AS k
  FROM flag
),
e AS (
  SELECT k, min(ts) AS s, max(nx) AS z, max(idle) AS mi, max(rnb) AS mr, sum(rnb * (nx - ts)) AS gw
  FROM ep WHERE bad GROUP BY k
),
top AS (
  SELECT row_number() OVER (ORDER BY z - s DESC, s) AS rank, s, z, mi, mr, gw FROM e
  ORDER BY rank LIMIT coalesce(:top, 10)
),
who AS (
  SELECT top.rank, g.name, sum(min(st.end_ns, top.z) - max(st.start_ns, top.s)) AS ns
  FROM top JOIN goroutine_intervals st ON st.trace_id = (SELECT tid FROM p) AND st.state = 2
    AND st.start_ns < top.z AND st.end_ns > top.s
  JOIN goroutines g ON g.trace_id = st.trace_id AND g.goid = st.goid
  GROUP BY top.rank, g.name
),
who5 AS (
  SELECT rank, name, ns, row_number() OVER (PARTITION BY rank ORDER BY ns DESC, name) AS i FROM who
)
SELECT top.rank, top.s AS start_ns, top.z AS end_ns, top.z - top.s AS duration_ns,
       top.mi AS max_idle_procs, top.mr AS max_runnable, top.gw AS waiting_goroutine_ns,
       (SELECT group_concat(name, ', ') FROM (SELECT name FROM who5 WHERE who5.rank = top.rank AND i <= 5 ORDER BY i)) AS runnable_functions
FROM top
ORDER BY top.rank;
