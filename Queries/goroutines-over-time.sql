-- name: goroutines-over-time
-- title: Goroutine count over time by state
-- description: The trace cut into buckets (default: the smallest of 1, 2, 5 × 10^k ns giving at most 100
--   buckets). For each bucket: goroutines created and ended in it (an event exactly on a boundary belongs to the
--   later bucket), goroutines alive at its end (created so far minus ended so far), and
--   the time-averaged number of goroutines running, runnable, waiting (blocked) and in syscalls. A
--   goroutine explosion shows as alive_at_end climbing with created ≫ ended; "many goroutines, few
--   running" as waiting or runnable far above running. A goroutine ends at its exit or when it
--   blocks forever (select {}); goroutines that existed before the trace count from the Sync before
--   they were first seen. See goroutine-peak for one-row figures.
-- param: trace_id = latest — the trace to analyse
-- param: bucket_ns = auto — bucket length in ns
-- key: bucket_start_ns
-- metric: created count none — goroutines created in the bucket
-- metric: ended count none — goroutines that ended in the bucket
-- metric: alive_at_end count none — goroutines alive at the bucket's end
-- metric: running count none — average goroutines running
-- metric: runnable count lower — average goroutines runnable
-- metric: waiting count none — average goroutines blocked
-- metric: syscall count none — average goroutines in syscalls
-- compare: no
WITH RECURSIVE p AS (SELECT coalesce(:trace_id, (SELECT max(trace_id) FROM traces)) AS tid),
t AS (SELECT max(t.duration_ns, 1) AS dur FROM traces t JOIN p ON t.trace_id = p.tid),
nice(v) AS (SELECT 1 UNION ALL SELECT CASE WHEN substr(CAST(v AS TEXT), 1, 1) = '2' THEN v * 5 / 2 ELSE v * 2 END
            FROM nice WHERE v < 1000000000000000),
bs AS (SELECT coalesce(:bucket_ns, (SELECT min(v) FROM nice, t WHERE v * 100 >= t.dur)) AS w),
-- timeline_buckets holds each bucket's time, summed at ingest over buckets of width_ns: when the bucket
-- length is a multiple of it (always, for the default), the query adds those up (tl); otherwise it cuts the
-- intervals into buckets itself (x), as the pure-SQL definition does
-- (Tests/TraceWarehouseTests/Oracle/goroutines-over-time.sql).
fast AS (SELECT (SELECT w FROM bs) % coalesce((SELECT tb.width_ns FROM timeline_buckets tb JOIN p ON tb.trace_id = p.tid LIMIT 1), 1) = 0 AS yes),
x(state, a, z, b) AS (
  SELECT s.state, s.start_ns, s.end_ns, s.start_ns / (SELECT w FROM bs)
  FROM goroutine_intervals s JOIN p ON s.trace_id = p.tid WHERE NOT (SELECT yes FROM fast) AND s.end_ns > s.start_ns
  UNION ALL
  SELECT state, a, z, b + 1 FROM x WHERE (b + 1) * (SELECT w FROM bs) < z
),
states(state) AS (VALUES (2), (3), (4), (5)),
tl AS (
  SELECT tb.bucket * tb.width_ns / (SELECT w FROM bs) AS b, k.state,
         sum(CASE k.state WHEN 2 THEN tb.runnable_ns WHEN 3 THEN tb.running_ns WHEN 4 THEN tb.waiting_ns
                          ELSE tb.syscall_ns END) AS ns
  FROM timeline_buckets tb JOIN p ON tb.trace_id = p.tid CROSS JOIN states k
  WHERE (SELECT yes FROM fast)
  GROUP BY 1, 2
),
o AS (
  SELECT b, state, sum(min(z, (b + 1) * (SELECT w FROM bs)) - max(a, b * (SELECT w FROM bs))) AS ns
  FROM x GROUP BY b, state
  UNION ALL
  SELECT b, state, ns FROM tl
),
nb AS (SELECT (t.dur + (SELECT w FROM bs) - 1) / (SELECT w FROM bs) AS n FROM t),
ce AS (
  SELECT min(coalesce(g.creation_ns, 0) / (SELECT w FROM bs), (SELECT n FROM nb) - 1) AS b, 1 AS c, 0 AS e
  FROM goroutines g JOIN p ON g.trace_id = p.tid
  UNION ALL
  SELECT min(g.end_ns / (SELECT w FROM bs), (SELECT n FROM nb) - 1), 0, 1
  FROM goroutines g JOIN p ON g.trace_id = p.tid WHERE g.end_ns IS NOT NULL
),
cb AS (SELECT b, sum(c) AS created, sum(e) AS ended FROM ce GROUP BY b),
bk(b) AS (SELECT 0 UNION ALL SELECT b + 1 FROM bk, t WHERE (b + 1) * (SELECT w FROM bs) < t.dur),
agg AS (
  SELECT bk.b, bk.b * (SELECT w FROM bs) AS s,
         min((bk.b + 1) * (SELECT w FROM bs), t.dur) AS e,
         coalesce(sum(CASE WHEN o.state = 3 THEN o.ns END), 0) AS run,
         coalesce(sum(CASE WHEN o.state = 2 THEN o.ns END), 0) AS rnb,
         coalesce(sum(CASE WHEN o.state = 4 THEN o.ns END), 0) AS wai,
         coalesce(sum(CASE WHEN o.state = 5 THEN o.ns END), 0) AS sys
  FROM bk CROSS JOIN t LEFT JOIN o ON o.b = bk.b
  GROUP BY bk.b
)
SELECT agg.s AS bucket_start_ns, agg.e - agg.s AS bucket_ns,
       coalesce(cb.created, 0) AS created,
       coalesce(cb.ended, 0) AS ended,
       sum(coalesce(cb.created, 0) - coalesce(cb.ended, 0)) OVER (ORDER BY agg.b) AS alive_at_end,
       round(1.0 * run / (agg.e - agg.s), 3) AS running,
       round(1.0 * rnb / (agg.e - agg.s), 3) AS runnable,
       round(1.0 * wai / (agg.e - agg.s), 3) AS waiting,
       round(1.0 * sys / (agg.e - agg.s), 3) AS syscall
FROM agg LEFT JOIN cb ON cb.b = agg.b
ORDER BY agg.b;
