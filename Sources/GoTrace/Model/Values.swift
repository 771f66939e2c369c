/// A metric or attribute value (`trace.Value`): an unsigned integer or a string.
public enum Value: Hashable, Sendable, CustomStringConvertible {
    case uint64(UInt64)
    case string(String)

    /// Go's `Value.String()`: `Value{Uint64(42)}` for integers, the raw text for strings.
    public var description: String {
        switch self {
        case .uint64(let v): "Value{Uint64(\(v))}"
        case .string(let s): s
        }
    }
    public var uint64Value: UInt64? { if case .uint64(let v) = self { v } else { nil } }
    public var stringValue: String? { if case .string(let s) = self { s } else { nil } }
}

/// One sample of a runtime metric (`trace.Metric`), e.g. `/gc/heap/goal:bytes`.
public struct Metric: Sendable {
    public var name: String
    public var value: Value
    public init(name: String, value: Value) { self.name = name; self.value = value }
}

/// A label attached to a resource (`trace.Label`), e.g. `GC (dedicated)` on a GC worker goroutine.
public struct Label: Sendable {
    public var label: String
    public var resource: ResourceID
    public init(label: String, resource: ResourceID) { self.label = label; self.resource = resource }
}

/// A runtime-defined range of time (`trace.Range`), e.g. `GC concurrent mark phase`.
public struct Range: Sendable {
    public var name: String
    public var scope: ResourceID
    public init(name: String, scope: ResourceID) { self.name = name; self.scope = scope }
}

/// An attribute reported on a RangeEnd (`trace.RangeAttribute`), e.g. bytes swept.
public struct RangeAttribute: Sendable {
    public var name: String
    public var value: Value
    public init(name: String, value: Value) { self.name = name; self.value = value }
}

/// A user task from runtime/trace (`trace.Task`). `parent` is ``noTask`` when unknown.
public struct Task: Sendable {
    public var id: TaskID
    public var parent: TaskID
    public var type: String
    public init(id: TaskID, parent: TaskID, type: String) { self.id = id; self.parent = parent; self.type = type }
}

/// A user region from runtime/trace (`trace.Region`).
public struct Region: Sendable {
    public var task: TaskID
    public var type: String
    public init(task: TaskID, type: String) { self.task = task; self.type = type }
}

/// A user log message from runtime/trace (`trace.Log`).
public struct Log: Sendable {
    public var task: TaskID
    public var category: String
    public var message: String
    public init(task: TaskID, category: String, message: String) {
        self.task = task; self.category = category; self.message = message
    }
}

/// A clock snapshot taken at a generation boundary (`trace.ClockSnapshot`, Go 1.25+ traces).
public struct ClockSnapshot: Sendable {
    /// Trace clock time in nanoseconds.
    public var trace: Int64
    /// Wall clock: seconds and nanoseconds since the Unix epoch.
    public var wallSeconds: Int64
    public var wallNanoseconds: Int64
    /// Monotonic clock reading.
    public var mono: UInt64
    public init(trace: Int64, wallSeconds: Int64, wallNanoseconds: Int64, mono: UInt64) {
        self.trace = trace; self.wallSeconds = wallSeconds; self.wallNanoseconds = wallNanoseconds; self.mono = mono
    }
}

/// The raw bytes of one experimental batch (`trace.ExperimentalBatch`).
public struct ExperimentalBatch: Sendable {
    public var thread: ThreadID
    public var data: [UInt8]
    public init(thread: ThreadID, data: [UInt8]) { self.thread = thread; self.data = data }
}

/// A synchronization point between generations (`trace.Sync`).
public struct Sync: Sendable {
    /// 1 for the first Sync of a trace, then 2, 3, ….
    public var n: Int
    public var clockSnapshot: ClockSnapshot?
    public var experimentalBatches: [String: [ExperimentalBatch]]
    public init(n: Int, clockSnapshot: ClockSnapshot?, experimentalBatches: [String: [ExperimentalBatch]]) {
        self.n = n; self.clockSnapshot = clockSnapshot; self.experimentalBatches = experimentalBatches
    }
}

/// An event from an experimental part of the trace format (`trace.ExperimentalEvent`).
public struct ExperimentalEvent: Sendable {
    public var name: String
    public var experiment: String
    /// Argument names (after the timestamp).
    public var args: [String]
    /// Argument values, as Go's `ArgValue(i)` would return them.
    public var argValues: [Value]
    public init(name: String, experiment: String, args: [String], argValues: [Value]) {
        self.name = name; self.experiment = experiment; self.args = args; self.argValues = argValues
    }
}
