-- tracedb schema, migration 1: the core tables.
--
-- One database holds many traces ("runs"). Every table is keyed by trace_id first, so a query about
-- one trace never mixes in another by accident and deleting a trace is `DELETE … WHERE trace_id = ?`.
-- Conventions:
--   * *_ns columns are integer nanoseconds. Time points (ts_ns, start_ns, end_ns) are relative to the
--     trace's start, which is its first Sync event (traces.start_abs_ns holds the absolute trace-clock
--     value, so absolute = relative + traces.start_abs_ns). Durations are plain nanoseconds.
--   * goid / proc_id / thread_id are Go's goroutine, P and M ids; NULL (never -1) means "none".
--   * Text that repeats (function names, file paths, reasons, range names…) lives once per trace in
--     `strings`, `funcs` or `files`; other tables hold the small integer id. The views in migration 2
--     (events_v, goroutine_states_v, stack_text …) join the text back for humans.
--   * Tables are WITHOUT ROWID with primary keys chosen for the common access paths, so bulk loading
--     needs no secondary indexes.

-- One row per ingested trace file.
CREATE TABLE traces (
    trace_id        INTEGER PRIMARY KEY AUTOINCREMENT, -- the run's id (never reused); `:trace_id` in saved queries
    file_name       TEXT NOT NULL,         -- base name of the trace file as given to `tracedb ingest`
    file_path       TEXT NOT NULL,         -- the path as given (absolute when possible)
    file_size       INTEGER NOT NULL,      -- bytes
    sha256          TEXT NOT NULL,         -- hex SHA-256 of the file: the same file is not ingested twice
    go_version      TEXT NOT NULL,         -- trace format from the header, e.g. 'go1.26'
    ingested_at     TEXT NOT NULL,         -- UTC, ISO 8601
    tracedb_version TEXT NOT NULL,         -- version of the tool that ingested it
    start_abs_ns    INTEGER,               -- absolute trace-clock time of the first event (first Sync)
    end_abs_ns      INTEGER,               -- absolute time of the last event (the final Sync)
    duration_ns     INTEGER,               -- end - start
    event_count     INTEGER NOT NULL DEFAULT 0,  -- rows in `events` for this trace
    goroutine_count INTEGER NOT NULL DEFAULT 0,  -- rows in `goroutines`
    gc_count        INTEGER NOT NULL DEFAULT 0,  -- rows in `gc_cycles`
    generation_count INTEGER NOT NULL DEFAULT 0, -- trace generations read (Sync events minus the final one)
    gomaxprocs      INTEGER,               -- the first /sched/gomaxprocs:threads metric value
    max_gomaxprocs  INTEGER,               -- the largest GOMAXPROCS seen during the trace
    wall_start      TEXT,                  -- wall-clock time of the trace start (UTC, from the first clock snapshot; Go 1.25+)
    wall_start_unix_ns INTEGER,            -- the same as Unix nanoseconds
    complete        INTEGER NOT NULL,      -- 1 if the whole file was read; 0 if cut off (crash) and ingested up to its last complete generation
    warning         TEXT,                  -- why the trace is incomplete, or other ingest warnings
    ingest_seconds  REAL                   -- how long the ingest took
);
CREATE UNIQUE INDEX traces_sha256 ON traces(sha256);

-- User labels of a trace: commit, branch, dirty, benchmark, host … (`tracedb ingest --label k=v`, `--git`).
CREATE TABLE trace_labels (
    trace_id INTEGER NOT NULL,
    key      TEXT NOT NULL,
    value    TEXT NOT NULL,
    PRIMARY KEY (trace_id, key)
) WITHOUT ROWID;

-- Go's event kinds (trace.EventKind) with the names Go prints.
CREATE TABLE event_kinds (
    kind INTEGER PRIMARY KEY,  -- numeric value of trace.EventKind
    name TEXT NOT NULL UNIQUE  -- Go's EventKind.String(): Sync, Metric, StateTransition, …
);
INSERT INTO event_kinds(kind, name) VALUES
    (0, 'Bad'), (1, 'Sync'), (2, 'Metric'), (3, 'Label'), (4, 'StackSample'), (5, 'RangeBegin'),
    (6, 'RangeActive'), (7, 'RangeEnd'), (8, 'TaskBegin'), (9, 'TaskEnd'), (10, 'RegionBegin'),
    (11, 'RegionEnd'), (12, 'Log'), (13, 'StateTransition'), (14, 'Experimental');

-- Goroutine states (trace.GoState) and proc states (trace.ProcState) with Go's names.
CREATE TABLE go_states (
    state INTEGER PRIMARY KEY,  -- numeric trace.GoState
    name  TEXT NOT NULL         -- Undetermined, NotExist, Runnable, Running, Waiting, Syscall
);
INSERT INTO go_states VALUES (0, 'Undetermined'), (1, 'NotExist'), (2, 'Runnable'), (3, 'Running'), (4, 'Waiting'), (5, 'Syscall');
CREATE TABLE proc_states_names (
    state INTEGER PRIMARY KEY,  -- numeric trace.ProcState
    name  TEXT NOT NULL         -- Undetermined, NotExist, Running, Idle
);
INSERT INTO proc_states_names VALUES (0, 'Undetermined'), (1, 'NotExist'), (2, 'Running'), (3, 'Idle');
-- Resource kinds (trace.ResourceKind) used by state transitions, range scopes and labels.
CREATE TABLE resource_kinds (
    res_kind INTEGER PRIMARY KEY,
    name     TEXT NOT NULL      -- None, Goroutine, Proc, Thread
);
INSERT INTO resource_kinds VALUES (0, 'None'), (1, 'Goroutine'), (2, 'Proc'), (3, 'Thread');

-- Interned text of one trace: reasons, range/task/region/metric names, log text, labels.
CREATE TABLE strings (
    trace_id  INTEGER NOT NULL,
    string_id INTEGER NOT NULL,
    value     TEXT NOT NULL,
    PRIMARY KEY (trace_id, string_id)
) WITHOUT ROWID;

-- Function names of one trace (from stack frames).
CREATE TABLE funcs (
    trace_id INTEGER NOT NULL,
    func_id  INTEGER NOT NULL,
    name     TEXT NOT NULL,     -- e.g. 'net/http.(*conn).serve'
    PRIMARY KEY (trace_id, func_id)
) WITHOUT ROWID;

-- Source files of one trace (from stack frames).
CREATE TABLE files (
    trace_id INTEGER NOT NULL,
    file_id  INTEGER NOT NULL,
    path     TEXT NOT NULL,
    PRIMARY KEY (trace_id, file_id)
) WITHOUT ROWID;

-- Distinct stack frames (a PC with its function, file and line).
CREATE TABLE frames (
    trace_id INTEGER NOT NULL,
    frame_id INTEGER NOT NULL,
    pc       INTEGER NOT NULL,  -- program counter (as a signed 64-bit integer)
    func_id  INTEGER NOT NULL,  -- → funcs
    file_id  INTEGER NOT NULL,  -- → files
    line     INTEGER NOT NULL,
    PRIMARY KEY (trace_id, frame_id)
) WITHOUT ROWID;

-- Distinct stacks of a trace (deduplicated across generations by their frame list).
CREATE TABLE stacks (
    trace_id INTEGER NOT NULL,
    stack_id INTEGER NOT NULL,  -- 1, 2, …; events use NULL for "no stack"
    depth    INTEGER NOT NULL,  -- number of frames
    leaf_func_id INTEGER,       -- → funcs: the innermost frame's function
    root_func_id INTEGER,       -- → funcs: the outermost frame's function
    PRIMARY KEY (trace_id, stack_id)
) WITHOUT ROWID;

-- The frames of each stack, leaf first (depth 0 is the innermost frame).
CREATE TABLE stack_frames (
    trace_id INTEGER NOT NULL,
    stack_id INTEGER NOT NULL,
    depth    INTEGER NOT NULL,  -- 0 = leaf
    frame_id INTEGER NOT NULL,  -- → frames
    PRIMARY KEY (trace_id, stack_id, depth)
) WITHOUT ROWID;

-- Every parsed event, losslessly, in Go's order (`tracedb dump` can be rebuilt from it).
-- Kind-specific columns are NULL when they do not apply.
CREATE TABLE events (
    trace_id   INTEGER NOT NULL,
    seq        INTEGER NOT NULL,  -- 0, 1, 2 … in the order Go's reader returns events
    ts_ns      INTEGER NOT NULL,  -- time since the trace start (absolute = ts_ns + traces.start_abs_ns)
    kind       INTEGER NOT NULL,  -- → event_kinds
    thread_id  INTEGER,           -- M the event happened on
    proc_id    INTEGER,           -- P the event happened on
    goid       INTEGER,           -- goroutine the event happened on (for transitions: before the transition)
    stack_id   INTEGER,           -- → stacks: Event.Stack()
    res_kind   INTEGER,           -- → resource_kinds: transition resource, range scope or label resource
    res_id     INTEGER,           -- that resource's id
    from_state INTEGER,           -- StateTransition: old state (go_states or proc_states_names by res_kind)
    to_state   INTEGER,           -- StateTransition: new state
    reason_id  INTEGER,           -- → strings: StateTransition.Reason
    st_stack_id INTEGER,          -- → stacks: StateTransition.Stack (new goroutine's start stack for GoCreate)
    name_id    INTEGER,           -- → strings: range name, task/region type, metric name, label, log category, experimental name
    task_id    INTEGER,           -- task/region/log task id
    parent_task_id INTEGER,       -- TaskBegin: parent task id
    value      INTEGER,           -- Metric: integer value; Sync: N
    text_id    INTEGER,           -- → strings: Log message, or a string Metric value
    -- A goroutine transition that ends one of the goroutine's state intervals (its old state, from_state,
    -- lasted from iv_start_ns to ts_ns) carries that interval here; the view `goroutine_states` reads
    -- them. Storing intervals on the event that closes them keeps one row per event instead of two.
    iv_start_seq INTEGER,         -- seq of the transition that began the interval (NULL: this event ends no interval)
    iv_start_ns  INTEGER,         -- when the interval began (for a goroutine first seen via a status event: the Sync before it)
    iv_flags     INTEGER,         -- 1: first_run (the wait between creation and the first run); 2: first_seen (began at a status event)
    iv_blocked_ns INTEGER,        -- a Syscall interval: the part after its P was taken away (Go's SyscallBlockTime)
    PRIMARY KEY (trace_id, seq)
) WITHOUT ROWID;

-- The rare event details that do not fit the integer columns of `events`, as JSON:
-- RangeEnd attributes, Sync clock snapshots and experimental batches, Experimental event arguments.
CREATE TABLE event_details (
    trace_id INTEGER NOT NULL,
    seq      INTEGER NOT NULL,  -- → events.seq
    detail   TEXT NOT NULL,     -- JSON object
    PRIMARY KEY (trace_id, seq)
) WITHOUT ROWID;

-- One row per goroutine, with Go's summary (internal/trace Summarizer, as `go tool trace` shows it).
CREATE TABLE goroutines (
    trace_id         INTEGER NOT NULL,
    goid             INTEGER NOT NULL,
    name             TEXT NOT NULL,     -- start function as Go names it: root frame of the first stack seen ('' if none)
    pc               INTEGER,           -- PC of that frame
    is_system        INTEGER NOT NULL,  -- Go's IsSystemGoroutine(name): '' or runtime.* other than runtime.main
    creation_ns      INTEGER,           -- creation (GoCreate), or the last Sync before it was first seen
    creator_goid     INTEGER,           -- goroutine that created it (NULL if it existed before the trace)
    creation_stack_id INTEGER,          -- → stacks: where it was created (GoCreate's event stack)
    start_stack_id   INTEGER,           -- → stacks: its start stack (GoCreate's transition stack)
    start_ns         INTEGER,           -- first time it ran (NULL: never ran)
    end_ns           INTEGER,           -- when it exited, or blocked "forever" (NULL: alive at trace end)
    last_start_ns    INTEGER,           -- last transition into Running
    final_state      INTEGER,           -- → go_states: state after its last transition
    total_ns         INTEGER NOT NULL,  -- end (or trace end) - creation
    exec_ns          INTEGER NOT NULL,  -- Running
    sched_wait_ns    INTEGER NOT NULL,  -- Runnable (waiting for a P)
    syscall_ns       INTEGER NOT NULL,  -- in a syscall while holding its P
    syscall_block_ns INTEGER NOT NULL,  -- in a syscall after its P was taken away. Go's number, with Go's quirks: when goroutine A
                                        -- returns from a syscall whose P was stolen and B had meanwhile entered a syscall on that P,
                                        -- Go forgets B's P, so B's later block counts as syscall_ns (goroutine_states has the true split);
                                        -- a syscall open at the trace end counts its blocked part twice (once in sched_wait_ns)
    block_ns         INTEGER NOT NULL,  -- Waiting, all reasons (see goroutine_block)
    unknown_ns       INTEGER NOT NULL,  -- total minus the above, clamped at 0 (Go's UnknownTime)
    range_ns         INTEGER NOT NULL,  -- time inside runtime ranges (GC assist, STW …); overlaps the above
    region_count     INTEGER NOT NULL,  -- user regions (Go's g.Regions, synthetic inheritance ones included)
    PRIMARY KEY (trace_id, goid)
) WITHOUT ROWID;

-- Block time per goroutine and reason (Go's GoroutineExecStats.BlockTimeByReason).
CREATE TABLE goroutine_block (
    trace_id INTEGER NOT NULL,
    goid     INTEGER NOT NULL,
    reason   TEXT NOT NULL,  -- runtime reason: 'chan receive', 'sync', 'select', 'sleep', 'network', … ('' = first seen waiting)
    ns       INTEGER NOT NULL,
    PRIMARY KEY (trace_id, goid, reason)
) WITHOUT ROWID;

-- Time per goroutine inside runtime ranges (Go's RangeTime): 'GC mark assist', 'stop-the-world (…)', ….
CREATE TABLE goroutine_ranges (
    trace_id   INTEGER NOT NULL,
    goid       INTEGER NOT NULL,
    range_name TEXT NOT NULL,
    ns         INTEGER NOT NULL,
    PRIMARY KEY (trace_id, goid, range_name)
) WITHOUT ROWID;

-- Goroutine labels (Label events, e.g. 'GC (dedicated)' on GC workers): the last label seen per goroutine.
CREATE TABLE goroutine_labels (
    trace_id INTEGER NOT NULL,
    goid     INTEGER NOT NULL,
    label    TEXT NOT NULL,
    ts_ns    INTEGER NOT NULL,  -- when it was (last) labelled
    PRIMARY KEY (trace_id, goid, label)
) WITHOUT ROWID;

-- Each goroutine's life is a sequence of back-to-back state intervals, covering it exactly once from
-- creation (or the Sync before it was first seen, as Go's summary counts it) to its end or the trace end;
-- re-assertions of the same state at generation boundaries do not split an interval. Closed intervals
-- are stored on the event that closes them (events.iv_*); the ones still open at the trace end are
-- here. Query them through the view `goroutine_states`.
CREATE TABLE goroutine_open_intervals (
    trace_id    INTEGER NOT NULL,
    goid        INTEGER NOT NULL,
    start_seq   INTEGER NOT NULL,  -- → events.seq: the transition into the state
    start_ns    INTEGER NOT NULL,
    state       INTEGER NOT NULL,  -- → go_states
    flags       INTEGER NOT NULL,  -- as events.iv_flags
    blocked_ns  INTEGER,           -- as events.iv_blocked_ns (up to the trace end)
    PRIMARY KEY (trace_id, goid)
) WITHOUT ROWID;

-- One row per P seen in the trace.
CREATE TABLE procs (
    trace_id   INTEGER NOT NULL,
    proc_id    INTEGER NOT NULL,
    running_ns INTEGER NOT NULL,  -- time Running (owned by an M)
    idle_ns    INTEGER NOT NULL,  -- time Idle
    PRIMARY KEY (trace_id, proc_id)
) WITHOUT ROWID;

-- Each P's Running/Idle intervals, from its first appearance to its last transition or the trace end.
CREATE TABLE proc_states (
    trace_id  INTEGER NOT NULL,
    proc_id   INTEGER NOT NULL,
    start_ns  INTEGER NOT NULL,
    end_ns    INTEGER NOT NULL,
    state     INTEGER NOT NULL,  -- → proc_states_names (2 Running, 3 Idle, 1 NotExist)
    thread_id INTEGER,           -- Running: the M that holds it
    start_seq INTEGER NOT NULL,  -- → events.seq
    duration_ns INTEGER,           -- end_ns - start_ns (stored: SQLite 3.40's integrity_check misreports virtual columns of WITHOUT ROWID tables)
    PRIMARY KEY (trace_id, proc_id, start_seq)
) WITHOUT ROWID;

-- One row per OS thread (M) seen in the trace.
CREATE TABLE threads (
    trace_id   INTEGER NOT NULL,
    thread_id  INTEGER NOT NULL,
    running_ns INTEGER NOT NULL,  -- holding a P, running Go code
    syscall_ns INTEGER NOT NULL,  -- a goroutine on it is in a syscall
    idle_ns    INTEGER NOT NULL,  -- neither
    PRIMARY KEY (trace_id, thread_id)
) WITHOUT ROWID;

-- Names of thread (M) states in thread_intervals / thread_states.
CREATE TABLE thread_state_names (
    state INTEGER PRIMARY KEY,
    name  TEXT NOT NULL
);
INSERT INTO thread_state_names VALUES (0, 'idle'), (1, 'running'), (2, 'syscall');

-- Each M's intervals from its first event: running (holds a P), syscall (a goroutine on it is in a
-- syscall, with or without a P), idle (neither). Zero-length intervals are not stored. The view
-- `thread_states` adds names and durations.
CREATE TABLE thread_intervals (
    trace_id  INTEGER NOT NULL,
    thread_id INTEGER NOT NULL,
    start_ns  INTEGER NOT NULL,
    end_ns    INTEGER NOT NULL,
    state     INTEGER NOT NULL,  -- → thread_state_names: 0 idle, 1 running (holds a P), 2 syscall
    proc_id   INTEGER,           -- the P it holds, if any
    goid      INTEGER,           -- syscall: the goroutine in the syscall
    PRIMARY KEY (trace_id, thread_id, start_ns)
) WITHOUT ROWID;

-- User tasks (runtime/trace.NewTask), as Go's summary sees them.
CREATE TABLE tasks (
    trace_id    INTEGER NOT NULL,
    task_id     INTEGER NOT NULL,
    parent_id   INTEGER,          -- NULL when unknown
    name        TEXT NOT NULL,    -- task type
    start_ns    INTEGER,          -- TaskBegin (NULL: began before the trace)
    end_ns      INTEGER,          -- TaskEnd (NULL: not ended in the trace)
    start_goid  INTEGER,
    end_goid    INTEGER,
    interval_start_ns INTEGER NOT NULL, -- start clipped as `go tool trace` does (trace start if unknown)
    interval_end_ns   INTEGER NOT NULL, -- end clipped (trace end if unknown)
    duration_ns INTEGER NOT NULL,       -- interval_end - interval_start
    complete    INTEGER NOT NULL,       -- both begin and end are in the trace
    goroutine_count INTEGER NOT NULL,   -- goroutines with events naming the task
    region_count INTEGER NOT NULL,
    log_count   INTEGER NOT NULL,
    child_count INTEGER NOT NULL,
    PRIMARY KEY (trace_id, task_id)
) WITHOUT ROWID;

-- User regions (runtime/trace.WithRegion / StartRegion) per goroutine, as Go's summary sees them.
CREATE TABLE regions (
    trace_id   INTEGER NOT NULL,
    goid       INTEGER NOT NULL,
    idx        INTEGER NOT NULL,  -- index within the goroutine, by start time
    task_id    INTEGER NOT NULL,
    name       TEXT NOT NULL,     -- region type ('' for Go's synthetic task-inheritance region)
    synthetic  INTEGER NOT NULL,  -- 1 for Go's synthetic region of a goroutine created inside a region
    start_ns   INTEGER,           -- RegionBegin (NULL: began before the trace)
    end_ns     INTEGER,           -- RegionEnd or goroutine end (NULL: open at trace end)
    interval_start_ns INTEGER NOT NULL,
    interval_end_ns   INTEGER NOT NULL,
    duration_ns INTEGER NOT NULL,
    complete   INTEGER NOT NULL,  -- both ends in the trace
    depth      INTEGER,           -- nesting depth on its goroutine (0 = outermost)
    parent_idx INTEGER,           -- idx of the enclosing region on the same goroutine
    exec_ns    INTEGER NOT NULL,  -- the goroutine's stats over the region
    sched_wait_ns INTEGER NOT NULL,
    syscall_ns INTEGER NOT NULL,
    syscall_block_ns INTEGER NOT NULL,
    block_ns   INTEGER NOT NULL,
    unknown_ns INTEGER NOT NULL,
    frame_func TEXT,              -- where the region began (cmd/trace's region "frame")
    frame_file TEXT,
    frame_line INTEGER,
    frame_pc   INTEGER,
    PRIMARY KEY (trace_id, goid, idx)
) WITHOUT ROWID;

-- User log messages (runtime/trace.Log).
CREATE TABLE logs (
    trace_id INTEGER NOT NULL,
    seq      INTEGER NOT NULL,    -- → events.seq
    ts_ns    INTEGER NOT NULL,
    goid     INTEGER,
    task_id  INTEGER NOT NULL,    -- 0 = no task
    category TEXT NOT NULL,
    message  TEXT NOT NULL,
    PRIMARY KEY (trace_id, seq)
) WITHOUT ROWID;

-- Runtime ranges paired from RangeBegin/Active/End: GC mark phase, sweeps, mark assists, STW.
CREATE TABLE ranges (
    trace_id   INTEGER NOT NULL,
    range_idx  INTEGER NOT NULL,  -- in order of start
    name       TEXT NOT NULL,     -- 'GC concurrent mark phase', 'GC incremental sweep', 'GC mark assist', 'stop-the-world (…)'
    scope_kind INTEGER NOT NULL,  -- → resource_kinds
    scope_id   INTEGER,           -- goroutine or P id
    start_ns   INTEGER,           -- NULL when the trace has only the end (start_kind 'none')
    end_ns     INTEGER NOT NULL,
    start_kind TEXT NOT NULL,     -- 'Begin'; 'Active' (already running at trace start: start_ns = 0); 'none' (only the end seen)
    end_kind   TEXT NOT NULL,     -- 'End', or 'trace_end' (still open)
    duration_ns INTEGER,           -- end_ns - start_ns (stored: SQLite 3.40's integrity_check misreports virtual columns of WITHOUT ROWID tables)
    PRIMARY KEY (trace_id, range_idx)
) WITHOUT ROWID;

-- GC cycles: the 'GC concurrent mark phase' ranges, with the heap around them.
CREATE TABLE gc_cycles (
    trace_id   INTEGER NOT NULL,
    gc_idx     INTEGER NOT NULL,  -- 0, 1, … in time order
    start_ns   INTEGER,           -- NULL if only the end is in the trace
    end_ns     INTEGER NOT NULL,
    start_kind TEXT NOT NULL,
    end_kind   TEXT NOT NULL,
    heap_before_bytes INTEGER,    -- last /memory/classes/heap/objects:bytes (HeapAlloc) before the start
    heap_after_bytes  INTEGER,    -- first HeapAlloc after the end
    heap_goal_bytes   INTEGER,    -- heap goal in force at the start
    duration_ns INTEGER,           -- end_ns - start_ns (stored: SQLite 3.40's integrity_check misreports virtual columns of WITHOUT ROWID tables)
    PRIMARY KEY (trace_id, gc_idx)
) WITHOUT ROWID;

-- Stop-the-world pauses (ranges named 'stop-the-world (reason)').
CREATE TABLE stw_pauses (
    trace_id  INTEGER NOT NULL,
    stw_idx   INTEGER NOT NULL,
    goid      INTEGER,            -- the goroutine that stopped the world
    reason    TEXT NOT NULL,      -- text inside the parentheses: 'GC sweep termination', 'GC mark termination', 'start trace' …
    is_gc     INTEGER NOT NULL,   -- 1 if the reason mentions GC (Go's isGCSTW)
    start_ns  INTEGER,            -- NULL if only the end is in the trace
    end_ns    INTEGER NOT NULL,
    start_kind TEXT NOT NULL,
    end_kind  TEXT NOT NULL,
    gc_idx    INTEGER,            -- the GC cycle it belongs to, if any (by overlap or adjacency)
    duration_ns INTEGER,           -- end_ns - start_ns (stored: SQLite 3.40's integrity_check misreports virtual columns of WITHOUT ROWID tables)
    PRIMARY KEY (trace_id, stw_idx)
) WITHOUT ROWID;

-- Runtime metrics over time (Metric events): heap alloc, heap goal, GOMAXPROCS ….
CREATE TABLE metrics (
    trace_id INTEGER NOT NULL,
    name     TEXT NOT NULL,       -- e.g. '/memory/classes/heap/objects:bytes', '/gc/heap/goal:bytes', '/sched/gomaxprocs:threads'
    seq      INTEGER NOT NULL,    -- → events.seq
    ts_ns    INTEGER NOT NULL,
    value    INTEGER NOT NULL,
    PRIMARY KEY (trace_id, name, seq)
) WITHOUT ROWID;

-- Metric samples as they are loaded (name by string id); moved into `metrics` at the end of an ingest.
CREATE TABLE metrics_raw (
    trace_id INTEGER NOT NULL,
    name_id  INTEGER NOT NULL,
    seq      INTEGER NOT NULL,
    ts_ns    INTEGER NOT NULL,
    value    INTEGER NOT NULL,
    PRIMARY KEY (trace_id, seq)
) WITHOUT ROWID;

-- CPU profile samples (StackSample events), present when the program ran the CPU profiler.
CREATE TABLE cpu_samples (
    trace_id  INTEGER NOT NULL,
    seq       INTEGER NOT NULL,   -- → events.seq
    ts_ns     INTEGER NOT NULL,
    thread_id INTEGER,
    proc_id   INTEGER,
    goid      INTEGER,
    stack_id  INTEGER,            -- → stacks
    PRIMARY KEY (trace_id, seq)
) WITHOUT ROWID;

-- Mutator utilization step function (system view, `go tool trace`'s default flags: STW, background
-- mark workers, mark assists): util holds from ts_ns until the next row. tracedb counts a background
-- mark worker once per run; Go 1.27.3's MutatorUtilizationV2 counts it again at every later GC label
-- event but uncounts it once, so its per-P GC counts drift upwards and its utilization sinks to 0 for
-- the rest of the trace after a few GC cycles (and goes stale across GOMAXPROCS changes). See `mmu`.
CREATE TABLE mutator_util (
    trace_id INTEGER NOT NULL,
    ts_ns    INTEGER NOT NULL,
    util     REAL NOT NULL,       -- fraction of GOMAXPROCS available to the program, 0..1
    PRIMARY KEY (trace_id, ts_ns)
) WITHOUT ROWID;

-- Minimum mutator utilization for standard windows, computed at ingest (Go's MMUCurve).
CREATE TABLE mmu (
    trace_id  INTEGER NOT NULL,
    window_ns INTEGER NOT NULL,   -- 1 ms, 10 ms, 100 ms, 1 s (clipped to the trace length, as Go does)
    mmu       REAL NOT NULL,      -- tracedb: the worst utilization over any window of that length (from mutator_util)
    worst_start_ns INTEGER,       -- start of that worst window
    go_mmu    REAL NOT NULL,      -- what `go tool trace` (Go 1.27.3) reports, including its worker double count; on a trace that
                                  -- changes GOMAXPROCS tracedb resizes the per-P counts Go leaves stale, so there it differs from Go
    go_worst_start_ns INTEGER,
    PRIMARY KEY (trace_id, window_ns)
) WITHOUT ROWID;
