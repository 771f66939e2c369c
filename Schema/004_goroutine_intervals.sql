-- tracedb schema, migration 4: a lean view of goroutine state intervals under `goroutine_states`.
--
-- `goroutine_intervals` has the columns of `goroutine_states` that come from the interval itself, without
-- the details of the event that opened it (event_ns, reason_id, proc_id, thread_id, stack_id, cause_goid);
-- `goroutine_states` becomes that view joined to the opening event. SQLite evaluates a UNION ALL view
-- inside an aggregate query as a whole, joins included, even when the query uses none of the joined
-- columns; for time-only aggregates (utilization, counts over time) the lean view halves the cost of a
-- scan (measured: 0.96 s instead of 1.85 s for 4.6M intervals).

-- Every goroutine state interval, one row each, as in `goroutine_states` without the opening event's details.
CREATE VIEW goroutine_intervals AS
SELECT c.trace_id,
       c.res_id AS goid,
       c.ts_ns - c.iv_dur_ns AS start_ns,
       c.ts_ns AS end_ns,
       c.iv_dur_ns AS duration_ns,
       c.from_state AS state,                                    -- → go_states (2 Runnable, 3 Running, 4 Waiting, 5 Syscall)
       CASE WHEN c.from_state = 4 AND c.to_state = 2 AND c.goid <> c.res_id THEN c.goid END AS unblock_goid,         -- Waiting: who woke it
       CASE WHEN c.from_state = 4 AND c.to_state = 2 AND c.goid <> c.res_id THEN c.stack_id END AS unblock_stack_id, -- the waker's stack
       c.iv_blocked_ns AS syscall_blocked_ns,                    -- Syscall: the part after its P was taken away
       coalesce(c.iv_flags, 0) & 1 AS first_run,                 -- Runnable: the wait between creation and the first run
       (coalesce(c.iv_flags, 0) & 2) / 2 AS first_seen,          -- began at a status event (start_ns is the Sync before it)
       0 AS open_at_end,                                         -- still in this state at the trace end
       c.seq - c.iv_back AS start_seq,
       c.seq AS end_seq
FROM events c
WHERE c.iv_back IS NOT NULL
UNION ALL
SELECT x.trace_id, x.goid, x.start_ns, t.duration_ns, t.duration_ns - x.start_ns, x.state, NULL, NULL, x.blocked_ns,
       x.flags & 1, (x.flags & 2) / 2, 1, x.start_seq, NULL
FROM goroutine_open_intervals x
JOIN traces t ON t.trace_id = x.trace_id;

-- Every goroutine state interval (see migration 3), now `goroutine_intervals` plus the details of the
-- event that moved the goroutine into the state. `goroutine_states_v` reads it by name and is unchanged.
DROP VIEW goroutine_states;
CREATE VIEW goroutine_states AS
SELECT i.trace_id, i.goid, i.start_ns, i.end_ns, i.duration_ns,
       o.ts_ns AS event_ns,                                      -- time of the transition event itself (Go's profiles start here)
       i.state,                                                  -- → go_states (2 Runnable, 3 Running, 4 Waiting, 5 Syscall)
       o.name_id AS reason_id,                                   -- → strings: block reason, 'preempted', …
       CASE WHEN i.state IN (3, 5) THEN o.proc_id END AS proc_id,     -- Running/Syscall: the P
       CASE WHEN i.state IN (3, 5) THEN o.thread_id END AS thread_id, -- Running/Syscall: the M
       o.stack_id,                                               -- → stacks: stack of the event that moved it into this state
       o.goid AS cause_goid,                                     -- goroutine the opening event happened on (itself, its creator or its waker); NULL = scheduler
       i.unblock_goid, i.unblock_stack_id, i.syscall_blocked_ns, i.first_run, i.first_seen, i.open_at_end,
       i.start_seq, i.end_seq
FROM goroutine_intervals i
LEFT JOIN events o ON o.trace_id = i.trace_id AND o.seq = i.start_seq;
