-- name: goroutine-creation
-- title: Where goroutines are created
-- description: Goroutines grouped by start function and by the stack that created them (the `go`
--   statement's stack, leaf→root functions joined with ';'; '' for goroutines that existed before the
--   trace or were created by the runtime without a stack). For each creation site: how many
--   goroutines, how many ended and how many are still alive at the trace end, and their lifetime
--   (creation → end or trace end; nearest-rank p50, max) and total execution time. The first rows
--   are where a goroutine explosion or a goroutine leak (alive_at_end growing with the trace) comes
--   from.
-- param: trace_id = latest — the trace to analyse
-- param: top = all — rows to return
-- key: function
-- key: created_at
-- metric: goroutines count none — goroutines created here
-- metric: ended count none — of which ended in the trace
-- metric: alive_at_end count lower — of which still alive at the trace end
-- metric: p50_lifetime_ns ns none — median lifetime
-- metric: max_lifetime_ns ns none — longest lifetime
-- metric: exec_ns ns none — summed execution time
WITH p AS (SELECT coalesce(:trace_id, (SELECT max(trace_id) FROM traces)) AS tid),
sk AS (  -- per stack of this trace: leaf→root function names joined with ';'
  SELECT st.stack_id AS sid, st.funcs FROM stacks st WHERE st.trace_id = (SELECT tid FROM p)
  UNION ALL SELECT 0, ''  -- no stack
),
u AS (  -- stack rows and goroutine rows in one stream: the window carries each stack's text to its goroutines
  SELECT sid, funcs, NULL AS function, NULL AS life, NULL AS end_ns, NULL AS exec_ns, 0 AS isg FROM sk
  UNION ALL
  SELECT coalesce(g.creation_stack_id, 0), NULL, g.name, g.total_ns, g.end_ns, g.exec_ns, 1
  FROM goroutines g JOIN p ON g.trace_id = p.tid
),
g AS (SELECT function, created_at, life, end_ns, exec_ns
      FROM (SELECT coalesce(max(funcs) OVER (PARTITION BY sid), '') AS created_at, u.* FROM u) WHERE isg = 1),
r AS (
  SELECT *, row_number() OVER (PARTITION BY function, created_at ORDER BY life) AS rn,
         count(*) OVER (PARTITION BY function, created_at) AS n
  FROM g
)
SELECT function, created_at, count(*) AS goroutines,
       count(end_ns) AS ended, count(*) - count(end_ns) AS alive_at_end,
       max(CASE WHEN rn = (n * 50 + 99) / 100 THEN life END) AS p50_lifetime_ns,
       max(life) AS max_lifetime_ns,
       sum(exec_ns) AS exec_ns
FROM r
GROUP BY function, created_at
ORDER BY goroutines DESC, function, created_at
LIMIT coalesce(:top, -1);
