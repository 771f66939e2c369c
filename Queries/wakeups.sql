-- name: wakeups
-- title: Who wakes whom
-- description: The unblock edges between goroutines, aggregated: for each (waker start function,
--   woken start function, block reason) how many times the waker ended a wait of the woken goroutine,
--   and how long those waits had lasted (nearest-rank p50, max, total). waker '' means the wait was
--   ended by the runtime (timer, netpoller, GC) rather than by a goroutine. Read it as the
--   producer → consumer graph of the program: a hot edge with long waits is a consumer starved by its
--   producer; a hot edge with very short waits is ping-pong (see context-switching). Waits still open
--   at the trace end have no waker and are not counted.
-- param: trace_id = latest — the trace to analyse
-- param: top = all — rows to return
-- key: waker
-- key: woken
-- key: reason
-- metric: wakeups count none — waits ended by the waker
-- metric: p50_wait_ns ns none — median length of those waits
-- metric: max_wait_ns ns none — longest of those waits
-- metric: total_wait_ns ns none — their total length
WITH p AS (SELECT coalesce(:trace_id, (SELECT max(trace_id) FROM traces)) AS tid),
-- (Rows are filtered by `trace_id = (SELECT tid FROM p)`, not joined to p: SQLite then reads them in the
-- table's key order, which is the order the window functions want, instead of sorting them.)
-- The closed Waiting rows of goroutine_states, counted by length at ingest per (waker's start function,
-- woken goroutine's start function, reason) in wakeup_lengths, read in its key order; the nearest-rank
-- median off the running count (rank r falls on the length whose rows span it). Function and reason ids
-- stand for their text one to one, so the names are joined to the few result rows only.
x AS (
  SELECT w.waker_func_id AS a, w.woken_func_id AS b, w.reason_id AS rid, w.length_ns AS d, w.count AS c,
         sum(w.count) OVER (PARTITION BY w.waker_func_id, w.woken_func_id, w.reason_id ORDER BY w.length_ns
                            ROWS UNBOUNDED PRECEDING) AS cum,
         sum(w.count) OVER (PARTITION BY w.waker_func_id, w.woken_func_id, w.reason_id ORDER BY w.length_ns
                            ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) AS n
  FROM wakeup_lengths w WHERE w.trace_id = (SELECT tid FROM p)
),
g AS (
  SELECT a, b, rid, sum(c) AS wakeups,
         max(CASE WHEN cum - c < (n * 50 + 99) / 100 AND (n * 50 + 99) / 100 <= cum THEN d END) AS p50_wait_ns,
         max(d) AS max_wait_ns, sum(c * d) AS total_wait_ns
  FROM x
  GROUP BY a, b, rid
)
SELECT coalesce(u.name, '') AS waker, coalesce(v.name, '') AS woken, coalesce(r.value, '') AS reason,
       wakeups, p50_wait_ns, max_wait_ns, total_wait_ns
FROM g
LEFT JOIN funcs u ON u.trace_id = (SELECT tid FROM p) AND u.func_id = g.a
LEFT JOIN funcs v ON v.trace_id = (SELECT tid FROM p) AND v.func_id = g.b
LEFT JOIN strings r ON r.trace_id = (SELECT tid FROM p) AND r.string_id = g.rid
ORDER BY wakeups DESC, total_wait_ns DESC, waker, woken, reason
LIMIT coalesce(:top, -1);
