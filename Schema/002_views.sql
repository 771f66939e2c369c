-- tracedb schema, migration 2: views for humans in the sqlite3 shell.
-- They join ids back to text and turn nanoseconds into milliseconds; saved queries use the tables.

-- A stack as text, leaf first, one 'function file:line' per line.
CREATE VIEW stack_text AS
SELECT sf.trace_id, sf.stack_id,
       group_concat(fn.name || ' ' || fl.path || ':' || fr.line, char(10)) AS text,
       group_concat(fn.name, ';') AS funcs   -- leaf→root function names joined with ';'
FROM (SELECT * FROM stack_frames ORDER BY trace_id, stack_id, depth) sf
JOIN frames fr ON fr.trace_id = sf.trace_id AND fr.frame_id = sf.frame_id
JOIN funcs fn ON fn.trace_id = sf.trace_id AND fn.func_id = fr.func_id
JOIN files fl ON fl.trace_id = sf.trace_id AND fl.file_id = fr.file_id
GROUP BY sf.trace_id, sf.stack_id;

-- Events with names instead of ids and absolute time.
CREATE VIEW events_v AS
SELECT e.trace_id, e.seq, e.ts_ns, e.ts_ns + t.start_abs_ns AS abs_ns, k.name AS kind,
       e.thread_id, e.proc_id, e.goid,
       rk.name AS resource, e.res_id,
       CASE e.res_kind WHEN 1 THEN gf.name WHEN 2 THEN pf.name END AS from_state,
       CASE e.res_kind WHEN 1 THEN gt.name WHEN 2 THEN pt.name END AS to_state,
       r.value AS reason, n.value AS name, e.task_id, e.parent_task_id, e.value,
       x.value AS text, d.detail, e.stack_id, e.st_stack_id
FROM events e
JOIN traces t ON t.trace_id = e.trace_id
JOIN event_kinds k ON k.kind = e.kind
LEFT JOIN resource_kinds rk ON rk.res_kind = e.res_kind
LEFT JOIN go_states gf ON e.res_kind = 1 AND gf.state = e.from_state
LEFT JOIN go_states gt ON e.res_kind = 1 AND gt.state = e.to_state
LEFT JOIN proc_states_names pf ON e.res_kind = 2 AND pf.state = e.from_state
LEFT JOIN proc_states_names pt ON e.res_kind = 2 AND pt.state = e.to_state
LEFT JOIN strings r ON r.trace_id = e.trace_id AND r.string_id = e.reason_id
LEFT JOIN strings n ON n.trace_id = e.trace_id AND n.string_id = e.name_id
LEFT JOIN strings x ON x.trace_id = e.trace_id AND x.string_id = e.text_id
LEFT JOIN event_details d ON d.trace_id = e.trace_id AND d.seq = e.seq;

-- Every goroutine state interval, one row each: from the goroutine's creation (or the Sync before it was
-- first seen) to its end or the trace end, back to back, with the details of the event that moved it
-- into the state (reason, stack — Go's profile stack —, P and M) and, for waits, the goroutine that woke
-- it. Time-only queries are cheap: the join to the opening event is skipped when no column of it is used.
CREATE VIEW goroutine_states AS
SELECT c.trace_id,
       c.res_id AS goid,
       c.iv_start_ns AS start_ns,
       c.ts_ns AS end_ns,
       c.ts_ns - c.iv_start_ns AS duration_ns,
       o.ts_ns AS event_ns,                                      -- time of the transition event itself (Go's profiles start here)
       c.from_state AS state,                                    -- → go_states (2 Runnable, 3 Running, 4 Waiting, 5 Syscall)
       o.reason_id,                                              -- → strings: block reason, 'preempted', …
       CASE WHEN c.from_state IN (3, 5) THEN o.proc_id END AS proc_id,     -- Running/Syscall: the P
       CASE WHEN c.from_state IN (3, 5) THEN o.thread_id END AS thread_id, -- Running/Syscall: the M
       o.stack_id,                                               -- → stacks: stack of the event that moved it into this state
       o.goid AS cause_goid,                                     -- goroutine the opening event happened on (itself, its creator or its waker); NULL = scheduler
       CASE WHEN c.from_state = 4 AND c.to_state = 2 AND c.goid <> c.res_id THEN c.goid END AS unblock_goid,         -- Waiting: who woke it (NULL: runtime, timer, netpoller)
       CASE WHEN c.from_state = 4 AND c.to_state = 2 AND c.goid <> c.res_id THEN c.stack_id END AS unblock_stack_id, -- the waker's stack at the wake-up
       c.iv_blocked_ns AS syscall_blocked_ns,                    -- Syscall: the part after its P was taken away
       c.iv_flags & 1 AS first_run,                              -- Runnable: the wait between creation and the first run
       (c.iv_flags & 2) / 2 AS first_seen,                       -- began at a status event (start_ns is the Sync before it)
       0 AS open_at_end,                                         -- still in this state at the trace end (Go's profiles drop these)
       c.iv_start_seq AS start_seq,
       c.seq AS end_seq
FROM events c
LEFT JOIN events o ON o.trace_id = c.trace_id AND o.seq = c.iv_start_seq
WHERE c.iv_start_seq IS NOT NULL
UNION ALL
SELECT x.trace_id, x.goid, x.start_ns, t.duration_ns, t.duration_ns - x.start_ns, o.ts_ns, x.state, o.reason_id,
       CASE WHEN x.state IN (3, 5) THEN o.proc_id END, CASE WHEN x.state IN (3, 5) THEN o.thread_id END,
       o.stack_id, o.goid, NULL, NULL, x.blocked_ns, x.flags & 1, (x.flags & 2) / 2, 1, x.start_seq, NULL
FROM goroutine_open_intervals x
JOIN traces t ON t.trace_id = x.trace_id
LEFT JOIN events o ON o.trace_id = x.trace_id AND o.seq = x.start_seq;

-- Thread (M) intervals with state names and durations.
CREATE VIEW thread_states AS
SELECT t.trace_id, t.thread_id, t.start_ns, t.end_ns, t.end_ns - t.start_ns AS duration_ns,
       t.state, n.name AS state_name, t.proc_id, t.goid
FROM thread_intervals t JOIN thread_state_names n ON n.state = t.state;

-- Goroutine state intervals with state names, reasons and milliseconds.
CREATE VIEW goroutine_states_v AS
SELECT s.trace_id, s.goid, g.name AS goroutine, st.name AS state, r.value AS reason,
       s.start_ns, s.end_ns, s.duration_ns, round(s.duration_ns / 1e6, 3) AS duration_ms,
       s.proc_id, s.thread_id, s.cause_goid, s.unblock_goid, s.open_at_end, s.stack_id
FROM goroutine_states s
JOIN go_states st ON st.state = s.state
LEFT JOIN goroutines g ON g.trace_id = s.trace_id AND g.goid = s.goid
LEFT JOIN strings r ON r.trace_id = s.trace_id AND r.string_id = s.reason_id;

-- Goroutines with their summary in milliseconds.
CREATE VIEW goroutines_v AS
SELECT trace_id, goid, name, is_system, creator_goid,
       round(creation_ns / 1e6, 3) AS created_ms, round(end_ns / 1e6, 3) AS ended_ms,
       (SELECT name FROM go_states WHERE state = final_state) AS final_state,
       round(total_ns / 1e6, 3) AS total_ms, round(exec_ns / 1e6, 3) AS exec_ms,
       round(sched_wait_ns / 1e6, 3) AS sched_wait_ms, round(syscall_ns / 1e6, 3) AS syscall_ms,
       round(syscall_block_ns / 1e6, 3) AS syscall_block_ms, round(block_ns / 1e6, 3) AS block_ms,
       round(unknown_ns / 1e6, 3) AS unknown_ms
FROM goroutines;

-- Frames with text.
CREATE VIEW frames_v AS
SELECT fr.trace_id, fr.frame_id, printf('0x%x', fr.pc) AS pc, fn.name AS func, fl.path AS file, fr.line
FROM frames fr
JOIN funcs fn ON fn.trace_id = fr.trace_id AND fn.func_id = fr.func_id
JOIN files fl ON fl.trace_id = fr.trace_id AND fl.file_id = fr.file_id;

-- Traces with their labels folded into one text column and durations in ms.
CREATE VIEW runs AS
SELECT t.trace_id, t.file_name, t.go_version, t.ingested_at, round(t.duration_ns / 1e6, 3) AS duration_ms,
       t.event_count, t.goroutine_count, t.gc_count, t.gomaxprocs, t.complete,
       (SELECT group_concat(key || '=' || value, ' ') FROM trace_labels l WHERE l.trace_id = t.trace_id) AS labels
FROM traces t;
