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
w AS (
  SELECT coalesce(u.name, '') AS waker, g.name AS woken, coalesce(r.value, '') AS reason,
         s.end_ns - s.start_ns AS d
  FROM goroutine_states s JOIN p ON s.trace_id = p.tid
  JOIN goroutines g ON g.trace_id = s.trace_id AND g.goid = s.goid
  LEFT JOIN goroutines u ON u.trace_id = s.trace_id AND u.goid = s.unblock_goid
  LEFT JOIN strings r ON r.trace_id = s.trace_id AND r.string_id = s.reason_id
  WHERE s.state = 4 AND s.open_at_end = 0
),
x AS (SELECT *, row_number() OVER (PARTITION BY waker, woken, reason ORDER BY d) AS rn,
             count(*) OVER (PARTITION BY waker, woken, reason) AS n FROM w)
SELECT waker, woken, reason, count(*) AS wakeups,
       max(CASE WHEN rn = (n * 50 + 99) / 100 THEN d END) AS p50_wait_ns,
       max(d) AS max_wait_ns, sum(d) AS total_wait_ns
FROM x
GROUP BY waker, woken, reason
ORDER BY wakeups DESC, total_wait_ns DESC, waker, woken, reason
LIMIT coalesce(:top, -1);
