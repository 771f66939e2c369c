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
/// `description` (and ``appendGoString(to:)``) is Go's `Event.String()`, byte for byte.
///
/// Events from a ``TraceReader`` are compact: they keep the wire arguments and a reference to
/// their generation's tables, and decode ``stack`` and ``payload`` when asked. Setting either
/// replaces the decoded value for that event.
public struct Event: Sendable {
    public var kind: EventKind
    /// Nanoseconds on the trace clock (absolute, as Go's `Event.Time()`).
    public var time: Int64
    /// The goroutine, proc and thread the event happened on (-1 = none). For state transitions
    /// these are the context *before* the transition, as in Go.
    public var goroutine: GoID
    public var proc: ProcID
    public var thread: ThreadID

    /// The wire event type (or ``Ev/syncEvent``) and its arguments after the timestamp, with the
    /// values the ordering smuggles in (Go's `baseEvent`).
    var typ: UInt8
    var args: EventArgs
    /// The generation's tables, for resolving strings and stacks.
    var table: GenerationTable?
    /// Explicitly set values, and data that does not fit in `args`.
    var box: EventBox?

    /// The stack of the event (`Event.Stack()`), ``Stack/empty`` if none.
    public var stack: Stack {
        get {
            if let s = box?.stack { return s }
            return wireStack
        }
        set { box = EventBox(stack: newValue, payload: box?.payload, taskType: box?.taskType) }
    }

    /// The kind-specific part of the event.
    public var payload: EventPayload {
        get {
            if let p = box?.payload { return p }
            return wirePayload
        }
        set { box = EventBox(stack: box?.stack, payload: newValue, taskType: box?.taskType) }
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

extension Event {
    // The inits are out here so the struct keeps its implicit memberwise init, which the wire
    // init delegates to: building the event field by field made the optimizer copy it (an extra
    // retain and release per event).

    public init(kind: EventKind, time: Int64, goroutine: GoID, proc: ProcID, thread: ThreadID,
                stack: Stack = .empty, payload: EventPayload = .none) {
        self.init(kind: kind, time: time, goroutine: goroutine, proc: proc, thread: thread, typ: Ev.none,
                  args: EventArgs(), table: nil, box: EventBox(stack: stack, payload: payload))
    }

    /// An event decoded from the wire.
    @inline(__always)
    init(typ: UInt8, time: Int64, args: EventArgs, ctx: SchedContext, table: GenerationTable?,
         box: EventBox? = nil, info: UnsafePointer<WireTypeInfo> = wireTypeInfoPointer) {
        self.init(kind: info[Int(typ)].kind, time: time, goroutine: ctx.g, proc: ctx.p, thread: ctx.m, typ: typ,
                  args: args, table: table, box: box)
    }
}

/// The up to four arguments of a timed event after its timestamp (Go's `timedEventArgs`).
struct EventArgs: Sendable {
    var a0: UInt64 = 0
    var a1: UInt64 = 0
    var a2: UInt64 = 0
    var a3: UInt64 = 0

    init() {}

    @inline(__always)
    subscript(i: Int) -> UInt64 {
        get {
            switch i {
            case 0: a0
            case 1: a1
            case 2: a2
            default: a3
            }
        }
        set {
            switch i {
            case 0: a0 = newValue
            case 1: a1 = newValue
            case 2: a2 = newValue
            default: a3 = newValue
            }
        }
    }
}

/// The goroutine, proc and thread of an event (Go's `schedCtx`).
struct SchedContext: Sendable, Equatable {
    var g: GoID
    var p: ProcID
    var m: ThreadID
    init(g: GoID, p: ProcID, m: ThreadID) { self.g = g; self.p = p; self.m = m }
    static let none = SchedContext(g: noGoroutine, p: noProc, m: noThread)
}

/// Rarely needed per-event data, kept out of line.
final class EventBox: Sendable {
    /// An explicitly set stack or payload.
    let stack: Stack?
    let payload: EventPayload?
    /// For a TaskEnd read from a trace: the task type's bytes as its TaskBegin had them.
    let taskType: [UInt8]?

    init(stack: Stack?, payload: EventPayload?, taskType: [UInt8]? = nil) {
        self.stack = stack; self.payload = payload; self.taskType = taskType
    }
}
