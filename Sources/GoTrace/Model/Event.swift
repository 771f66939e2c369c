/// The kind of a parsed event (`trace.EventKind`); raw values and names match Go's.
public enum EventKind: UInt16, Sendable, CaseIterable {
    case bad = 0, sync, metric, label, stackSample, rangeBegin, rangeActive, rangeEnd,
         taskBegin, taskEnd, regionBegin, regionEnd, log, stateTransition, experimental

    /// Go's `EventKind.String()`, e.g. `StateTransition`.
    public var name: String {
        switch self {
        case .bad: "Bad"
        case .sync: "Sync"
        case .metric: "Metric"
        case .label: "Label"
        case .stackSample: "StackSample"
        case .rangeBegin: "RangeBegin"
        case .rangeActive: "RangeActive"
        case .rangeEnd: "RangeEnd"
        case .taskBegin: "TaskBegin"
        case .taskEnd: "TaskEnd"
        case .regionBegin: "RegionBegin"
        case .regionEnd: "RegionEnd"
        case .log: "Log"
        case .stateTransition: "StateTransition"
        case .experimental: "Experimental"
        }
    }
}

/// The kind-specific part of an ``Event``.
public enum EventPayload: Sendable {
    case none
    case sync(Sync)
    case metric(Metric)
    case label(Label)
    case range(Range, attributes: [RangeAttribute])
    case task(Task)
    case region(Region)
    case log(Log)
    case stateTransition(StateTransition)
    case experimental(ExperimentalEvent)
}

/// One parsed trace event, in the order and with the timestamps Go's `internal/trace.Reader` gives.
public struct Event: Sendable {
    public var kind: EventKind
    /// Nanoseconds on the trace clock (absolute, as Go's `Event.Time()`).
    public var time: Int64
    /// The goroutine, proc and thread the event happened on (-1 = none). For state transitions
    /// these are the context *before* the transition, as in Go.
    public var goroutine: GoID
    public var proc: ProcID
    public var thread: ThreadID
    /// The stack of the event (`Event.Stack()`), ``Stack/empty`` if none.
    public var stack: Stack
    public var payload: EventPayload

    public init(kind: EventKind, time: Int64, goroutine: GoID, proc: ProcID, thread: ThreadID,
                stack: Stack = .empty, payload: EventPayload = .none) {
        self.kind = kind; self.time = time; self.goroutine = goroutine; self.proc = proc
        self.thread = thread; self.stack = stack; self.payload = payload
    }

    // Typed accessors, nil when the event is of another kind.
    public var sync: Sync? { if case .sync(let s) = payload { s } else { nil } }
    public var metric: Metric? { if case .metric(let m) = payload { m } else { nil } }
    public var label: Label? { if case .label(let l) = payload { l } else { nil } }
    public var range: Range? { if case .range(let r, _) = payload { r } else { nil } }
    public var rangeAttributes: [RangeAttribute] { if case .range(_, let a) = payload { a } else { [] } }
    public var task: Task? { if case .task(let t) = payload { t } else { nil } }
    public var region: Region? { if case .region(let r) = payload { r } else { nil } }
    public var log: Log? { if case .log(let l) = payload { l } else { nil } }
    public var stateTransition: StateTransition? { if case .stateTransition(let s) = payload { s } else { nil } }
    public var experimental: ExperimentalEvent? { if case .experimental(let e) = payload { e } else { nil } }
}
