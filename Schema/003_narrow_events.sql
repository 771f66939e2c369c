-- tracedb schema, migration 3: narrower `events` rows.
--
-- `events` holds one row per event (97% of them state transitions), so its width decides the
-- database size and the ingest speed (SQLite's insert cost grows with every column, NULL or not).
-- This migration
--   * merges reason_id and name_id into one `name_id` (no event has both);
--   * moves the integer fields only a few event kinds have (task ids, metric values, log messages,
--     Sync's N) to `event_args`;
--   * stores a closed goroutine interval by how far back it began (iv_back: seq distance, iv_dur_ns:
--     duration) instead of absolute seq and time, which take 3-6 bytes more per row.
-- Databases made before it are converted in place.

CREATE TABLE events_new (
    trace_id    INTEGER NOT NULL,
    seq         INTEGER NOT NULL,  -- 0, 1, 2 … in the order Go's reader returns events
    ts_ns       INTEGER NOT NULL,  -- time since the trace start (absolute = ts_ns + traces.start_abs_ns)
    kind        INTEGER NOT NULL,  -- → event_kinds
    thread_id   INTEGER,           -- M the event happened on
    proc_id     INTEGER,           -- P the event happened on
    goid        INTEGER,           -- goroutine the event happened on (for transitions: before the transition)
    stack_id    INTEGER,           -- → stacks: Event.Stack()
    res_kind    INTEGER,           -- → resource_kinds: transition resource, range scope or label resource
    res_id      INTEGER,           -- that resource's id
    from_state  INTEGER,           -- StateTransition: old state (go_states or proc_states_names by res_kind)
    to_state    INTEGER,           -- StateTransition: new state
    name_id     INTEGER,           -- → strings: the event's name: StateTransition reason, range name, label,
                                   --   metric name, task/region type, log category, experimental name
    st_stack_id INTEGER,           -- → stacks: StateTransition.Stack (the new goroutine's start stack for GoCreate)
    -- A goroutine transition that ends one of the goroutine's state intervals (its old state, from_state,
    -- lasted until ts_ns) carries that interval; the view `goroutine_states` reads them. Storing intervals
    -- on the event that closes them keeps one row per event instead of two.
    iv_back       INTEGER,         -- seq - (seq of the transition that began the interval); NULL: this event ends no interval
    iv_dur_ns     INTEGER,         -- how long the interval lasted (it began at ts_ns - iv_dur_ns; for a goroutine
                                   --   first seen via a status event, at the Sync before it)
    iv_flags      INTEGER,         -- 1: first_run (the wait between creation and the first run); 2: first_seen (began at a status event)
    iv_blocked_ns INTEGER,         -- a Syscall interval: the part after its P was taken away (Go's SyscallBlockTime)
    PRIMARY KEY (trace_id, seq)
) WITHOUT ROWID;

-- The integer fields of the few event kinds that have them (one row per such event).
CREATE TABLE event_args (
    trace_id       INTEGER NOT NULL,
    seq            INTEGER NOT NULL,  -- → events.seq
    task_id        INTEGER,           -- TaskBegin/TaskEnd/RegionBegin/RegionEnd/Log: the task id
    parent_task_id INTEGER,           -- TaskBegin/TaskEnd: the parent task id
    value          INTEGER,           -- Metric: integer value (uint64 bit pattern); Sync: N
    text_id        INTEGER,           -- → strings: Log message, or a string Metric value
    PRIMARY KEY (trace_id, seq)
) WITHOUT ROWID;

INSERT INTO events_new
SELECT trace_id, seq, ts_ns, kind, thread_id, proc_id, goid, stack_id, res_kind, res_id, from_state, to_state,
       coalesce(reason_id, name_id), st_stack_id,
       seq - iv_start_seq, ts_ns - iv_start_ns, nullif(iv_flags, 0), iv_blocked_ns
FROM events ORDER BY trace_id, seq;

INSERT INTO event_args
SELECT trace_id, seq, task_id, parent_task_id, value, text_id FROM events
WHERE task_id IS NOT NULL OR parent_task_id IS NOT NULL OR value IS NOT NULL OR text_id IS NOT NULL
ORDER BY trace_id, seq;

DROP VIEW goroutine_states_v;
DROP VIEW goroutine_states;
DROP VIEW events_v;
DROP TABLE events;
ALTER TABLE events_new RENAME TO events;

-- Events with names instead of ids and absolute time.
CREATE VIEW events_v AS
SELECT e.trace_id, e.seq, e.ts_ns, e.ts_ns + t.start_abs_ns AS abs_ns, k.name AS kind,
       e.thread_id, e.proc_id, e.goid,
       rk.name AS resource, e.res_id,
       CASE e.res_kind WHEN 1 THEN gf.name WHEN 2 THEN pf.name END AS from_state,
       CASE e.res_kind WHEN 1 THEN gt.name WHEN 2 THEN pt.name END AS to_state,
       CASE WHEN e.kind = 13 THEN n.value END AS reason,
       CASE WHEN e.kind <> 13 THEN n.value END AS name,
       a.task_id, a.parent_task_id, a.value,
       x.value AS text, d.detail, e.stack_id, e.st_stack_id
FROM events e
JOIN traces t ON t.trace_id = e.trace_id
JOIN event_kinds k ON k.kind = e.kind
LEFT JOIN resource_kinds rk ON rk.res_kind = e.res_kind
LEFT JOIN go_states gf ON e.res_kind = 1 AND gf.state = e.from_state
LEFT JOIN go_states gt ON e.res_kind = 1 AND gt.state = e.to_state
LEFT JOIN proc_states_names pf ON e.res_kind = 2 AND pf.state = e.from_state
LEFT JOIN proc_states_names pt ON e.res_kind = 2 AND pt.state = e.to_state
LEFT JOIN strings n ON n.trace_id = e.trace_id AND n.string_id = e.name_id
LEFT JOIN event_args a ON a.trace_id = e.trace_id AND a.seq = e.seq
LEFT JOIN strings x ON x.trace_id = e.trace_id AND x.string_id = a.text_id
LEFT JOIN event_details d ON d.trace_id = e.trace_id AND d.seq = e.seq;

-- Every goroutine state interval, one row each: from the goroutine's creation (or the Sync before it was
-- first seen) to its end or the trace end, back to back, with the details of the event that moved it
-- into the state (reason, stack — Go's profile stack —, P and M) and, for waits, the goroutine that woke
-- it. Time-only queries are cheap: the join to the opening event is skipped when no column of it is used.
CREATE VIEW goroutine_states AS
SELECT c.trace_id,
       c.res_id AS goid,
       c.ts_ns - c.iv_dur_ns AS start_ns,
       c.ts_ns AS end_ns,
       c.iv_dur_ns AS duration_ns,
       o.ts_ns AS event_ns,                                      -- time of the transition event itself (Go's profiles start here)
       c.from_state AS state,                                    -- → go_states (2 Runnable, 3 Running, 4 Waiting, 5 Syscall)
       o.name_id AS reason_id,                                   -- → strings: block reason, 'preempted', …
       CASE WHEN c.from_state IN (3, 5) THEN o.proc_id END AS proc_id,     -- Running/Syscall: the P
       CASE WHEN c.from_state IN (3, 5) THEN o.thread_id END AS thread_id, -- Running/Syscall: the M
       o.stack_id,                                               -- → stacks: stack of the event that moved it into this state
       o.goid AS cause_goid,                                     -- goroutine the opening event happened on (itself, its creator or its waker); NULL = scheduler
       CASE WHEN c.from_state = 4 AND c.to_state = 2 AND c.goid <> c.res_id THEN c.goid END AS unblock_goid,         -- Waiting: who woke it (NULL: runtime, timer, netpoller)
       CASE WHEN c.from_state = 4 AND c.to_state = 2 AND c.goid <> c.res_id THEN c.stack_id END AS unblock_stack_id, -- the waker's stack at the wake-up
       c.iv_blocked_ns AS syscall_blocked_ns,                    -- Syscall: the part after its P was taken away
       coalesce(c.iv_flags, 0) & 1 AS first_run,                 -- Runnable: the wait between creation and the first run
       (coalesce(c.iv_flags, 0) & 2) / 2 AS first_seen,          -- began at a status event (start_ns is the Sync before it)
       0 AS open_at_end,                                         -- still in this state at the trace end (Go's profiles drop these)
       c.seq - c.iv_back AS start_seq,
       c.seq AS end_seq
FROM events c
LEFT JOIN events o ON o.trace_id = c.trace_id AND o.seq = c.seq - c.iv_back
WHERE c.iv_back IS NOT NULL
UNION ALL
SELECT x.trace_id, x.goid, x.start_ns, t.duration_ns, t.duration_ns - x.start_ns, o.ts_ns, x.state, o.name_id,
       CASE WHEN x.state IN (3, 5) THEN o.proc_id END, CASE WHEN x.state IN (3, 5) THEN o.thread_id END,
       o.stack_id, o.goid, NULL, NULL, x.blocked_ns, x.flags & 1, (x.flags & 2) / 2, 1, x.start_seq, NULL
FROM goroutine_open_intervals x
JOIN traces t ON t.trace_id = x.trace_id
LEFT JOIN events o ON o.trace_id = x.trace_id AND o.seq = x.start_seq;

-- Goroutine state intervals with state names, reasons and milliseconds.
CREATE VIEW goroutine_states_v AS
SELECT s.trace_id, s.goid, g.name AS goroutine, st.name AS state, r.value AS reason,
       s.start_ns, s.end_ns, s.duration_ns, round(s.duration_ns / 1e6, 3) AS duration_ms,
       s.proc_id, s.thread_id, s.cause_goid, s.unblock_goid, s.open_at_end, s.stack_id
FROM goroutine_states s
JOIN go_states st ON st.state = s.state
LEFT JOIN goroutines g ON g.trace_id = s.trace_id AND g.goid = s.goid
LEFT JOIN strings r ON r.trace_id = s.trace_id AND r.string_id = s.reason_id;

-- Metric samples: a view over the Metric events (their values are in event_args), so they are not stored twice.
DROP TABLE metrics;
DROP TABLE metrics_raw;
CREATE VIEW metrics AS
SELECT e.trace_id,
       n.value AS name,   -- e.g. '/memory/classes/heap/objects:bytes', '/gc/heap/goal:bytes', '/sched/gomaxprocs:threads'
       e.seq,             -- → events.seq
       e.ts_ns,
       a.value
FROM event_args a
JOIN events e ON e.trace_id = a.trace_id AND e.seq = a.seq
JOIN strings n ON n.trace_id = e.trace_id AND n.string_id = e.name_id
WHERE e.kind = 2 AND a.value IS NOT NULL;

-- Thread intervals store their duration (a few bytes) instead of their end time (six).
DROP VIEW thread_states;
CREATE TABLE thread_intervals_new (
    trace_id    INTEGER NOT NULL,
    thread_id   INTEGER NOT NULL,
    start_ns    INTEGER NOT NULL,
    duration_ns INTEGER NOT NULL,  -- the interval ends at start_ns + duration_ns
    state       INTEGER NOT NULL,  -- → thread_state_names: 0 idle, 1 running (holds a P), 2 syscall
    proc_id     INTEGER,           -- the P it holds, if any
    goid        INTEGER,           -- syscall: the goroutine in the syscall
    PRIMARY KEY (trace_id, thread_id, start_ns)
) WITHOUT ROWID;
INSERT INTO thread_intervals_new
SELECT trace_id, thread_id, start_ns, end_ns - start_ns, state, proc_id, goid FROM thread_intervals
ORDER BY trace_id, thread_id, start_ns;
DROP TABLE thread_intervals;
ALTER TABLE thread_intervals_new RENAME TO thread_intervals;

-- Thread (M) intervals with state names and end times.
CREATE VIEW thread_states AS
SELECT t.trace_id, t.thread_id, t.start_ns, t.start_ns + t.duration_ns AS end_ns, t.duration_ns,
       t.state, n.name AS state_name, t.proc_id, t.goid
FROM thread_intervals t JOIN thread_state_names n ON n.state = t.state;
