-- name: critical-path-region
-- title: Critical path of a region (chain of wake-ups)
-- description: Why did this region take so long? The chain of goroutines that woke each other up to
--   the region's end, within the region (default: the slowest complete region; :region picks the
--   slowest region of a type).
--   Walking backwards from the end: the goroutine that ended it was last woken at some time w (its
--   last Waiting interval before the end ended at w) by another goroutine (the unblock edge:
--   goroutine_states.unblock_goid); that goroutine was itself last woken before w by a third, and so
--   on — a recursive CTE over the unblock edges. A goroutine that never waited since its creation
--   continues with its creator at the creation time. The walk stops at the start, at a wake-up by the
--   runtime (a timer, the netpoller: `began` says 'woken from REASON by the runtime'), or after
--   :max_links links. Each row is one link, in time order (link 1 is the earliest): the goroutine
--   (start function and goid), the span [from_ns, to_ns] it held the path, split into running,
--   runnable (waiting for a P) and syscall time (the rest is other waits), how it began (woken from
--   which wait, created) with the wait's length and the waker's stack. The links tile the time from
--   the first link's start to the end; time before the first link is not explained by wake-ups.
-- param: trace_id = latest — the trace to analyse
-- param: region = all — type of the region (its slowest instance is used)
-- param: max_links = 1000 — stop after this many links
-- key: link
-- metric: link_ns ns lower — time of this link on the path
-- metric: running_ns ns none — of which the goroutine was running
-- metric: runnable_ns ns lower — of which it waited for a P
-- metric: syscall_ns ns none — of which it was in syscalls
-- compare: no
WITH RECURSIVE p AS (SELECT coalesce(:trace_id, (SELECT max(trace_id) FROM traces)) AS tid),
target AS (
  SELECT r.goid, r.end_ns, r.start_ns
  FROM regions r JOIN p ON r.trace_id = p.tid
  WHERE r.complete = 1 AND r.synthetic = 0 AND (:region IS NULL OR r.name = :region)
  ORDER BY r.duration_ns DESC, r.goid, r.idx LIMIT 1
),
chain(step, goid, to_ns) AS (
  SELECT 0, goid, end_ns FROM target WHERE goid IS NOT NULL
  UNION ALL
  -- woken: follow the edge to the goroutine that unblocked the last wait before to_ns
  SELECT c.step + 1, w.unblock_goid, w.end_ns
  FROM chain c JOIN goroutine_states w ON w.trace_id = (SELECT tid FROM p) AND w.goid = c.goid
   AND w.start_seq = (SELECT x.start_seq FROM goroutine_states x
                      WHERE x.trace_id = (SELECT tid FROM p) AND x.goid = c.goid AND x.state = 4 AND x.end_ns <= c.to_ns
                      ORDER BY x.end_ns DESC LIMIT 1)
  WHERE w.unblock_goid IS NOT NULL AND w.end_ns > (SELECT start_ns FROM target) AND w.end_ns < c.to_ns
    AND c.step < coalesce(:max_links, 1000)
  UNION ALL
  -- never waited since creation: follow the edge to the creator
  SELECT c.step + 1, g.creator_goid, g.creation_ns
  FROM chain c JOIN goroutines g ON g.trace_id = (SELECT tid FROM p) AND g.goid = c.goid
  WHERE g.creator_goid IS NOT NULL AND g.creation_ns > (SELECT start_ns FROM target) AND g.creation_ns < c.to_ns
    AND NOT EXISTS (SELECT 1 FROM goroutine_states x WHERE x.trace_id = (SELECT tid FROM p) AND x.goid = c.goid
                    AND x.state = 4 AND x.end_ns <= c.to_ns)
    AND c.step < coalesce(:max_links, 1000)
),
lk AS (
  SELECT c.step, c.goid, c.to_ns,
         (SELECT x.start_seq FROM goroutine_states x
          WHERE x.trace_id = (SELECT tid FROM p) AND x.goid = c.goid AND x.state = 4 AND x.end_ns <= c.to_ns
          ORDER BY x.end_ns DESC LIMIT 1) AS wseq
  FROM chain c
),
lk2 AS (
  SELECT lk.step, lk.goid, lk.to_ns, w.start_ns AS wait_start, w.end_ns AS wait_end, w.reason_id, w.unblock_goid,
         w.unblock_stack_id, g.name, g.creation_ns, g.creator_goid,
         max(coalesce(w.end_ns, g.creation_ns, 0), (SELECT start_ns FROM target)) AS from_ns
  FROM lk JOIN goroutines g ON g.trace_id = (SELECT tid FROM p) AND g.goid = lk.goid
  LEFT JOIN goroutine_states w ON w.trace_id = (SELECT tid FROM p) AND w.goid = lk.goid AND w.start_seq = lk.wseq
),
sk AS (  -- per stack of this trace: leaf→root function names joined with ';'
  SELECT st.stack_id AS sid, st.funcs FROM stacks st WHERE st.trace_id = (SELECT tid FROM p)
  UNION ALL SELECT 0, ''  -- no stack
),
n AS (SELECT max(step) AS m FROM chain)
SELECT (SELECT m FROM n) - l.step + 1 AS link,
       l.name AS function, l.goid, l.from_ns, l.to_ns, l.to_ns - l.from_ns AS link_ns,
       (SELECT coalesce(sum(min(s.end_ns, l.to_ns) - max(s.start_ns, l.from_ns)), 0) FROM goroutine_states s
        WHERE s.trace_id = (SELECT tid FROM p) AND s.goid = l.goid AND s.state = 3
          AND s.start_ns < l.to_ns AND s.end_ns > l.from_ns) AS running_ns,
       (SELECT coalesce(sum(min(s.end_ns, l.to_ns) - max(s.start_ns, l.from_ns)), 0) FROM goroutine_states s
        WHERE s.trace_id = (SELECT tid FROM p) AND s.goid = l.goid AND s.state = 2
          AND s.start_ns < l.to_ns AND s.end_ns > l.from_ns) AS runnable_ns,
       (SELECT coalesce(sum(min(s.end_ns, l.to_ns) - max(s.start_ns, l.from_ns)), 0) FROM goroutine_states s
        WHERE s.trace_id = (SELECT tid FROM p) AND s.goid = l.goid AND s.state = 5
          AND s.start_ns < l.to_ns AND s.end_ns > l.from_ns) AS syscall_ns,
       CASE WHEN l.wait_end IS NOT NULL AND l.wait_end > (SELECT start_ns FROM target)
              THEN 'woken from ' || coalesce((SELECT value FROM strings WHERE trace_id = (SELECT tid FROM p) AND string_id = l.reason_id), '')
                   || CASE WHEN l.unblock_goid IS NULL THEN ' by the runtime' ELSE '' END
            WHEN l.wait_end IS NULL AND l.creation_ns > (SELECT start_ns FROM target)
              THEN CASE WHEN l.creator_goid IS NULL THEN 'created by the runtime' ELSE 'created' END
            ELSE 'running since the start' END AS began,
       CASE WHEN l.wait_end IS NOT NULL AND l.wait_end > (SELECT start_ns FROM target) THEN l.wait_end - l.wait_start END AS waited_ns,
       coalesce(CASE WHEN l.wait_end IS NOT NULL AND l.wait_end > (SELECT start_ns FROM target)
                     THEN (SELECT funcs FROM sk WHERE sk.sid = l.unblock_stack_id) END, '') AS waker_stack
FROM lk2 l
ORDER BY link;
