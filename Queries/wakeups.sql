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
-- The closed Waiting rows of goroutine_states, read off the events that close them (c: the woken
-- goroutine, its waker when another goroutine made it Runnable) and open them (o: the reason), instead
-- of through the view; one row per (waker, woken, reason, length).
h AS (
  SELECT coalesce(u.name, '') AS waker, g.name AS woken, coalesce(r.value, '') AS reason,
         c.iv_dur_ns AS d, count(*) AS c
  FROM p JOIN events c ON c.trace_id = p.tid
  LEFT JOIN events o ON o.trace_id = c.trace_id AND o.seq = c.seq - c.iv_back
  JOIN goroutines g ON g.trace_id = c.trace_id AND g.goid = c.res_id
  LEFT JOIN goroutines u ON u.trace_id = c.trace_id
       AND u.goid = CASE WHEN c.to_state = 2 AND c.goid <> c.res_id THEN c.goid END
  LEFT JOIN strings r ON r.trace_id = c.trace_id AND r.string_id = o.name_id
  WHERE c.iv_back IS NOT NULL AND c.from_state = 4
  GROUP BY 1, 2, 3, 4
),
-- Nearest-rank median off the running count: rank r falls on the length whose rows span it.
x AS (
  SELECT waker, woken, reason, d, c,
         sum(c) OVER (PARTITION BY waker, woken, reason ORDER BY d ROWS UNBOUNDED PRECEDING) AS cum,
         sum(c) OVER (PARTITION BY waker, woken, reason ORDER BY d ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) AS n
  FROM h
)
SELECT waker, woken, reason, sum(c) AS wakeups,
       max(CASE WHEN cum - c < (n * 50 + 99) / 100 AND (n * 50 + 99) / 100 <= cum THEN d END) AS p50_wait_ns,
       max(d) AS max_wait_ns, sum(c * d) AS total_wait_ns
FROM x
GROUP BY waker, woken, reason
ORDER BY wakeups DESC, total_wait_ns DESC, waker, woken, reason
LIMIT coalesce(:top, -1);
