// The facts of Go's v2 trace wire format (Go 1.22+), as data: event types, their arguments and
// flags, and which events each format version knows. Mirrors internal/trace/tracev2 and
// internal/trace/version.

/// A wire-format event type byte (`tracev2.EventType`).
typealias WireType = UInt8

/// Event type constants (`tracev2.Ev*`).
enum Ev {
    static let none: WireType = 0
    // Structural events.
    static let eventBatch: WireType = 1
    static let stacks: WireType = 2
    static let stack: WireType = 3
    static let strings: WireType = 4
    static let string: WireType = 5
    static let cpuSamples: WireType = 6
    static let cpuSample: WireType = 7
    static let frequency: WireType = 8
    // Procs.
    static let procsChange: WireType = 9
    static let procStart: WireType = 10
    static let procStop: WireType = 11
    static let procSteal: WireType = 12
    static let procStatus: WireType = 13
    // Goroutines.
    static let goCreate: WireType = 14
    static let goCreateSyscall: WireType = 15
    static let goStart: WireType = 16
    static let goDestroy: WireType = 17
    static let goDestroySyscall: WireType = 18
    static let goStop: WireType = 19
    static let goBlock: WireType = 20
    static let goUnblock: WireType = 21
    static let goSyscallBegin: WireType = 22
    static let goSyscallEnd: WireType = 23
    static let goSyscallEndBlocked: WireType = 24
    static let goStatus: WireType = 25
    // STW.
    static let stwBegin: WireType = 26
    static let stwEnd: WireType = 27
    // GC.
    static let gcActive: WireType = 28
    static let gcBegin: WireType = 29
    static let gcEnd: WireType = 30
    static let gcSweepActive: WireType = 31
    static let gcSweepBegin: WireType = 32
    static let gcSweepEnd: WireType = 33
    static let gcMarkAssistActive: WireType = 34
    static let gcMarkAssistBegin: WireType = 35
    static let gcMarkAssistEnd: WireType = 36
    static let heapAlloc: WireType = 37
    static let heapGoal: WireType = 38
    // Annotations.
    static let goLabel: WireType = 39
    static let userTaskBegin: WireType = 40
    static let userTaskEnd: WireType = 41
    static let userRegionBegin: WireType = 42
    static let userRegionEnd: WireType = 43
    static let userLog: WireType = 44
    // Coroutines (Go 1.23).
    static let goSwitch: WireType = 45
    static let goSwitchDestroy: WireType = 46
    static let goCreateBlocked: WireType = 47
    // GoStatus with a stack (Go 1.23).
    static let goStatusStack: WireType = 48
    // Experimental batch (Go 1.23).
    static let experimentalBatch: WireType = 49
    // Sync batch (Go 1.25).
    static let sync: WireType = 50
    static let clockSnapshot: WireType = 51
    // End of generation (Go 1.26).
    static let endOfGeneration: WireType = 52

    static let numEvents: WireType = 53

    // Experimental events (AllocFree experiment, Go 1.23).
    static let maxEvent: WireType = 127
    static let span: WireType = 128
    static let spanAlloc: WireType = 129
    static let spanFree: WireType = 130
    static let heapObject: WireType = 131
    static let heapObjectAlloc: WireType = 132
    static let heapObjectFree: WireType = 133
    static let goroutineStack: WireType = 134
    static let goroutineStackAlloc: WireType = 135
    static let goroutineStackFree: WireType = 136
    static let maxExperimentalEvent: WireType = 137

    /// The internal type of synthesized Sync events (Go's `evSync`); not a wire type.
    static let syncEvent: WireType = 255
}

/// How to parse one wire event type (`tracev2.EventSpec`).
struct EventSpec: Sendable {
    let name: String
    /// Argument names; for timed events the first is the timestamp delta `dt`.
    let args: [String]
    /// Indices (into `args`) of string-ID arguments.
    let stringIDs: [Int]
    /// Indices (into `args`) of stack-ID arguments; the first is the event's own stack.
    let stackIDs: [Int]
    /// The "begin" event type of a range, if this ends or continues one.
    let startEv: WireType
    let isTimedEvent: Bool
    /// A varint length and that many raw bytes follow the arguments.
    let hasData: Bool
    /// `4*nframes` varints (pc, func, file, line) follow the arguments.
    let isStack: Bool
    /// The experiment this event belongs to (0 = none).
    let experiment: UInt8

    init(_ name: String = "", args: [String] = [], stringIDs: [Int] = [], stackIDs: [Int] = [],
         startEv: WireType = Ev.none, timed: Bool = false, hasData: Bool = false,
         isStack: Bool = false, experiment: UInt8 = 0) {
        self.name = name; self.args = args; self.stringIDs = stringIDs; self.stackIDs = stackIDs
        self.startEv = startEv; self.isTimedEvent = timed; self.hasData = hasData
        self.isStack = isStack; self.experiment = experiment
    }
}

/// Experiment names, indexed by experiment id (`tracev2.Experiments()`).
let experimentNames = ["None", "AllocFree"]

/// Every event spec, indexed by wire type (`tracev2.Specs()`): 137 entries, unnamed gaps empty.
let wireSpecs: [EventSpec] = {
    var s = [EventSpec](repeating: EventSpec(), count: Int(Ev.maxExperimentalEvent))
    func timed(_ t: WireType, _ name: String, _ args: [String], strings: [Int] = [], stacks: [Int] = [],
               start: WireType = Ev.none, experiment: UInt8 = 0) {
        s[Int(t)] = EventSpec(name, args: args, stringIDs: strings, stackIDs: stacks, startEv: start,
                              timed: true, experiment: experiment)
    }
    // Structural events.
    s[Int(Ev.eventBatch)] = EventSpec("EventBatch", args: ["gen", "m", "time", "size"])
    s[Int(Ev.stacks)] = EventSpec("Stacks")
    s[Int(Ev.stack)] = EventSpec("Stack", args: ["id", "nframes"], isStack: true)
    s[Int(Ev.strings)] = EventSpec("Strings")
    s[Int(Ev.string)] = EventSpec("String", args: ["id"], hasData: true)
    s[Int(Ev.cpuSamples)] = EventSpec("CPUSamples")
    s[Int(Ev.cpuSample)] = EventSpec("CPUSample", args: ["time", "m", "p", "g", "stack"], stackIDs: [4])
    s[Int(Ev.frequency)] = EventSpec("Frequency", args: ["freq"])
    s[Int(Ev.experimentalBatch)] = EventSpec("ExperimentalBatch", args: ["exp", "gen", "m", "time"], hasData: true)
    s[Int(Ev.sync)] = EventSpec("Sync")
    s[Int(Ev.endOfGeneration)] = EventSpec("EndOfGeneration")
    // Timed events.
    timed(Ev.procsChange, "ProcsChange", ["dt", "procs_value", "stack"], stacks: [2])
    timed(Ev.procStart, "ProcStart", ["dt", "p", "p_seq"])
    timed(Ev.procStop, "ProcStop", ["dt"])
    timed(Ev.procSteal, "ProcSteal", ["dt", "p", "p_seq", "m"])
    timed(Ev.procStatus, "ProcStatus", ["dt", "p", "pstatus"])
    timed(Ev.goCreate, "GoCreate", ["dt", "new_g", "new_stack", "stack"], stacks: [3, 2])
    timed(Ev.goCreateSyscall, "GoCreateSyscall", ["dt", "new_g"])
    timed(Ev.goStart, "GoStart", ["dt", "g", "g_seq"])
    timed(Ev.goDestroy, "GoDestroy", ["dt"])
    timed(Ev.goDestroySyscall, "GoDestroySyscall", ["dt"])
    timed(Ev.goStop, "GoStop", ["dt", "reason_string", "stack"], strings: [1], stacks: [2])
    timed(Ev.goBlock, "GoBlock", ["dt", "reason_string", "stack"], strings: [1], stacks: [2])
    timed(Ev.goUnblock, "GoUnblock", ["dt", "g", "g_seq", "stack"], stacks: [3])
    timed(Ev.goSyscallBegin, "GoSyscallBegin", ["dt", "p_seq", "stack"], stacks: [2])
    timed(Ev.goSyscallEnd, "GoSyscallEnd", ["dt"], start: Ev.goSyscallBegin)
    timed(Ev.goSyscallEndBlocked, "GoSyscallEndBlocked", ["dt"], start: Ev.goSyscallBegin)
    timed(Ev.goStatus, "GoStatus", ["dt", "g", "m", "gstatus"])
    timed(Ev.stwBegin, "STWBegin", ["dt", "kind_string", "stack"], strings: [1], stacks: [2])
    timed(Ev.stwEnd, "STWEnd", ["dt"], start: Ev.stwBegin)
    timed(Ev.gcActive, "GCActive", ["dt", "gc_seq"], start: Ev.gcBegin)
    timed(Ev.gcBegin, "GCBegin", ["dt", "gc_seq", "stack"], stacks: [2])
    timed(Ev.gcEnd, "GCEnd", ["dt", "gc_seq"], start: Ev.gcBegin)
    timed(Ev.gcSweepActive, "GCSweepActive", ["dt", "p"], start: Ev.gcSweepBegin)
    timed(Ev.gcSweepBegin, "GCSweepBegin", ["dt", "stack"], stacks: [1])
    timed(Ev.gcSweepEnd, "GCSweepEnd", ["dt", "swept_value", "reclaimed_value"], start: Ev.gcSweepBegin)
    timed(Ev.gcMarkAssistActive, "GCMarkAssistActive", ["dt", "g"], start: Ev.gcMarkAssistBegin)
    timed(Ev.gcMarkAssistBegin, "GCMarkAssistBegin", ["dt", "stack"], stacks: [1])
    timed(Ev.gcMarkAssistEnd, "GCMarkAssistEnd", ["dt"], start: Ev.gcMarkAssistBegin)
    timed(Ev.heapAlloc, "HeapAlloc", ["dt", "heapalloc_value"])
    timed(Ev.heapGoal, "HeapGoal", ["dt", "heapgoal_value"])
    timed(Ev.goLabel, "GoLabel", ["dt", "label_string"], strings: [1])
    timed(Ev.userTaskBegin, "UserTaskBegin", ["dt", "task", "parent_task", "name_string", "stack"],
          strings: [3], stacks: [4])
    timed(Ev.userTaskEnd, "UserTaskEnd", ["dt", "task", "stack"], stacks: [2])
    timed(Ev.userRegionBegin, "UserRegionBegin", ["dt", "task", "name_string", "stack"], strings: [2], stacks: [3])
    timed(Ev.userRegionEnd, "UserRegionEnd", ["dt", "task", "name_string", "stack"], strings: [2], stacks: [3],
          start: Ev.userRegionBegin)
    timed(Ev.userLog, "UserLog", ["dt", "task", "key_string", "value_string", "stack"], strings: [2, 3], stacks: [4])
    timed(Ev.goSwitch, "GoSwitch", ["dt", "g", "g_seq"])
    timed(Ev.goSwitchDestroy, "GoSwitchDestroy", ["dt", "g", "g_seq"])
    timed(Ev.goCreateBlocked, "GoCreateBlocked", ["dt", "new_g", "new_stack", "stack"], stacks: [3, 2])
    timed(Ev.goStatusStack, "GoStatusStack", ["dt", "g", "m", "gstatus", "stack"], stacks: [4])
    timed(Ev.clockSnapshot, "ClockSnapshot", ["dt", "mono", "sec", "nsec"])
    // Experimental events (AllocFree).
    timed(Ev.span, "Span", ["dt", "id", "npages_value", "kindclass"], experiment: 1)
    timed(Ev.spanAlloc, "SpanAlloc", ["dt", "id", "npages_value", "kindclass"], experiment: 1)
    timed(Ev.spanFree, "SpanFree", ["dt", "id"], experiment: 1)
    timed(Ev.heapObject, "HeapObject", ["dt", "id", "type"], experiment: 1)
    timed(Ev.heapObjectAlloc, "HeapObjectAlloc", ["dt", "id", "type"], experiment: 1)
    timed(Ev.heapObjectFree, "HeapObjectFree", ["dt", "id"], experiment: 1)
    timed(Ev.goroutineStack, "GoroutineStack", ["dt", "id", "order"], experiment: 1)
    timed(Ev.goroutineStackAlloc, "GoroutineStackAlloc", ["dt", "id", "order"], experiment: 1)
    timed(Ev.goroutineStackFree, "GoroutineStackFree", ["dt", "id"], experiment: 1)
    return s
}()

/// Per-type facts the hot path needs, packed for cheap lookup (256 entries, one per byte value).
struct WireTypeInfo {
    /// Number of arguments after the timestamp for a timed event (`len(Args)-1`), else -1.
    var timedArgCount: Int8
    /// The parsed ``EventKind`` of events surfaced by the reader, `.bad` otherwise.
    var kind: EventKind
    /// Argument slot (after the timestamp) holding the event's own stack ID, or -1.
    var stackSlot: Int8
    /// Slots of all stack-ID and string-ID arguments (-1 = none), for validating table IDs.
    var stackSlots: (Int8, Int8) = (-1, -1)
    var stringSlots: (Int8, Int8) = (-1, -1)
}

let wireTypeInfo: [WireTypeInfo] = {
    var table = [WireTypeInfo](repeating: WireTypeInfo(timedArgCount: -1, kind: .bad, stackSlot: -1), count: 256)
    for (i, spec) in wireSpecs.enumerated() {
        if spec.isTimedEvent && !spec.args.isEmpty {
            table[i].timedArgCount = Int8(spec.args.count - 1)
        }
        if let first = spec.stackIDs.first { table[i].stackSlot = Int8(first - 1) }
        if spec.stackIDs.count > 0 { table[i].stackSlots.0 = Int8(spec.stackIDs[0] - 1) }
        if spec.stackIDs.count > 1 { table[i].stackSlots.1 = Int8(spec.stackIDs[1] - 1) }
        if spec.stringIDs.count > 0 { table[i].stringSlots.0 = Int8(spec.stringIDs[0] - 1) }
        if spec.stringIDs.count > 1 { table[i].stringSlots.1 = Int8(spec.stringIDs[1] - 1) }
    }
    let kinds: [(WireType, EventKind)] = [
        (Ev.cpuSample, .stackSample), (Ev.procsChange, .metric), (Ev.procStart, .stateTransition),
        (Ev.procStop, .stateTransition), (Ev.procSteal, .stateTransition), (Ev.procStatus, .stateTransition),
        (Ev.goCreate, .stateTransition), (Ev.goCreateSyscall, .stateTransition), (Ev.goStart, .stateTransition),
        (Ev.goDestroy, .stateTransition), (Ev.goDestroySyscall, .stateTransition), (Ev.goStop, .stateTransition),
        (Ev.goBlock, .stateTransition), (Ev.goUnblock, .stateTransition), (Ev.goSyscallBegin, .stateTransition),
        (Ev.goSyscallEnd, .stateTransition), (Ev.goSyscallEndBlocked, .stateTransition),
        (Ev.goStatus, .stateTransition), (Ev.stwBegin, .rangeBegin), (Ev.stwEnd, .rangeEnd),
        (Ev.gcActive, .rangeActive), (Ev.gcBegin, .rangeBegin), (Ev.gcEnd, .rangeEnd),
        (Ev.gcSweepActive, .rangeActive), (Ev.gcSweepBegin, .rangeBegin), (Ev.gcSweepEnd, .rangeEnd),
        (Ev.gcMarkAssistActive, .rangeActive), (Ev.gcMarkAssistBegin, .rangeBegin),
        (Ev.gcMarkAssistEnd, .rangeEnd), (Ev.heapAlloc, .metric), (Ev.heapGoal, .metric),
        (Ev.goLabel, .label), (Ev.userTaskBegin, .taskBegin), (Ev.userTaskEnd, .taskEnd),
        (Ev.userRegionBegin, .regionBegin), (Ev.userRegionEnd, .regionEnd), (Ev.userLog, .log),
        (Ev.goSwitch, .stateTransition), (Ev.goSwitchDestroy, .stateTransition),
        (Ev.goCreateBlocked, .stateTransition), (Ev.goStatusStack, .stateTransition),
        (Ev.span, .experimental), (Ev.spanAlloc, .experimental), (Ev.spanFree, .experimental),
        (Ev.heapObject, .experimental), (Ev.heapObjectAlloc, .experimental), (Ev.heapObjectFree, .experimental),
        (Ev.goroutineStack, .experimental), (Ev.goroutineStackAlloc, .experimental),
        (Ev.goroutineStackFree, .experimental), (Ev.syncEvent, .sync),
    ]
    for (t, k) in kinds { table[Int(t)].kind = k }
    return table
}()

/// ``wireTypeInfo`` in stable memory, for hot loops (indexing a global array re-checks its lazy
/// initialization on every access).
nonisolated(unsafe) let wireTypeInfoPointer: UnsafePointer<WireTypeInfo> = {
    let p = UnsafeMutablePointer<WireTypeInfo>.allocate(capacity: 256)
    p.initialize(from: wireTypeInfo, count: 256)
    return UnsafePointer(p)
}()

/// A trace format version (`version.Version`): the minor Go version in the header.
struct TraceVersion: Comparable, Sendable {
    let minor: Int
    static let go122 = TraceVersion(minor: 22)
    static let go123 = TraceVersion(minor: 23)
    static let go125 = TraceVersion(minor: 25)
    static let go126 = TraceVersion(minor: 26)
    static func < (a: TraceVersion, b: TraceVersion) -> Bool { a.minor < b.minor }

    /// Versions of the v2 format this package reads.
    static let supported: Set<Int> = [22, 23, 25, 26]
    /// Older (v1) versions Go knows but this package does not read.
    static let legacy: Set<Int> = [11, 19, 21]

    /// How many leading entries of ``wireSpecs`` this version knows (`Version.Specs()`).
    var specCount: Int {
        switch minor {
        case 22: Int(Ev.userLog) + 1
        case 23: Int(Ev.experimentalBatch) + 1
        case 25: Int(Ev.clockSnapshot) + 1
        default: wireSpecs.count
        }
    }

    /// `Version.EventName`: the event's name for this version, or `Invalid(n)`.
    func eventName(_ typ: WireType) -> String {
        if Int(typ) < specCount && !wireSpecs[Int(typ)].name.isEmpty { return wireSpecs[Int(typ)].name }
        return "Invalid(\(typ))"
    }
}

/// The runtime's goroutine status on the wire (`tracev2.GoStatus`).
enum WireGoStatus {
    static let bad: UInt64 = 0, runnable: UInt64 = 1, running: UInt64 = 2, syscall: UInt64 = 3, waiting: UInt64 = 4
    static func name(_ s: UInt64) -> String {
        switch s {
        case runnable: "Runnable"
        case running: "Running"
        case syscall: "Syscall"
        case waiting: "Waiting"
        default: "Bad"
        }
    }
    /// `tracev2GoStatus2GoState` (length 5).
    static let toGoState: [GoState] = [.undetermined, .runnable, .running, .syscall, .waiting]
}

/// The runtime's proc status on the wire (`tracev2.ProcStatus`).
enum WireProcStatus {
    static let bad: UInt64 = 0, running: UInt64 = 1, idle: UInt64 = 2, syscall: UInt64 = 3, syscallAbandoned: UInt64 = 4
    static func name(_ s: UInt64) -> String {
        switch s {
        case running: "Running"
        case idle: "Idle"
        case syscall: "Syscall"
        case syscallAbandoned: "SyscallAbandoned"
        default: "Bad"
        }
    }
    /// `tracev2ProcStatus2ProcState` (length 5).
    static let toProcState: [ProcState] = [.undetermined, .running, .idle, .running, .idle]
}

/// Limits of the wire format (`tracev2.MaxBatchSize` etc.).
enum WireLimits {
    static let maxBatchSize: UInt64 = 64 << 10
    static let maxFramesPerStack: UInt64 = 128
    static let maxEventTrailerDataSize: UInt64 = 1 << 10
}
