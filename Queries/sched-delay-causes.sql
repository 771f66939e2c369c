-- name: sched-delay-causes
-- title: Causes of scheduling delay
-- description: What was going on while goroutines waited for a P. The waits are those of
--   sched-latency (Runnable intervals after a goroutine's first run, not open at the trace end). Each
--   moment of each wait is attributed to exactly one cause, checked in this order: 'stop-the-world'
--   (a stop-the-world pause was in progress: nothing can run), 'idle P available' (at least one P was
--   idle: the delay is the scheduler's wake-up latency, or the goroutine was locked to a busy thread),
--   'all Ps busy: GC workers' (no idle P and at least one P ran a GC background mark worker),
--   'all Ps busy: P held in syscall' (no idle P and at least one P was held by a goroutine in a
--   syscall, before the runtime took it away), 'all Ps busy: goroutines' (every P ran ordinary
--   goroutines: the program wants more CPU than GOMAXPROCS). wait_ns is goroutine-time (two goroutines
--   waiting 1 ms together count 2 ms); the rows sum to sched-latency's total_ns, pct is the share.
-- param: trace_id = latest — the trace to analyse
-- key: cause
-- metric: wait_ns ns lower — goroutine wait time attributed to the cause
-- metric: pct percent none — share of all scheduling wait
-- metric: max_waiting count none — most goroutines waiting at once under this cause
WITH p AS (SELECT coalesce(:trace_id, (SELECT max(trace_id) FROM traces)) AS tid),
-- sched_delay_causes is swept once at ingest; the pure-SQL definition over goroutine_states,
-- proc_states and stw_pauses is Tests/TraceWarehouseTests/Oracle/sched-delay-causes.sql.
c AS (SELECT d.* FROM sched_delay_causes d JOIN p ON d.trace_id = p.tid)
SELECT cause, wait_ns, round(100.0 * wait_ns / max((SELECT sum(wait_ns) FROM c), 1), 3) AS pct, max_waiting
FROM c
ORDER BY wait_ns DESC, cause;
