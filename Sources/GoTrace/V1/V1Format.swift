// The old (v1) execution-trace format written by Go 1.11–1.21: event types, their descriptions
// and the parsed event record (Go's internal/trace/internal/tracev1, parser.go).

/// v1 wire event types (`tracev1.EventType`, a copy of the runtime's `trace*` constants).
enum V1Ev {
    static let none: UInt8 = 0
    static let batch: UInt8 = 1
    static let frequency: UInt8 = 2
    static let stack: UInt8 = 3
    static let gomaxprocs: UInt8 = 4
    static let procStart: UInt8 = 5
    static let procStop: UInt8 = 6
    static let gcStart: UInt8 = 7
    static let gcDone: UInt8 = 8
    static let stwStart: UInt8 = 9
    static let stwDone: UInt8 = 10
    static let gcSweepStart: UInt8 = 11
    static let gcSweepDone: UInt8 = 12
    static let goCreate: UInt8 = 13
    static let goStart: UInt8 = 14
    static let goEnd: UInt8 = 15
    static let goStop: UInt8 = 16
    static let goSched: UInt8 = 17
    static let goPreempt: UInt8 = 18
    static let goSleep: UInt8 = 19
    static let goBlock: UInt8 = 20
    static let goUnblock: UInt8 = 21
    static let goBlockSend: UInt8 = 22
    static let goBlockRecv: UInt8 = 23
    static let goBlockSelect: UInt8 = 24
    static let goBlockSync: UInt8 = 25
    static let goBlockCond: UInt8 = 26
    static let goBlockNet: UInt8 = 27
    static let goSysCall: UInt8 = 28
    static let goSysExit: UInt8 = 29
    static let goSysBlock: UInt8 = 30
    static let goWaiting: UInt8 = 31
    static let goInSyscall: UInt8 = 32
    static let heapAlloc: UInt8 = 33
    static let heapGoal: UInt8 = 34
    static let timerGoroutine: UInt8 = 35
    static let futileWakeup: UInt8 = 36
    static let string: UInt8 = 37
    static let goStartLocal: UInt8 = 38
    static let goUnblockLocal: UInt8 = 39
    static let goSysExitLocal: UInt8 = 40
    static let goStartLabel: UInt8 = 41
    static let goBlockGC: UInt8 = 42
    static let gcMarkAssistStart: UInt8 = 43
    static let gcMarkAssistDone: UInt8 = 44
    static let userTaskCreate: UInt8 = 45
    static let userTaskEnd: UInt8 = 46
    static let userRegion: UInt8 = 47
    static let userLog: UInt8 = 48
    static let cpuSample: UInt8 = 49
    static let count: UInt8 = 50
}

/// One entry of `tracev1.EventDescriptions`.
struct V1EventDescription: Sendable {
    var name: String
    /// The first trace version (minor) that has this event.
    var minVersion: Int
    /// Whether the event carries a stack ID after its arguments.
    var stack: Bool
    var args: [String]
}

/// `tracev1.EventDescriptions`, indexed by event type (entries past ``V1Ev/count`` are empty).
let v1EventDescriptions: [V1EventDescription] = {
    var d = [V1EventDescription](repeating: V1EventDescription(name: "", minVersion: 0, stack: false, args: []),
                                 count: 256)
    func set(_ t: UInt8, _ name: String, _ minVersion: Int, _ stack: Bool, _ args: [String]) {
        d[Int(t)] = V1EventDescription(name: name, minVersion: minVersion, stack: stack, args: args)
    }
    set(V1Ev.none, "None", 5, false, [])
    set(V1Ev.batch, "Batch", 5, false, ["p", "ticks"])
    set(V1Ev.frequency, "Frequency", 5, false, ["freq"])
    set(V1Ev.stack, "Stack", 5, false, ["id", "siz"])
    set(V1Ev.gomaxprocs, "Gomaxprocs", 5, true, ["procs"])
    set(V1Ev.procStart, "ProcStart", 5, false, ["thread"])
    set(V1Ev.procStop, "ProcStop", 5, false, [])
    set(V1Ev.gcStart, "GCStart", 5, true, ["seq"])
    set(V1Ev.gcDone, "GCDone", 5, false, [])
    set(V1Ev.stwStart, "GCSTWStart", 5, false, ["kindid"])
    set(V1Ev.stwDone, "GCSTWDone", 5, false, [])
    set(V1Ev.gcSweepStart, "GCSweepStart", 5, true, [])
    set(V1Ev.gcSweepDone, "GCSweepDone", 5, false, ["swept", "reclaimed"])
    set(V1Ev.goCreate, "GoCreate", 5, true, ["g", "stack"])
    set(V1Ev.goStart, "GoStart", 5, false, ["g", "seq"])
    set(V1Ev.goEnd, "GoEnd", 5, false, [])
    set(V1Ev.goStop, "GoStop", 5, true, [])
    set(V1Ev.goSched, "GoSched", 5, true, [])
    set(V1Ev.goPreempt, "GoPreempt", 5, true, [])
    set(V1Ev.goSleep, "GoSleep", 5, true, [])
    set(V1Ev.goBlock, "GoBlock", 5, true, [])
    set(V1Ev.goUnblock, "GoUnblock", 5, true, ["g", "seq"])
    set(V1Ev.goBlockSend, "GoBlockSend", 5, true, [])
    set(V1Ev.goBlockRecv, "GoBlockRecv", 5, true, [])
    set(V1Ev.goBlockSelect, "GoBlockSelect", 5, true, [])
    set(V1Ev.goBlockSync, "GoBlockSync", 5, true, [])
    set(V1Ev.goBlockCond, "GoBlockCond", 5, true, [])
    set(V1Ev.goBlockNet, "GoBlockNet", 5, true, [])
    set(V1Ev.goSysCall, "GoSysCall", 5, true, [])
    set(V1Ev.goSysExit, "GoSysExit", 5, false, ["g", "seq", "ts"])
    set(V1Ev.goSysBlock, "GoSysBlock", 5, false, [])
    set(V1Ev.goWaiting, "GoWaiting", 5, false, ["g"])
    set(V1Ev.goInSyscall, "GoInSyscall", 5, false, ["g"])
    set(V1Ev.heapAlloc, "HeapAlloc", 5, false, ["mem"])
    set(V1Ev.heapGoal, "HeapGoal", 5, false, ["mem"])
    set(V1Ev.timerGoroutine, "TimerGoroutine", 5, false, ["g"])
    set(V1Ev.futileWakeup, "FutileWakeup", 5, false, [])
    set(V1Ev.string, "String", 7, false, [])
    set(V1Ev.goStartLocal, "GoStartLocal", 7, false, ["g"])
    set(V1Ev.goUnblockLocal, "GoUnblockLocal", 7, true, ["g"])
    set(V1Ev.goSysExitLocal, "GoSysExitLocal", 7, false, ["g", "ts"])
    set(V1Ev.goStartLabel, "GoStartLabel", 8, false, ["g", "seq", "labelid"])
    set(V1Ev.goBlockGC, "GoBlockGC", 8, true, [])
    set(V1Ev.gcMarkAssistStart, "GCMarkAssistStart", 9, true, [])
    set(V1Ev.gcMarkAssistDone, "GCMarkAssistDone", 9, false, [])
    set(V1Ev.userTaskCreate, "UserTaskCreate", 11, true, ["taskid", "pid", "typeid"])
    set(V1Ev.userTaskEnd, "UserTaskEnd", 11, true, ["taskid"])
    set(V1Ev.userRegion, "UserRegion", 11, true, ["taskid", "mode", "typeid"])
    set(V1Ev.userLog, "UserLog", 11, true, ["id", "keyid"])
    set(V1Ev.cpuSample, "CPUSample", 19, true, ["ts", "p", "g"])
    return d
}()

/// The numbers ``V1Decoder`` needs about each event type, without the strings of
/// ``v1EventDescriptions`` (no reference counting in the hot loop).
struct V1TypeInfo {
    /// Arguments after the timestamp, not counting the stack.
    var args: UInt8 = 0
    var stack = false
    var minVersion: UInt8 = 0
    /// Whether the type has a description (Go: a non-empty name).
    var known = false
}

let v1TypeInfo: [V1TypeInfo] = v1EventDescriptions.map {
    V1TypeInfo(args: UInt8($0.args.count), stack: $0.stack, minVersion: UInt8($0.minVersion), known: !$0.name.isEmpty)
}

/// Special P identifiers of the v1 parser (`tracev1.FakeP` …): events moved to pseudo-Ps.
enum V1FakeP {
    static let timerP: Int32 = 1_000_001    // timer unblocks
    static let netpollP: Int32 = 1_000_002  // network unblocks
    static let syscallP: Int32 = 1_000_003  // returns from syscalls
    static let gcP: Int32 = 1_000_004       // GC state
    static let profileP: Int32 = 1_000_005  // CPU profile samples
}

/// One parsed v1 event (`tracev1.Event`): 64 bytes, no references, like Go's, so millions of them
/// cost exactly their size.
struct V1Event {
    /// Nanoseconds since the first event after ``V1Parser`` converts ticks; ticks before.
    var ts: Int64 = 0
    /// The goroutine the event happened on.
    var g: UInt64 = 0
    var a0: UInt64 = 0
    var a1: UInt64 = 0
    var a2: UInt64 = 0
    var a3: UInt64 = 0
    var stkID: UInt32 = 0
    /// The P (or one of the ``V1FakeP`` pseudo-Ps).
    var p: Int32 = 0
    var type: UInt8 = 0

    @inline(__always)
    subscript(arg i: Int) -> UInt64 {
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

    /// Go's `(*tracev1.Event).String()`, used in some error messages.
    var goString: String {
        let desc = v1EventDescriptions[Int(type)]
        var s = "\(ts) \(desc.name) p=\(p) g=\(g) stk=\(stkID)"
        for (i, a) in desc.args.enumerated() { s += " \(a)=\(self[arg: i])" }
        return s
    }

    /// `%q` of the event in a Go error message (the text is plain ASCII).
    var goQuoted: String {
        var s = "\""
        for c in goString.unicodeScalars {
            if c == "\"" || c == "\\" { s.append("\\") }
            s.unicodeScalars.append(c)
        }
        return s + "\""
    }
}

/// The STW reasons of v1 traces (`tracev1.STWReason`).
enum V1STWReason {
    static let unknown = 0
    static let count = 17

    /// `(*tracev1.Trace).STWReason`: what an EvSTWStart kind argument means in trace version `version`.
    static func reason(version: Int, kindID: UInt64) -> Int {
        if version < 21 {
            return kindID == 0 || kindID == 1 ? Int(kindID) + 1 : unknown
        } else if version == 21 {
            return kindID < UInt64(count) ? Int(kindID) : unknown
        }
        return unknown
    }
}

/// An error while reading a v1 trace, with Go's message.
struct V1Error: Error {
    var message: String
    /// The data ends early (tracedb's classification; Go's message is the same either way): the
    /// error came from running out of bytes, or the trace lacks its footer (see ``V1Parser``).
    var truncated: Bool
    init(_ message: String, truncated: Bool = false) { self.message = message; self.truncated = truncated }

    static let malformedVarint = V1Error("malformatted base-128 varint")
    static let timeOrder = V1Error("time stamps out of order")

    var traceError: TraceError { TraceError(kind: truncated ? .truncated : .invalid, message: message) }
}
