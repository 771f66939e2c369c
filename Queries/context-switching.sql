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
r AS (SELECT l.key AS how, l.length_ns, l.count FROM lengths l JOIN p ON l.trace_id = p.tid WHERE l.measure = 'running'),
m AS (SELECT length_ns AS d, sum(count) AS c FROM r GROUP BY length_ns),  -- all slices, however they ended
h AS (SELECT d, c, sum(c) OVER (ORDER BY d) AS cum, sum(c) OVER () AS n FROM m),
e AS (SELECT how, sum(count) AS c FROM r GROUP BY how)
SELECT coalesce(max(n), 0) AS slices,
       (SELECT coalesce(sum(c), 0) FROM e WHERE how <> 'syscall') AS switches,
       round((SELECT coalesce(sum(c), 0) FROM e WHERE how <> 'syscall') * 1e9 / (SELECT dur FROM t), 3) AS switches_per_s,
       min(CASE WHEN cum >= (n * 50 + 99) / 100 THEN d END) AS p50_ns,
       min(CASE WHEN cum >= (n * 90 + 99) / 100 THEN d END) AS p90_ns,
       min(CASE WHEN cum >= (n * 99 + 99) / 100 THEN d END) AS p99_ns,
       coalesce(sum(d * c) / max(n), 0) AS avg_ns,
       coalesce(sum(CASE WHEN d < coalesce(:short_ns, 10000) THEN c END), 0) AS short_slices,
       round(100.0 * coalesce(sum(CASE WHEN d < coalesce(:short_ns, 10000) THEN c END), 0) / max(coalesce(max(n), 0), 1), 3) AS short_pct,
       (SELECT coalesce(sum(c), 0) FROM e WHERE how = 'blocked') AS ended_blocked,
       (SELECT coalesce(sum(c), 0) FROM e WHERE how = 'preempted') AS ended_preempted,
       (SELECT coalesce(sum(c), 0) FROM e WHERE how = 'yield') AS ended_yield,
       (SELECT coalesce(sum(c), 0) FROM e WHERE how = 'syscall') AS ended_syscall,
       (SELECT coalesce(sum(c), 0) FROM e WHERE how = 'exit') AS ended_exit
FROM h;
