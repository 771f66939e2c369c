// The resources a trace talks about (goroutines, procs, threads) and their states, as in Go's
// internal/trace resources.go. Raw values and names match Go's exactly.

/// A goroutine id (`trace.GoID`); ``noGoroutine`` (-1) means none.
public typealias GoID = Int64
/// A proc (P) id (`trace.ProcID`); ``noProc`` (-1) means none.
public typealias ProcID = Int64
/// An OS thread (M) id (`trace.ThreadID`); ``noThread`` (-1) means none.
public typealias ThreadID = Int64
/// A user task id (`trace.TaskID`). 0 is the background task; ``noTask`` is all ones.
public typealias TaskID = UInt64

public let noGoroutine: GoID = -1
public let noProc: ProcID = -1
public let noThread: ThreadID = -1
public let noTask: TaskID = ~0
public let backgroundTask: TaskID = 0

/// A goroutine's scheduling state (`trace.GoState`).
public enum GoState: UInt8, Sendable, CaseIterable {
    case undetermined = 0, notExist, runnable, running, waiting, syscall

    /// Go's `GoState.String()`.
    public var name: String {
        switch self {
        case .undetermined: "Undetermined"
        case .notExist: "NotExist"
        case .runnable: "Runnable"
        case .running: "Running"
        case .waiting: "Waiting"
        case .syscall: "Syscall"
        }
    }
    /// Running or in a syscall: the goroutine occupies a thread.
    public var isExecuting: Bool { self == .running || self == .syscall }
}

/// A proc's state (`trace.ProcState`).
public enum ProcState: UInt8, Sendable, CaseIterable {
    case undetermined = 0, notExist, running, idle

    /// Go's `ProcState.String()`.
    public var name: String {
        switch self {
        case .undetermined: "Undetermined"
        case .notExist: "NotExist"
        case .running: "Running"
        case .idle: "Idle"
        }
    }
    public var isExecuting: Bool { self == .running }
}

/// What kind of resource a ``ResourceID`` names (`trace.ResourceKind`).
public enum ResourceKind: UInt8, Sendable {
    case none = 0, goroutine, proc, thread

    /// Go's `ResourceKind.String()`.
    public var name: String {
        switch self {
        case .none: "None"
        case .goroutine: "Goroutine"
        case .proc: "Proc"
        case .thread: "Thread"
        }
    }
}

/// A goroutine, proc or thread (`trace.ResourceID`).
public struct ResourceID: Hashable, Sendable, CustomStringConvertible {
    public var kind: ResourceKind
    public var id: Int64
    public init(kind: ResourceKind, id: Int64) { self.kind = kind; self.id = id }
    public static let none = ResourceID(kind: .none, id: 0)
    public static func goroutine(_ g: GoID) -> ResourceID { ResourceID(kind: .goroutine, id: g) }
    public static func proc(_ p: ProcID) -> ResourceID { ResourceID(kind: .proc, id: p) }
    public static func thread(_ m: ThreadID) -> ResourceID { ResourceID(kind: .thread, id: m) }
    /// Go's `ResourceID.String()`: `None`, or e.g. `Goroutine(12)`.
    public var description: String { kind == .none ? "None" : "\(kind.name)(\(id))" }
}
