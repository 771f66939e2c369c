// The results of ``GoroutineSummarizer``: Go's internal/trace `Summary`, `GoroutineSummary`,
// `UserRegionSummary` and `UserTaskSummary`, as Swift values.

/// Go's `trace.IsSystemGoroutine`: true for an empty entry function (e.g. a locked goroutine on an
/// extra M) and for `runtime.*` other than `runtime.main`. `runtime/trace.*` is not system.
public func isSystemGoroutine(_ entryFunction: String) -> Bool {
    entryFunction.isEmpty || (entryFunction != "runtime.main" && entryFunction.hasPrefix("runtime."))
}

/// Everything ``GoroutineSummarizer`` learned about a trace (Go's `trace.Summary`).
public struct TraceSummary: Sendable {
    /// Every goroutine that made at least one real (non-repeated) state transition. Empty from a
    /// ``TraceAnalyses`` made with `collectGoroutines: false` (see
    /// ``TraceAnalyses/consumeGoroutineSummaries(_:)``).
    public var goroutines: [GoID: GoroutineSummary]
    /// Every task that some event named (begin, end, region, log, or as a parent).
    public var tasks: [TaskID: TaskSummary]
    /// The time of the first event fed (cmd/trace `startTime()`: the first Sync); nil if none.
    public var startTime: Int64?
    /// The time of the last event fed (cmd/trace `endTime()`, the Summarizer's `lastTs`: the final
    /// Sync); nil if none. Open states, regions and tasks are closed here.
    public var endTime: Int64?

    /// The goroutines ordered by id.
    public var goroutinesByID: [GoroutineSummary] { goroutines.values.sorted { $0.id < $1.id } }
    /// The tasks ordered by id.
    public var tasksByID: [TaskSummary] { tasks.values.sorted { $0.id < $1.id } }

    /// Go's `UserTaskSummary.Descendents()`: the task itself first, then all its children
    /// recursively (depth first, in the order the children were first seen).
    public func descendants(of id: TaskID) -> [TaskSummary] {
        guard let root = tasks[id] else { return [] }
        var out: [TaskSummary] = []
        var visited = Set<TaskID>()
        func visit(_ t: TaskSummary) {
            guard visited.insert(t.id).inserted else { return } // defend against cycles
            out.append(t)
            for c in t.children { if let child = tasks[c] { visit(child) } }
        }
        visit(root)
        return out
    }
}

/// Statistics and execution details of one goroutine (Go's `GoroutineSummary`), plus two values
/// tracegolden adds: ``lastStartTime`` and ``finalState``.
///
/// Time points are absolute trace nanoseconds. Where Go uses 0 for "unset" these are optionals.
@dynamicMemberLookup
public struct GoroutineSummary: Sendable {
    public var id: GoID
    /// The function of the root (outermost) frame of the first goroutine state-transition stack
    /// seen for this goroutine; `""` if no stack was ever seen.
    public var name: String
    /// The PC of that frame (0 if none).
    public var pc: UInt64
    /// When the goroutine first appeared: the GoCreate time, or for a goroutine first seen through
    /// a GoStatus event (Undetermined → X) the time of the most recent Sync event.
    public var creationTime: Int64
    /// The first time it started running; nil if it never ran.
    public var startTime: Int64?
    /// When it exited (transition to NotExist) or blocked with reason `"forever"`; nil if it was
    /// alive at the end of the trace.
    public var endTime: Int64?
    /// The time of the last transition X → Running with X ≠ Running (tracegolden's
    /// `last_start_time`; Go's Summarizer discards it); nil if it never ran.
    public var lastStartTime: Int64?
    /// The new state of the last transition seen for the goroutine (tracegolden's `final_state`).
    /// Stays `waiting` after a `"forever"` block even though ``endTime`` is set.
    public var finalState: GoState
    /// Where its time went, from ``creationTime`` to ``endTime`` or the end of the trace.
    public var stats: GoroutineExecStats
    /// Its user regions, sorted by start time (regions without a start first). Regions still open
    /// when a *system* goroutine ends (or at trace end) are not listed, as in Go.
    public var regions: [RegionSummary]

    /// Go's `IsSystemGoroutine(Name)`.
    public var isSystem: Bool { isSystemGoroutine(name) }

    /// Direct access to the ``stats`` fields, e.g. `g.execTime`.
    public subscript<T>(dynamicMember keyPath: KeyPath<GoroutineExecStats, T>) -> T { stats[keyPath: keyPath] }
}

/// A user region on one goroutine, with the goroutine's stats while it was active
/// (Go's `UserRegionSummary`).
public struct RegionSummary: Sendable {
    public var taskID: TaskID
    /// The region type (`""` for the synthetic task-inheritance region).
    public var name: String
    /// Normally the RegionBegin event. For the synthetic region a goroutine gets when it is created
    /// inside a region of its creator, the GoCreate state transition. nil for a RegionEnd without a
    /// matching RegionBegin.
    public var start: Event?
    /// Normally the RegionEnd event; the goroutine's NotExist (or `"forever"`) transition if it ended
    /// inside the region; nil if the region was still open at the end of the trace.
    public var end: Event?
    /// The goroutine's stats at ``end`` minus its stats at ``start`` (Go's `snapshotStat`/`sub`).
    public var stats: GoroutineExecStats

    /// The Summarizer's fake "task inheritance" region: empty name and a state-transition start.
    public var isSynthetic: Bool { name.isEmpty && start?.kind == .stateTransition }

    /// cmd/trace `regionInterval`: ``start``/``end`` times, with a missing start at `traceStart` and
    /// a missing end at `traceEnd`.
    public func interval(traceStart: Int64, traceEnd: Int64) -> (start: Int64, end: Int64) {
        (start?.time ?? traceStart, end?.time ?? traceEnd)
    }

    /// cmd/trace `regionTopStackFrame`: despite Go's name, the **last** (root) frame of the start
    /// event's stack; nil when there is no start or no stack.
    public var topStackFrame: StackFrame? {
        guard let start, !start.stack.isEmpty else { return nil }
        return start.stack.frames.last
    }
}

/// A user task (Go's `UserTaskSummary`).
public struct TaskSummary: Sendable {
    public var id: TaskID
    /// The task type (from TaskBegin/TaskEnd); `""` for a task only mentioned by other events.
    public var name: String
    /// The parent task's id; nil when unknown.
    public var parent: TaskID?
    /// The ids of the child tasks, in the order they were first seen.
    public var children: [TaskID]
    /// The TaskBegin event, if seen.
    public var start: Event?
    /// The TaskEnd event, if seen.
    public var end: Event?
    /// The Log events of this task, in trace order.
    public var logs: [Event]
    /// Every region begun with this task (system goroutines included), in the order they began;
    /// an unmatched RegionEnd adds its region when it is seen.
    public var regions: [RegionSummary]
    /// The goroutines of the TaskBegin, TaskEnd, Log, RegionBegin and unmatched RegionEnd events
    /// naming this task (not goroutines that merely inherited it at creation). May contain
    /// ``noGoroutine`` if such an event had no goroutine.
    public var goroutines: Set<GoID>

    /// Go's `Complete()`: both a begin and an end were seen.
    public var isComplete: Bool { start != nil && end != nil }

    /// cmd/trace `taskInterval`: like ``RegionSummary/interval(traceStart:traceEnd:)``.
    public func interval(traceStart: Int64, traceEnd: Int64) -> (start: Int64, end: Int64) {
        (start?.time ?? traceStart, end?.time ?? traceEnd)
    }
}
