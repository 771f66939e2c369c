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

-- Goroutine state intervals with the details that live in `events`: why it entered the state, the
-- stack of that event (Go's profile stack), the M, the goroutine whose event caused it, and for
-- waits the goroutine that woke it. One row per goroutine_intervals row.
CREATE VIEW goroutine_states AS
SELECT i.trace_id, i.goid, i.start_ns, i.end_ns,
       i.end_ns - i.start_ns AS duration_ns,
       CASE WHEN i.first_seen THEN s.ts_ns ELSE i.start_ns END AS event_ns, -- time of the transition event itself (Go's profiles start here)
       i.state,
       s.reason_id,                                              -- → strings: block reason, 'preempted', …
       i.proc_id,
       CASE WHEN i.state IN (3, 5) THEN s.thread_id END AS thread_id, -- Running/Syscall: the M
       s.stack_id,                                               -- → stacks: stack of the event that moved it into this state
       s.goid AS cause_goid,                                     -- goroutine the transition event happened on (itself, the creator, or the waker); NULL = scheduler
       CASE WHEN i.state = 4 AND e.to_state = 2 AND e.goid <> i.goid THEN e.goid END AS unblock_goid, -- Waiting: who woke it (NULL: runtime/netpoller/timer)
       CASE WHEN i.state = 4 AND e.to_state = 2 AND e.goid <> i.goid THEN e.stack_id END AS unblock_stack_id, -- the waker's stack at the wake-up
       i.syscall_blocked_ns, i.first_run, i.first_seen,
       i.end_seq IS NULL AS open_at_end,                         -- still in this state at the trace end (Go's profiles drop these)
       i.start_seq, i.end_seq
FROM goroutine_intervals i
JOIN events s ON s.trace_id = i.trace_id AND s.seq = i.start_seq
LEFT JOIN events e ON e.trace_id = i.trace_id AND e.seq = i.end_seq;

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
