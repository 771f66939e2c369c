-- name: context-switching
-- title: Context switching: running-slice lengths and switch rate
-- description: How finely the program's execution is chopped up. A slice is one Running interval of a
--   goroutine (from being scheduled on a P to its next state change), excluding slices still running
--   at the trace end. `switches` counts slices that gave up the P — blocked, preempted, yielded
--   (runtime.Gosched) or exited — i.e. slices not ending in a syscall; switches_per_s is that per
--   second of trace. Percentiles of slice length are nearest-rank. short_slices are slices shorter
--   than :short_ns (default 10 µs): a high short_pct with a high switch rate means goroutines do
--   very little work per wake-up (ping-pong over channels, lock convoys, too fine-grained work
--   items), so scheduler overhead dominates; batching work usually helps.
-- param: trace_id = latest — the trace to analyse
-- param: short_ns = 10000 — slices shorter than this count as short
-- metric: slices count none — running slices
-- metric: switches count lower — slices that gave up the P
-- metric: switches_per_s per_s lower — switches per second of trace
-- metric: p50_ns ns higher — median slice length
-- metric: p90_ns ns none — 90th percentile slice length
-- metric: p99_ns ns none — 99th percentile slice length
-- metric: avg_ns ns none — mean slice length (truncated)
-- metric: short_slices count lower — slices shorter than :short_ns
-- metric: short_pct percent lower — share of slices that are short
-- metric: ended_blocked count none — slices ended by blocking
-- metric: ended_preempted count none — slices ended by preemption
-- metric: ended_yield count none — slices ended by runtime.Gosched
-- metric: ended_syscall count none — slices ended by entering a syscall
-- metric: ended_exit count none — slices ended by the goroutine exiting
WITH p AS (SELECT coalesce(:trace_id, (SELECT max(trace_id) FROM traces)) AS tid),
t AS (SELECT max(t.duration_ns, 1) AS dur FROM traces t JOIN p ON t.trace_id = p.tid),
s AS (
  SELECT s.state, s.open_at_end, s.end_ns - s.start_ns AS d,
         lead(s.state) OVER w AS nstate, lead(s.reason_id) OVER w AS nreason
  FROM goroutine_states s JOIN p ON s.trace_id = p.tid
  WINDOW w AS (PARTITION BY s.goid ORDER BY s.start_seq)
),
x AS (
  SELECT s.d,
         CASE WHEN s.nstate IS NULL THEN 'exit' WHEN s.nstate = 4 THEN 'blocked' WHEN s.nstate = 5 THEN 'syscall'
              WHEN r.value = 'preempted' THEN 'preempted' WHEN r.value = 'runtime.Gosched' THEN 'yield'
              ELSE 'other' END AS how
  FROM s LEFT JOIN strings r ON r.trace_id = (SELECT tid FROM p) AND r.string_id = s.nreason
  WHERE s.state = 3 AND s.open_at_end = 0
),
r AS (SELECT d, how, row_number() OVER (ORDER BY d) AS rn, count(*) OVER () AS n FROM x)
SELECT count(*) AS slices,
       coalesce(sum(how <> 'syscall'), 0) AS switches,
       round(coalesce(sum(how <> 'syscall'), 0) * 1e9 / (SELECT dur FROM t), 3) AS switches_per_s,
       max(CASE WHEN rn = (n * 50 + 99) / 100 THEN d END) AS p50_ns,
       max(CASE WHEN rn = (n * 90 + 99) / 100 THEN d END) AS p90_ns,
       max(CASE WHEN rn = (n * 99 + 99) / 100 THEN d END) AS p99_ns,
       coalesce(sum(d) / count(*), 0) AS avg_ns,
       coalesce(sum(d < coalesce(:short_ns, 10000)), 0) AS short_slices,
       round(100.0 * coalesce(sum(d < coalesce(:short_ns, 10000)), 0) / max(count(*), 1), 3) AS short_pct,
       coalesce(sum(how = 'blocked'), 0) AS ended_blocked,
       coalesce(sum(how = 'preempted'), 0) AS ended_preempted,
       coalesce(sum(how = 'yield'), 0) AS ended_yield,
       coalesce(sum(how = 'syscall'), 0) AS ended_syscall,
       coalesce(sum(how = 'exit'), 0) AS ended_exit
FROM r;
