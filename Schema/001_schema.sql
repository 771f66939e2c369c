-- tracedb schema: the whole current schema, tables first, then views.
--
-- One database holds many traces ("runs"). Every table is keyed by trace_id first, so a query about
-- one trace never mixes in another by accident and deleting a trace is `DELETE … WHERE trace_id = ?`.
-- Conventions:
--   * *_ns columns are integer nanoseconds. Time points (ts_ns, start_ns, end_ns) are relative to the
--     trace's start, which is its first Sync event (traces.start_abs_ns holds the absolute trace-clock
--     value, so absolute = relative + traces.start_abs_ns). Durations are plain nanoseconds.
--   * goid / proc_id / thread_id are Go's goroutine, P and M ids; NULL (never -1) means "none".
--   * Text that repeats (function names, file paths, reasons, range names…) lives once per trace in
--     `strings`, `funcs` or `files`; other tables hold the small integer id. The views at the end
--     (events_v, goroutine_states_v, stack_text …) join the text back for humans.
--   * Tables are WITHOUT ROWID with primary keys chosen for the common access paths, so bulk loading
--     needs no secondary indexes.
--   * Tables under "Derived at ingest" hold what the loader computes while it streams the trace (the
--     sweeps over the whole timeline that saved queries would otherwise recompute); each says which
--     saved queries read it. The pure-SQL definitions they replace live on in the tests as oracles.
--
-- `PRAGMA application_id` is 0x74726462 ('trdb') on a database made by this schema; `user_version`
-- counts the migrations after this file (Schema/NNN_*.sql, applied in order). A database made by a
-- tracedb before this schema (application_id 0) must be re-ingested.
PRAGMA application_id = 1953653858;

CREATE TABLE traces (
    -- One row per ingested trace file.
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

CREATE TABLE trace_labels (
    -- User labels of a trace: commit, branch, dirty, benchmark, host … (`tracedb ingest --label k=v`, `--git`).
    trace_id INTEGER NOT NULL,
    key      TEXT NOT NULL,
    value    TEXT NOT NULL,
    PRIMARY KEY (trace_id, key)
) WITHOUT ROWID;

CREATE TABLE event_kinds (
    -- Go's event kinds (trace.EventKind) with the names Go prints.
    kind INTEGER PRIMARY KEY,  -- numeric value of trace.EventKind
    name TEXT NOT NULL UNIQUE  -- Go's EventKind.String(): Sync, Metric, StateTransition, …
);
INSERT INTO event_kinds(kind, name) VALUES
    (0, 'Bad'), (1, 'Sync'), (2, 'Metric'), (3, 'Label'), (4, 'StackSample'), (5, 'RangeBegin'),
    (6, 'RangeActive'), (7, 'RangeEnd'), (8, 'TaskBegin'), (9, 'TaskEnd'), (10, 'RegionBegin'),
    (11, 'RegionEnd'), (12, 'Log'), (13, 'StateTransition'), (14, 'Experimental');

CREATE TABLE go_states (
    -- Goroutine states (trace.GoState) and proc states (trace.ProcState) with Go's names.
    state INTEGER PRIMARY KEY,  -- numeric trace.GoState
    name  TEXT NOT NULL         -- Undetermined, NotExist, Runnable, Running, Waiting, Syscall
);
INSERT INTO go_states VALUES (0, 'Undetermined'), (1, 'NotExist'), (2, 'Runnable'), (3, 'Running'), (4, 'Waiting'), (5, 'Syscall');
CREATE TABLE proc_states_names (
    state INTEGER PRIMARY KEY,  -- numeric trace.ProcState
    name  TEXT NOT NULL         -- Undetermined, NotExist, Running, Idle
);
INSERT INTO proc_states_names VALUES (0, 'Undetermined'), (1, 'NotExist'), (2, 'Running'), (3, 'Idle');
CREATE TABLE resource_kinds (
    -- Resource kinds (trace.ResourceKind) used by state transitions, range scopes and labels.
    res_kind INTEGER PRIMARY KEY,
    name     TEXT NOT NULL      -- None, Goroutine, Proc, Thread
);
INSERT INTO resource_kinds VALUES (0, 'None'), (1, 'Goroutine'), (2, 'Proc'), (3, 'Thread');

CREATE TABLE strings (
    -- Interned text of one trace: reasons, range/task/region/metric names, log text, labels.
    trace_id  INTEGER NOT NULL,
    string_id INTEGER NOT NULL,
    value     TEXT NOT NULL,
    PRIMARY KEY (trace_id, string_id)
) WITHOUT ROWID;

CREATE TABLE funcs (
    -- Function names of one trace (from stack frames).
    trace_id INTEGER NOT NULL,
    func_id  INTEGER NOT NULL,
    name     TEXT NOT NULL,     -- e.g. 'net/http.(*conn).serve'
    PRIMARY KEY (trace_id, func_id)
) WITHOUT ROWID;

CREATE TABLE files (
    -- Source files of one trace (from stack frames).
    trace_id INTEGER NOT NULL,
    file_id  INTEGER NOT NULL,
    path     TEXT NOT NULL,
    PRIMARY KEY (trace_id, file_id)
) WITHOUT ROWID;

CREATE TABLE frames (
    -- Distinct stack frames (a PC with its function, file and line).
    trace_id INTEGER NOT NULL,
    frame_id INTEGER NOT NULL,
    pc       INTEGER NOT NULL,  -- program counter (as a signed 64-bit integer)
    func_id  INTEGER NOT NULL,  -- → funcs
    file_id  INTEGER NOT NULL,  -- → files
    line     INTEGER NOT NULL,
    PRIMARY KEY (trace_id, frame_id)
) WITHOUT ROWID;

CREATE TABLE stacks (
    -- Distinct stacks of a trace (deduplicated across generations by their frame list).
    trace_id INTEGER NOT NULL,
    stack_id INTEGER NOT NULL,  -- 1, 2, …; events use NULL for "no stack"
    depth    INTEGER NOT NULL,  -- number of frames
    leaf_func_id INTEGER,       -- → funcs: the innermost frame's function
    root_func_id INTEGER,       -- → funcs: the outermost frame's function
    funcs        TEXT NOT NULL, -- leaf→root function names joined with ';' ('' for a stack without frames): how
                                --   Go's profiles and the saved queries name a stack
    funcs_id     INTEGER NOT NULL, -- the first stack_id with the same `funcs`: stacks that differ only in PCs,
                                --   files or lines share it (derived tables group by it)
    PRIMARY KEY (trace_id, stack_id)
) WITHOUT ROWID;

CREATE TABLE stack_frames (
    -- The frames of each stack, leaf first (depth 0 is the innermost frame).
    trace_id INTEGER NOT NULL,
    stack_id INTEGER NOT NULL,
    depth    INTEGER NOT NULL,  -- 0 = leaf
    frame_id INTEGER NOT NULL,  -- → frames
    PRIMARY KEY (trace_id, stack_id, depth)
) WITHOUT ROWID;

-- Every parsed event, losslessly, in Go's order (`tracedb dump` can be rebuilt from it).
-- Kind-specific columns are NULL when they do not apply.

CREATE TABLE events (
    -- Every parsed event, losslessly, in Go's order (`tracedb dump --from-db` rebuilds Go's text from it).
    -- `events` holds one row per event (97% of them state transitions), so its width decides the database
    -- size and the ingest speed: kind-specific fields that few events have live in `event_args`, and a
    -- closed goroutine state interval is stored on the event that closes it (iv_*), relative to that event.
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

CREATE TABLE event_args (
    -- The integer fields of the few event kinds that have them (one row per such event).
    trace_id       INTEGER NOT NULL,
    seq            INTEGER NOT NULL,  -- → events.seq
    task_id        INTEGER,           -- TaskBegin/TaskEnd/RegionBegin/RegionEnd/Log: the task id
    parent_task_id INTEGER,           -- TaskBegin/TaskEnd: the parent task id
    value          INTEGER,           -- Metric: integer value (uint64 bit pattern); Sync: N
    text_id        INTEGER,           -- → strings: Log message, or a string Metric value
    PRIMARY KEY (trace_id, seq)
) WITHOUT ROWID;

CREATE TABLE event_details (
    -- RangeEnd attributes, Sync clock snapshots and experimental batches, Experimental event arguments.
    trace_id INTEGER NOT NULL,
    seq      INTEGER NOT NULL,  -- → events.seq
    detail   TEXT NOT NULL,     -- JSON object
    PRIMARY KEY (trace_id, seq)
) WITHOUT ROWID;

CREATE TABLE goroutines (
    -- One row per goroutine, with Go's summary (internal/trace Summarizer, as `go tool trace` shows it).
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

CREATE TABLE goroutine_block (
    -- Block time per goroutine and reason (Go's GoroutineExecStats.BlockTimeByReason).
    trace_id INTEGER NOT NULL,
    goid     INTEGER NOT NULL,
    reason   TEXT NOT NULL,  -- runtime reason: 'chan receive', 'sync', 'select', 'sleep', 'network', … ('' = first seen waiting)
    ns       INTEGER NOT NULL,
    PRIMARY KEY (trace_id, goid, reason)
) WITHOUT ROWID;

CREATE TABLE goroutine_ranges (
    -- Time per goroutine inside runtime ranges (Go's RangeTime): 'GC mark assist', 'stop-the-world (…)', ….
    trace_id   INTEGER NOT NULL,
    goid       INTEGER NOT NULL,
    range_name TEXT NOT NULL,
    ns         INTEGER NOT NULL,
    PRIMARY KEY (trace_id, goid, range_name)
) WITHOUT ROWID;

CREATE TABLE goroutine_labels (
    -- Goroutine labels (Label events, e.g. 'GC (dedicated)' on GC workers): the last label seen per goroutine.
    trace_id INTEGER NOT NULL,
    goid     INTEGER NOT NULL,
    label    TEXT NOT NULL,
    ts_ns    INTEGER NOT NULL,  -- when it was (last) labelled
    PRIMARY KEY (trace_id, goid, label)
) WITHOUT ROWID;

CREATE TABLE goroutine_open_intervals (
    -- Each goroutine's life is a sequence of back-to-back state intervals, covering it exactly once from
    -- creation (or the Sync before it was first seen, as Go's summary counts it) to its end or the trace end;
    -- re-assertions of the same state at generation boundaries do not split an interval. Closed intervals
    -- are stored on the event that closes them (events.iv_*); the ones still open at the trace end are
    -- here. Query them through the view `goroutine_states`.
    trace_id    INTEGER NOT NULL,
    goid        INTEGER NOT NULL,
    start_seq   INTEGER NOT NULL,  -- → events.seq: the transition into the state
    start_ns    INTEGER NOT NULL,
    state       INTEGER NOT NULL,  -- → go_states
    flags       INTEGER NOT NULL,  -- as events.iv_flags
    blocked_ns  INTEGER,           -- as events.iv_blocked_ns (up to the trace end)
    PRIMARY KEY (trace_id, goid)
) WITHOUT ROWID;

CREATE TABLE procs (
    -- One row per P seen in the trace.
    trace_id   INTEGER NOT NULL,
    proc_id    INTEGER NOT NULL,
    running_ns INTEGER NOT NULL,  -- time Running (owned by an M)
    idle_ns    INTEGER NOT NULL,  -- time Idle
    -- Derived at ingest from the goroutine intervals (proc-utilization reads them; the pure-SQL definition over
    -- goroutine_states and ranges is the test oracle Tests/TraceWarehouseTests/Oracle/proc-utilization.sql):
    goroutine_ns INTEGER NOT NULL DEFAULT 0,  -- goroutines Running on the P (goroutine_states state 3 whose opening event was on it)
    gc_worker_ns INTEGER NOT NULL DEFAULT 0,  -- the part of goroutine_ns run by runtime.gcBgMarkWorker goroutines
    assist_ns    INTEGER NOT NULL DEFAULT 0,  -- the part of goroutine_ns inside 'GC mark assist' ranges of the running goroutine
    PRIMARY KEY (trace_id, proc_id)
) WITHOUT ROWID;

CREATE TABLE proc_states (
    -- Each P's Running/Idle intervals, from its first appearance to its last transition or the trace end.
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

CREATE TABLE threads (
    -- One row per OS thread (M) seen in the trace.
    trace_id   INTEGER NOT NULL,
    thread_id  INTEGER NOT NULL,
    running_ns INTEGER NOT NULL,  -- holding a P, running Go code
    syscall_ns INTEGER NOT NULL,  -- a goroutine on it is in a syscall
    idle_ns    INTEGER NOT NULL,  -- neither
    PRIMARY KEY (trace_id, thread_id)
) WITHOUT ROWID;

CREATE TABLE thread_state_names (
    -- Names of thread (M) states in thread_intervals / thread_states.
    state INTEGER PRIMARY KEY,
    name  TEXT NOT NULL
);
INSERT INTO thread_state_names VALUES (0, 'idle'), (1, 'running'), (2, 'syscall');

CREATE TABLE thread_intervals (
    -- Each M's intervals from its first event: running (holds a P), syscall (a goroutine on it is in a
    -- syscall, with or without a P), idle (neither). Zero-length intervals are not stored. The view
    -- `thread_states` adds names and durations.
    trace_id    INTEGER NOT NULL,
    thread_id   INTEGER NOT NULL,
    start_ns    INTEGER NOT NULL,
    duration_ns INTEGER NOT NULL,  -- the interval ends at start_ns + duration_ns
    state       INTEGER NOT NULL,  -- → thread_state_names: 0 idle, 1 running (holds a P), 2 syscall
    proc_id     INTEGER,           -- the P it holds, if any
    goid        INTEGER,           -- syscall: the goroutine in the syscall
    PRIMARY KEY (trace_id, thread_id, start_ns)
) WITHOUT ROWID;

CREATE TABLE tasks (
    -- User tasks (runtime/trace.NewTask), as Go's summary sees them.
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

CREATE TABLE regions (
    -- User regions (runtime/trace.WithRegion / StartRegion) per goroutine, as Go's summary sees them.
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

CREATE TABLE logs (
    -- User log messages (runtime/trace.Log).
    trace_id INTEGER NOT NULL,
    seq      INTEGER NOT NULL,    -- → events.seq
    ts_ns    INTEGER NOT NULL,
    goid     INTEGER,
    task_id  INTEGER NOT NULL,    -- 0 = no task
    category TEXT NOT NULL,
    message  TEXT NOT NULL,
    PRIMARY KEY (trace_id, seq)
) WITHOUT ROWID;

CREATE TABLE ranges (
    -- Runtime ranges paired from RangeBegin/Active/End: GC mark phase, sweeps, mark assists, STW.
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

CREATE TABLE gc_cycles (
    -- GC cycles: the 'GC concurrent mark phase' ranges, with the heap around them.
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

CREATE TABLE stw_pauses (
    -- Stop-the-world pauses (ranges named 'stop-the-world (reason)').
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

CREATE TABLE cpu_samples (
    -- Runtime metrics over time (Metric events): heap alloc, heap goal, GOMAXPROCS ….
    -- CPU profile samples (StackSample events), present when the program ran the CPU profiler.
    trace_id  INTEGER NOT NULL,
    seq       INTEGER NOT NULL,   -- → events.seq
    ts_ns     INTEGER NOT NULL,
    thread_id INTEGER,
    proc_id   INTEGER,
    goid      INTEGER,
    stack_id  INTEGER,            -- → stacks
    PRIMARY KEY (trace_id, seq)
) WITHOUT ROWID;

CREATE TABLE mutator_util (
    -- Mutator utilization step function (system view, `go tool trace`'s default flags: STW, background
    -- mark workers, mark assists): util holds from ts_ns until the next row. tracedb counts a background
    -- mark worker once per run; Go 1.27.3's MutatorUtilizationV2 counts it again at every later GC label
    -- event but uncounts it once, so its per-P GC counts drift upwards and its utilization sinks to 0 for
    -- the rest of the trace after a few GC cycles (and goes stale across GOMAXPROCS changes). See `mmu`.
    trace_id INTEGER NOT NULL,
    ts_ns    INTEGER NOT NULL,
    util     REAL NOT NULL,       -- fraction of GOMAXPROCS available to the program, 0..1
    PRIMARY KEY (trace_id, ts_ns)
) WITHOUT ROWID;

CREATE TABLE mmu (
    -- Minimum mutator utilization for standard windows, computed at ingest (Go's MMUCurve).
    trace_id  INTEGER NOT NULL,
    window_ns INTEGER NOT NULL,   -- 1 ms, 10 ms, 100 ms, 1 s (clipped to the trace length, as Go does)
    mmu       REAL NOT NULL,      -- tracedb: the worst utilization over any window of that length (from mutator_util)
    worst_start_ns INTEGER,       -- start of that worst window
    go_mmu    REAL NOT NULL,      -- what `go tool trace` (Go 1.27.3) reports, including its worker double count; on a trace that
                                  -- changes GOMAXPROCS tracedb resizes the per-P counts Go leaves stale, so there it differs from Go
    go_worst_start_ns INTEGER,
    PRIMARY KEY (trace_id, window_ns)
) WITHOUT ROWID;

-- ───────────────────────── Derived at ingest ─────────────────────────
-- What the saved queries would otherwise recompute with window functions and sorts over millions of
-- intervals, computed once by the loader while it streams the trace (as Perfetto's importers compute
-- thread states and counter tracks). Each table names the saved queries that read it; the pure-SQL
-- definitions over goroutine_states that they replace are kept in Tests/TraceWarehouseTests/Oracle/
-- and checked against these tables on every fixture.

CREATE TABLE lengths (
    -- Exact distributions of how long goroutines stayed in a state, as counts of equal lengths: a saved
    -- query's counts, sums and nearest-rank percentiles over waits or running slices read a few thousand
    -- rows here instead of sorting millions of intervals (trace clocks tick in steps of 64 ns on most
    -- machines, so lengths repeat). Every interval is counted once per measure; only intervals that closed
    -- before the trace end are counted (Go's profiles drop the open ones too).
    trace_id  INTEGER NOT NULL,
    measure   TEXT NOT NULL,     -- what is counted, and what `key` groups it by:
        -- 'sched_latency'            Runnable → Running waits, first runs excluded, from the event that made the
        --                            goroutine runnable (goroutine_states.event_ns) to its run; key ''
        --                            (sched-latency, Go's scheduler-latency profile)
        -- 'sched_latency_by_function' the same waits; key: the goroutine's start function (goroutines.name)
        -- 'sched_latency_by_stack'   the same waits; key: stacks.funcs_id of the stack of the event that made it
        --                            runnable (0: none) (sched-latency-by-stack)
        -- 'sched_latency_by_cause'   the same waits plus first runs (measured from start_ns); key: how the goroutine
        --                            became runnable: 'first run', 'woken', 'syscall returned', 'preempted', 'yielded',
        --                            'stopped (REASON)' (sched-latency-by-cause)
        -- 'sched_waiting_goroutines' key: a start function; count: its goroutines with at least one of the
        --                            'sched_latency' waits; length_ns 0 (sched-latency-by-function)
        -- 'runnable'                 every Runnable interval from start_ns, first runs included; key 'first run' or
        --                            'other' (sched-latency-with-start)
        -- 'running'                  running slices (Running intervals); key: how the slice ended: 'blocked',
        --                            'preempted', 'yield', 'syscall', 'exit' (or blocked forever), 'other' (context-switching)
        -- 'running_by_function'      running slices; key: the goroutine's start function (context-switching-by-function)
        -- 'running_to_syscall_by_function' the slices of 'running_by_function' that ended by entering a syscall
    key       NOT NULL,          -- the group within the measure: text, or an integer for the by_stack measures
                                 --   (declared without a type, so values keep the type they were written with)
    length_ns INTEGER NOT NULL,  -- the length of the intervals counted in this row
    count     INTEGER NOT NULL,  -- how many intervals of this measure and key lasted exactly length_ns
    PRIMARY KEY (trace_id, measure, key, length_ns)
) WITHOUT ROWID;

CREATE TABLE idle_p_episode_lengths (
    -- The scheduler's step functions (goroutines runnable, Ps idle), swept once over the whole timeline.
    -- An "episode" is a maximal stretch of time during which at least one P was idle while at least one
    -- goroutine was runnable (goroutine_intervals state 2, first runs and intervals open at the trace end
    -- included; proc_states state 3): work waiting although a processor was free.
    -- idle-ps-while-runnable reads the episodes by length:
    trace_id    INTEGER NOT NULL,
    duration_ns INTEGER NOT NULL,  -- an episode length
    count       INTEGER NOT NULL,  -- episodes of exactly this length
    waiting_goroutine_ns INTEGER NOT NULL, -- their runnable goroutine-time (goroutines × time) in all
    PRIMARY KEY (trace_id, duration_ns)
) WITHOUT ROWID;

CREATE TABLE idle_p_episodes_longest (
    -- The 1,000 longest episodes (see idle_p_episode_lengths), for idle-ps-while-runnable-worst.
    trace_id       INTEGER NOT NULL,
    rank           INTEGER NOT NULL,  -- 1 = longest; ties by start
    start_ns       INTEGER NOT NULL,
    end_ns         INTEGER NOT NULL,
    max_idle_procs INTEGER NOT NULL,  -- most Ps idle at one time during it
    max_runnable   INTEGER NOT NULL,  -- most goroutines runnable at one time during it
    waiting_goroutine_ns INTEGER NOT NULL, -- runnable goroutine-time inside it
    runnable_functions TEXT NOT NULL, -- the five start functions with the most runnable time inside it, most first
                                      --   (ties by name), joined with ', '
    PRIMARY KEY (trace_id, rank)
) WITHOUT ROWID;

CREATE TABLE sched_summary (
    -- One row per trace: totals and peaks of the same sweep, for goroutine-peak and idle-ps-while-runnable.
    trace_id            INTEGER PRIMARY KEY,
    runnable_ns         INTEGER NOT NULL,  -- all runnable goroutine-time (every Runnable interval, open ones to the trace end)
    peak_runnable       INTEGER NOT NULL,  -- most goroutines runnable at one time (0: none ever)
    peak_runnable_at_ns INTEGER,           -- the first time that many were runnable
    created             INTEGER NOT NULL,  -- goroutines created during the trace (NotExist → another state)
    max_created_per_ms  INTEGER NOT NULL,  -- most creations within one millisecond of the trace (ts_ns / 1e6)
    peak_alive          INTEGER NOT NULL DEFAULT 0,  -- most goroutines alive at one time, from goroutines: +1 at
                                           --   creation_ns (0 when NULL), -1 at end_ns (0: no goroutines)
    peak_alive_at_ns    INTEGER            -- the first time that many were alive
);

CREATE TABLE sched_delay_causes (
    -- The waits of sched-latency (Runnable after a first run, not open at the trace end), attributed moment
    -- by moment to what else was going on, by the same sweep: for sched-delay-causes. Each instant has one
    -- cause, the first that holds of: 'stop-the-world' (a stw_pauses pause with a start), 'idle P available'
    -- (a P in proc_states Idle), 'all Ps busy: GC workers' (a runtime.gcBgMarkWorker goroutine Running),
    -- 'all Ps busy: P held in syscall' (a Syscall interval on a P, before the P was taken away), 'all Ps
    -- busy: goroutines'. Only causes with some wait have a row. The pure-SQL definition is the test oracle
    -- Tests/TraceWarehouseTests/Oracle/sched-delay-causes.sql.
    trace_id    INTEGER NOT NULL,
    cause       TEXT NOT NULL,
    wait_ns     INTEGER NOT NULL,  -- goroutine wait time under the cause (two goroutines waiting 1 ms together: 2 ms)
    max_waiting INTEGER NOT NULL,  -- most goroutines waiting at once under the cause
    PRIMARY KEY (trace_id, cause)
) WITHOUT ROWID;

CREATE TABLE goroutine_function_stats (
    -- Per start function, how each time category of Go's goroutine summary (the goroutines table) is spread
    -- over the function's goroutines, for goroutine-analysis-stats: one row per function and category. Block
    -- categories by goroutine_block reason as goroutine-analysis counts them: block_sync = a reason naming
    -- chan, sync or select (not 'network'), block_gc = naming GC but none of those. The pure-SQL definition
    -- is the test oracle Tests/TraceWarehouseTests/Oracle/goroutine-analysis-stats.sql.
    trace_id   INTEGER NOT NULL,
    function   TEXT NOT NULL,     -- goroutines.name
    stat_idx   INTEGER NOT NULL,  -- 1 lifetime (total_ns), 2 exec, 3 sched_wait, 4 syscall, 5 syscall_block, 6 block,
                                  --   7 block_sync, 8 block_network, 9 block_sleep, 10 block_gc, 11 unknown
    stat       TEXT NOT NULL,     -- that name
    goroutines INTEGER NOT NULL,  -- goroutines with this start function (a goroutine without time in the category counts as 0)
    total_ns   INTEGER NOT NULL,  -- sum over them
    min_ns     INTEGER NOT NULL,
    avg_ns     INTEGER NOT NULL,  -- total_ns / goroutines, truncated
    p50_ns     INTEGER NOT NULL,  -- nearest rank: the smallest value with at least 50% of the goroutines at or below it
    p99_ns     INTEGER NOT NULL,  -- the same at 99%
    max_ns     INTEGER NOT NULL,
    function_exec_ns INTEGER NOT NULL,  -- the function's exec total (the query's order: most first)
    PRIMARY KEY (trace_id, function, stat_idx)
) WITHOUT ROWID;

CREATE TABLE wait_lengths (
    -- The Waiting and Syscall intervals of goroutine_states counted by equal length, keyed by the reason and
    -- stack of the event that opened them, for blocking-by-reason, blocking-by-stack, syscalls and
    -- syscalls-by-stack: their counts, sums and nearest-rank percentiles read these rows instead of every event.
    -- An interval still open at the trace end is counted with its length up to the trace end (and in
    -- open_count). Counted at ingest as each interval closes; the pure-SQL definitions are the test oracles
    -- Tests/TraceWarehouseTests/Oracle/blocking-by-reason.sql, blocking-by-stack.sql, syscalls.sql and
    -- syscalls-by-stack.sql.
    trace_id      INTEGER NOT NULL,
    state         INTEGER NOT NULL,  -- → go_states: 4 Waiting, 5 Syscall
    reason_id     INTEGER NOT NULL,  -- → strings: the reason of the transition that opened the interval
    stack_id      INTEGER NOT NULL,  -- → stacks: stacks.funcs_id of the stack of that event, the first stack with the
                                     --   same function list (0: it had no stack, or one whose `funcs` is '')
    length_ns     INTEGER NOT NULL,  -- the length of the intervals counted in this row (goroutine_states.duration_ns)
    count         INTEGER NOT NULL,  -- how many lasted exactly length_ns
    open_count    INTEGER NOT NULL,  -- of those, intervals still open at the trace end
    blocked_count INTEGER NOT NULL,  -- of those, syscalls that lost their P (blocked_ns > 0); 0 for waits
    blocked_ns    INTEGER NOT NULL,  -- their time after losing the P, summed; 0 for waits
    PRIMARY KEY (trace_id, state, reason_id, stack_id, length_ns)
) WITHOUT ROWID;

CREATE TABLE wakeup_lengths (
    -- The closed Waiting intervals counted by equal length, keyed by who ended them, for wakeups: the start
    -- function of the goroutine whose transition made the waiting goroutine Runnable (the waker), the woken
    -- goroutine's start function, and the reason it waited. Counted at ingest as each wait closes; the
    -- pure-SQL definition is the test oracle Tests/TraceWarehouseTests/Oracle/wakeups.sql.
    trace_id      INTEGER NOT NULL,
    waker_func_id INTEGER NOT NULL,  -- → funcs: goroutines.name of the waker (0: '', the wait was not ended by
                                     --   another goroutine making it Runnable, or the waker has no name)
    woken_func_id INTEGER NOT NULL,  -- → funcs: goroutines.name of the waiting goroutine (0: '')
    reason_id     INTEGER NOT NULL,  -- → strings: the reason it waited
    length_ns     INTEGER NOT NULL,  -- the length of the waits counted in this row
    count         INTEGER NOT NULL,  -- how many lasted exactly length_ns
    PRIMARY KEY (trace_id, waker_func_id, woken_func_id, reason_id, length_ns)
) WITHOUT ROWID;

CREATE TABLE profile_stacks (
    -- Go's four trace profiles (cmd/trace pprof.go, `go tool trace -pprof=sched|syscall|sync|net`), summed at
    -- ingest per stack of the event that moved the goroutine into the state, for sched-profile, syscall-profile,
    -- block-profile and net-profile. Each goroutine interval in the profile's state, from the transition into it
    -- until the next transition to another state, counts its overlap with the goroutine's [start_ns, end_ns or
    -- trace end] when that overlap is positive; intervals still open at the trace end are not counted. The pure-SQL
    -- definitions are the test oracles Tests/TraceWarehouseTests/Oracle/sched-profile.sql (and syscall-, block-,
    -- net-profile.sql).
    trace_id INTEGER NOT NULL,
    profile  TEXT NOT NULL,     -- 'sched': Runnable; 'syscall': Syscall; 'block': Waiting with a reason naming
                                --   chan, sync or select; 'net': Waiting with the reason 'network'
    stack_id INTEGER NOT NULL,  -- → stacks: the stack of the event that opened the interval (0: that event had none)
    count    INTEGER NOT NULL,  -- intervals with a positive overlap
    total_ns INTEGER NOT NULL,  -- the sum of their overlaps
    PRIMARY KEY (trace_id, profile, stack_id)
) WITHOUT ROWID;

CREATE TABLE timeline_buckets (
    -- How the timeline's time was spent, bucket by bucket: the step functions of goroutine and P states
    -- integrated over fixed buckets, for utilization-over-time and goroutines-over-time. The bucket width is
    -- a power of ten ns, the smallest that cuts the trace into at most 10,000 buckets, so every width the
    -- queries pick by default (1, 2 or 5 × 10^k ns, at most 100 buckets) is a whole number of buckets and a
    -- query sums rows instead of cutting millions of intervals. A query asked for a width that is not a
    -- multiple of width_ns falls back to the intervals. Only buckets with some time in them have a row.
    -- The pure-SQL definitions are the test oracles Tests/TraceWarehouseTests/Oracle/utilization-over-time.sql
    -- and goroutines-over-time.sql.
    trace_id        INTEGER NOT NULL,
    bucket          INTEGER NOT NULL,  -- the bucket [bucket × width_ns, (bucket + 1) × width_ns) of the trace's time
    width_ns        INTEGER NOT NULL,  -- the bucket width (the same on every row of a trace)
    runnable_ns     INTEGER NOT NULL,  -- goroutine-time Runnable (goroutine_intervals state 2), inside the bucket
    running_ns      INTEGER NOT NULL,  -- goroutine-time Running (state 3), GC mark workers included
    waiting_ns      INTEGER NOT NULL,  -- goroutine-time Waiting (state 4)
    syscall_ns      INTEGER NOT NULL,  -- goroutine-time in a Syscall (state 5)
    gc_worker_ns    INTEGER NOT NULL,  -- the part of running_ns run by runtime.gcBgMarkWorker goroutines
    proc_running_ns INTEGER NOT NULL,  -- P-time Running (proc_states state 2)
    proc_idle_ns    INTEGER NOT NULL,  -- P-time Idle (proc_states state 3)
    PRIMARY KEY (trace_id, bucket)
) WITHOUT ROWID;

-- ───────────────────────────── Views ─────────────────────────────
-- For humans in the sqlite3 shell and for the saved queries: ids joined back to text, intervals
-- read off the events that close them.

CREATE VIEW stack_text AS
-- A stack as text, leaf first, one 'function file:line' per line, and its function names (`stacks.funcs`).
SELECT sf.trace_id, sf.stack_id,
       group_concat(fn.name || ' ' || fl.path || ':' || fr.line, char(10)) AS text,
       group_concat(fn.name, ';') AS funcs   -- leaf→root function names joined with ';' (as stacks.funcs)
FROM (SELECT * FROM stack_frames ORDER BY trace_id, stack_id, depth) sf
JOIN frames fr ON fr.trace_id = sf.trace_id AND fr.frame_id = sf.frame_id
JOIN funcs fn ON fn.trace_id = sf.trace_id AND fn.func_id = fr.func_id
JOIN files fl ON fl.trace_id = sf.trace_id AND fl.file_id = fr.file_id
GROUP BY sf.trace_id, sf.stack_id;

CREATE VIEW events_v AS
-- Events with names instead of ids and absolute time.
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

CREATE VIEW goroutine_intervals AS
-- Every goroutine state interval, one row each: from the goroutine's creation (or the Sync before it was
-- first seen) to its end or the trace end, back to back, without the details of the event that opened
-- it (see goroutine_states). Closed intervals are read off the events that close them (events.iv_*),
-- the ones open at the trace end off goroutine_open_intervals. Time-only aggregates read this lean
-- view: SQLite evaluates a UNION ALL view inside an aggregate as a whole, joins included, even when no
-- joined column is used.
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

CREATE VIEW goroutine_states AS
-- Every goroutine state interval with the details of the event that moved the goroutine into the state
-- (reason, stack — Go's profile stack —, P and M) and, for waits, the goroutine that woke it.
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

CREATE VIEW goroutine_states_v AS
-- Goroutine state intervals with state names, reasons and milliseconds.
SELECT s.trace_id, s.goid, g.name AS goroutine, st.name AS state, r.value AS reason,
       s.start_ns, s.end_ns, s.duration_ns, round(s.duration_ns / 1e6, 3) AS duration_ms,
       s.proc_id, s.thread_id, s.cause_goid, s.unblock_goid, s.open_at_end, s.stack_id
FROM goroutine_states s
JOIN go_states st ON st.state = s.state
LEFT JOIN goroutines g ON g.trace_id = s.trace_id AND g.goid = s.goid
LEFT JOIN strings r ON r.trace_id = s.trace_id AND r.string_id = s.reason_id;


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

CREATE VIEW thread_states AS
-- Thread (M) intervals with state names and end times.
SELECT t.trace_id, t.thread_id, t.start_ns, t.start_ns + t.duration_ns AS end_ns, t.duration_ns,
       t.state, n.name AS state_name, t.proc_id, t.goid
FROM thread_intervals t JOIN thread_state_names n ON n.state = t.state;

CREATE VIEW goroutines_v AS
-- Goroutines with their summary in milliseconds.
SELECT trace_id, goid, name, is_system, creator_goid,
       round(creation_ns / 1e6, 3) AS created_ms, round(end_ns / 1e6, 3) AS ended_ms,
       (SELECT name FROM go_states WHERE state = final_state) AS final_state,
       round(total_ns / 1e6, 3) AS total_ms, round(exec_ns / 1e6, 3) AS exec_ms,
       round(sched_wait_ns / 1e6, 3) AS sched_wait_ms, round(syscall_ns / 1e6, 3) AS syscall_ms,
       round(syscall_block_ns / 1e6, 3) AS syscall_block_ms, round(block_ns / 1e6, 3) AS block_ms,
       round(unknown_ns / 1e6, 3) AS unknown_ms
FROM goroutines;

CREATE VIEW frames_v AS
-- Frames with text.
SELECT fr.trace_id, fr.frame_id, printf('0x%x', fr.pc) AS pc, fn.name AS func, fl.path AS file, fr.line
FROM frames fr
JOIN funcs fn ON fn.trace_id = fr.trace_id AND fn.func_id = fr.func_id
JOIN files fl ON fl.trace_id = fr.trace_id AND fl.file_id = fr.file_id;

CREATE VIEW runs AS
-- Traces with their labels folded into one text column and durations in ms.
SELECT t.trace_id, t.file_name, t.go_version, t.ingested_at, round(t.duration_ns / 1e6, 3) AS duration_ms,
       t.event_count, t.goroutine_count, t.gc_count, t.gomaxprocs, t.complete,
       (SELECT group_concat(key || '=' || value, ' ') FROM trace_labels l WHERE l.trace_id = t.trace_id) AS labels
FROM traces t;
