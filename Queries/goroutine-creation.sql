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
-- One row per (start function, creation stack's function list, lifetime), the stack keyed by
-- stacks.funcs_id (0: no stack, an unknown stack or one without frames, all shown as '').
h AS (
  SELECT g.name AS function, coalesce(CASE WHEN st.funcs <> '' THEN st.funcs_id END, 0) AS k, g.total_ns AS life,
         count(*) AS c, count(g.end_ns) AS ended, sum(g.exec_ns) AS exec_ns
  FROM goroutines g JOIN p ON g.trace_id = p.tid
  LEFT JOIN stacks st ON st.trace_id = p.tid AND st.stack_id = g.creation_stack_id
  GROUP BY 1, 2, 3
),
-- Nearest-rank median off the running count: rank r falls on the lifetime whose rows span it.
r AS (
  SELECT function, k, life, c, ended, exec_ns,
         sum(c) OVER (PARTITION BY function, k ORDER BY life ROWS UNBOUNDED PRECEDING) AS cum,
         sum(c) OVER (PARTITION BY function, k ORDER BY life ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) AS n
  FROM h
),
e AS (
  SELECT function, k, sum(c) AS goroutines, sum(ended) AS ended,
         max(CASE WHEN cum - c < (n * 50 + 99) / 100 AND (n * 50 + 99) / 100 <= cum THEN life END) AS p50_lifetime_ns,
         max(life) AS max_lifetime_ns, sum(exec_ns) AS exec_ns
  FROM r GROUP BY function, k
)
SELECT function,
       coalesce((SELECT st.funcs FROM stacks st WHERE st.trace_id = (SELECT tid FROM p) AND st.stack_id = e.k), '') AS created_at,
       goroutines, ended, goroutines - ended AS alive_at_end, p50_lifetime_ns, max_lifetime_ns, exec_ns
FROM e
ORDER BY goroutines DESC, function, created_at
LIMIT coalesce(:top, -1);
