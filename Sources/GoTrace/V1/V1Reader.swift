// Reading a v1 trace (Go 1.11–1.21) as the same event stream Go's internal/trace.Reader produces
// for it: the port of Go's conversion of v1 events into the v2 event model (internal/trace/
// tracev1.go) plus the v1 branch of `Reader.ReadEvent` (reader.go).
//
// The whole v1 trace is one "generation": a Sync event first (1 ns before the first event), the
// converted events, and a final Sync 1 ns after the last one. Like Go, no two events share a
// timestamp: an event at or before the previous one is moved to the previous time + 1 ns.
//
// Where Go's conversion depends on map iteration order, tracedb is deterministic: the goroutines
// that existed before tracing started and were never seen running, waiting or in a syscall get
// their synthetic `Undetermined->Runnable` transitions (at the first EvGomaxprocs) in goroutine-ID
// order, and the batch merge visits Ps in ID order (see ``V1Parser``).

/// Minor versions of the v1 format (`version.Go111`, `Go119`, `Go121`).
let v1TraceVersions: Set<Int> = [11, 19, 21]

/// The generation number v1 stacks report (``Stack/generation``): the trace is one generation.
let v1Generation: UInt64 = 1

final class V1Reader {
    /// The header's minor version (11, 19 or 21).
    let version: Int

    /// The file's bytes after the header: the events are decoded from them again as they are read.
    private let data: V1Data
    private var stream: V1Stream

    /// Parses and validates a whole v1 trace: `data` holds everything after the header, `version`
    /// is the header's minor version.
    ///
    /// - Parameter completeGenerationsOnly: refuse (`.truncated`) a file whose events use stacks
    ///   it never defines, i.e. one cut inside the stack table that ends every v1 trace. Pass false
    ///   to read it as Go does (those stacks have no frames).
    init(data: V1Data, version: Int, completeGenerationsOnly: Bool = true) throws(TraceError) {
        self.data = data
        self.version = version
        let parser = V1Parser(data: data.bytes, version: version)
        do {
            try parser.parse()
        } catch {
            throw error.traceError
        }
        if completeGenerationsOnly && parser.undefinedStack != 0 {
            throw TraceError(kind: .truncated, message: "trace is incomplete: its events use stack \(parser.undefinedStack), "
                             + "which its stack table does not define (the file ends inside the stack table at its end)")
        }
        stream = V1Stream(parser)
    }

    /// Parses a whole v1 trace file held in memory (header included).
    convenience init(bytes: [UInt8], completeGenerationsOnly: Bool = true) throws(TraceError) {
        let input = ByteInput(bytes: bytes)
        let minor = try readHeader(input)
        guard v1TraceVersions.contains(minor) else {
            throw TraceError(kind: .unsupportedVersion, message: "not a v1 trace version: go 1.\(minor)", offset: 0)
        }
        try self.init(data: V1Data(copying: bytes, from: input.offset), version: minor,
                      completeGenerationsOnly: completeGenerationsOnly)
    }

    /// The next event, or nil at the end. After an error, every later call rethrows it.
    func next() throws(TraceError) -> Event? {
        try stream.next()
    }
}

/// The converted event stream of a parsed v1 trace (`traceV1Converter` and the v1 branch of
/// `Reader.ReadEvent`).
struct V1Stream {
    private var events: V1Replay
    private let tables: V1Tables
    private let version: Int
    private let minTs: Int64
    private let freq: Double
    private let eventCount: Int
    private let blockedSyscalls: V1BitSet
    private let netpollUnblocks: V1BitSet
    /// The largest string ID of the trace: inline strings get the IDs after it, then the
    /// converter's own strings (the string table Go's conversion builds).
    private let maxStringID: UInt64

    // Converter state (`traceV1Converter`).
    private var preInit = true
    private var createdPreInit: Set<UInt64> = []
    private var extra: [Event] = []
    private var extraHead = 0
    private var tasks: [UInt64: (name: String, parent: UInt64)] = [:]
    private var seenProcs = IntMap<Bool>()
    private var lastTs: Int64 = -1
    private var procMs = IntMap<ThreadID>()
    private var lastSTWReason = ""
    private var stackCache: [Stack?] = []
    private var sparseStackCache: [UInt64: Stack] = [:]
    /// GoSysCall and GoUnblock events delivered so far (to look up what the validation found).
    private var syscalls = 0
    private var unblocks = 0

    // Reader state.
    private var syncs = 0
    private var done = false
    private var failure: TraceError?

    init(_ parser: V1Parser) {
        events = parser.replay()
        tables = parser.tables
        version = parser.version
        minTs = parser.minTs
        freq = parser.freq
        eventCount = parser.eventCount
        blockedSyscalls = parser.blockedSyscalls
        netpollUnblocks = parser.netpollUnblocks
        maxStringID = parser.tables.strings.keys.max() ?? 0
    }

    /// The next event, or nil at the end. After an error, every later call rethrows it.
    mutating func next() throws(TraceError) -> Event? {
        if let failure { throw failure }
        if done { return nil }
        if syncs == 0 && eventCount > 0 {
            // A Sync first, if there are events at all, 1 ns before the first one (which is at
            // time 0: times count from the first event).
            syncs += 1
            return syncEvent(time: -1, n: syncs)
        }
        do {
            if let ev = try nextConverted() { return ev }
        } catch {
            failure = error.traceError
            throw error.traceError
        }
        // And a Sync at the end.
        done = true
        syncs += 1
        return syncEvent(time: lastTs &+ 1, n: syncs)
    }

    private func syncEvent(time: Int64, n: Int) -> Event {
        Event(kind: .sync, time: time, goroutine: noGoroutine, proc: noProc, thread: noThread,
              payload: .sync(Sync(n: n, clockSnapshot: nil, experimentalBatches: [:])))
    }

    /// The next converted event (`traceV1Converter.next`), nil after the last one.
    private mutating func nextConverted() throws(V1Error) -> Event? {
        while true {
            var ev: Event
            if extraHead < extra.count {
                ev = extra[extraHead]
                extraHead += 1
                if extraHead == extra.count {
                    extra.removeAll(keepingCapacity: true)
                    extraHead = 0
                }
            } else {
                guard var oev = try events.next() else { return nil }
                prepare(&oev)
                guard let converted = try convert(oev) else { continue }
                ev = converted
            }
            // No two events may share a timestamp in the new model.
            if ev.time <= lastTs {
                ev.time = lastTs &+ 1
            }
            lastTs = ev.time
            return ev
        }
    }

    /// Completes an event as Go's parser leaves it: times in nanoseconds, events on their
    /// pseudo-Ps, no references to stacks without frames (what `postProcessTrace` changes).
    private mutating func prepare(_ ev: inout V1Event) {
        V1Parser.prepare(&ev, minTs: minTs, freq: freq, timers: tables.timerGoids)
        switch ev.type {
        case V1Ev.gcStart:
            ev.p = V1FakeP.gcP
        case V1Ev.goUnblock:
            if netpollUnblocks.contains(unblocks) { ev.p = V1FakeP.netpollP }
            unblocks += 1
        default:
            break
        }
        if ev.stkID != 0 && !tables.stacks.hasFrames(ev.stkID) {
            ev.stkID = 0
        }
    }

    // MARK: - Conversion

    /// Block reasons Go's conversion uses for the v1 block events.
    private enum Reason {
        static let forever = "forever"
        static let preempted = "preempted"
        static let gosched = "runtime.Gosched"
        static let sleep = "sleep"
        static let chanSend = "chan send"
        static let chanRecv = "chan receive"
        static let network = "network"
        static let sync = "sync"
        static let syncCond = "sync.(*Cond).Wait"
        static let select = "select"
        static let empty = ""
        static let markAssistWait = "GC mark assist wait for work"
    }

    /// The strings Go's conversion adds after the inline strings, in order (block reasons, then STW
    /// reasons by `tracev1.STWReason`).
    private static let builtinStrings: [String] = [
        Reason.forever, Reason.preempted, Reason.gosched, Reason.sleep, Reason.chanSend, Reason.chanRecv,
        Reason.network, Reason.sync, Reason.syncCond, Reason.select, Reason.empty, Reason.markAssistWait,
    ] + stwReasons
    private static let stwReasons = [
        "", "GC mark termination", "GC sweep termination", "write heap dump", "goroutine profile",
        "goroutine profile cleanup", "all goroutine stack trace", "read mem stats", "AllThreadsSyscall",
        "GOMAXPROCS", "start trace", "stop trace", "CountPagesInUse (test)", "ReadMetricsSlow (test)",
        "ReadMemStatsSlow (test)", "PageCachePagesLeaked (test)", "ResetDebugLog (test)",
    ]

    /// The string with ID `id` in the table Go's conversion builds ("" for 0 and unknown IDs).
    private func string(_ id: UInt64) -> String {
        if id == 0 { return "" }
        if let s = tables.strings[id] { return s }
        let k = id &- maxStringID &- 1
        if k < UInt64(tables.inlineStrings.count) { return tables.inlineStrings[Int(k)] }
        let c = k &- UInt64(tables.inlineStrings.count)
        if c < UInt64(Self.builtinStrings.count) { return Self.builtinStrings[Int(c)] }
        return ""
    }

    /// Go's `Event.Stack()` for a stack-ID argument: ``Stack/empty`` for 0.
    private mutating func stack(_ id: UInt32) -> Stack {
        id == 0 ? .empty : tableStack(UInt64(id))
    }

    /// A stack of the trace's table, even for ID 0 (Go's `Stack{table, id}`, which prints as a
    /// stack with no frames rather than as no stack).
    private mutating func tableStack(_ id: UInt64) -> Stack {
        if id < UInt64(stackCache.count), let s = stackCache[Int(id)] { return s }
        if !sparseStackCache.isEmpty, let s = sparseStackCache[id] { return s }
        var frames: [StackFrame] = []
        if id <= UInt64(UInt32.max), let r = tables.stacks.range(UInt32(id)) {
            frames.reserveCapacity(r.count)
            for pc in tables.stacks.pcs[r] {
                let f = tables.pcs[pc] ?? V1Frame(pc: 0, fn: 0, file: 0, line: 0)
                frames.append(StackFrame(pc: f.pc, function: string(f.fn), file: string(f.file), line: f.line))
            }
        }
        let s = Stack(id: id, generation: v1Generation, frames: frames)
        if id < 1 << 20 {
            if id >= UInt64(stackCache.count) {
                stackCache.append(contentsOf: repeatElement(nil, count: max(Int(id) + 1, 2 * stackCache.count) - stackCache.count))
            }
            stackCache[Int(id)] = s
        } else {
            sparseStackCache[id] = s
        }
        return s
    }

    private func goTransition(_ g: GoID, _ from: GoState, _ to: GoState, reason: String = "",
                              stack: Stack = .empty) -> EventPayload {
        .stateTransition(StateTransition(resource: .goroutine(g), reason: reason, stack: stack,
                                         oldState: from.rawValue, newState: to.rawValue))
    }

    private func procTransition(_ p: ProcID, _ from: ProcState, _ to: ProcState) -> EventPayload {
        .stateTransition(StateTransition(resource: .proc(p), reason: "", stack: .empty,
                                         oldState: from.rawValue, newState: to.rawValue))
    }

    /// Converts one v1 event (`convertEvent`): nil for events that produce nothing (yet); extra
    /// events go to `extra`.
    private mutating func convert(_ ev: V1Event) throws(V1Error) -> Event? {
        let p = ProcID(ev.p)
        let rawG = GoID(bitPattern: ev.g)
        let g = ev.g == 0 ? noGoroutine : rawG
        let kind: EventKind
        var payload: EventPayload = .none
        var stack = Stack.empty

        /// A goroutine blocking (v2 GoBlock) or stopping (GoStop) with `reason`.
        func stop(_ reason: String, to: GoState) {
            stack = self.stack(ev.stkID)
            payload = goTransition(g, .running, to, reason: reason, stack: stack)
        }

        switch ev.type {
        case V1Ev.gomaxprocs:
            if preInit {
                // The first EvGomaxprocs ends the trace's initialization: every goroutine that
                // existed when tracing started is known. Those not seen starting, waiting or in a
                // syscall were idle or runnable.
                preInit = false
                for gid in createdPreInit.map({ GoID(bitPattern: $0) }).sorted() {
                    extra.append(Event(kind: .stateTransition, time: ev.ts, goroutine: noGoroutine, proc: noProc,
                                       thread: noThread, payload: goTransition(gid, .undetermined, .runnable)))
                }
                createdPreInit = []
                return nil
            }
            kind = .metric
            payload = .metric(Metric(name: "/sched/gomaxprocs:threads", value: .uint64(ev.a0)))
            stack = self.stack(ev.stkID)
        case V1Ev.procStart:
            procMs.set(p, ThreadID(bitPattern: ev.a0))
            kind = .stateTransition
            if seenProcs.contains(p) {
                payload = procTransition(p, .idle, .running)
            } else {
                seenProcs.set(p, true)
                payload = procTransition(p, .undetermined, .running)
            }
        case V1Ev.procStop:
            kind = .stateTransition
            if seenProcs.contains(p) {
                payload = procTransition(p, .running, .idle)
            } else {
                seenProcs.set(p, true)
                payload = procTransition(p, .undetermined, .idle)
            }
        case V1Ev.gcStart:
            kind = .rangeBegin
            payload = .range(Range(name: "GC concurrent mark phase", scope: .none), attributes: [])
            stack = self.stack(ev.stkID)
        case V1Ev.gcDone:
            kind = .rangeEnd
            payload = .range(Range(name: "GC concurrent mark phase", scope: .none), attributes: [])
        case V1Ev.stwStart:
            lastSTWReason = Self.stwReasons[V1STWReason.reason(version: version, kindID: ev.a0)]
            kind = .rangeBegin
            payload = .range(Range(name: "stop-the-world (\(lastSTWReason))", scope: .goroutine(g)), attributes: [])
        case V1Ev.stwDone:
            kind = .rangeEnd
            payload = .range(Range(name: "stop-the-world (\(lastSTWReason))", scope: .goroutine(g)), attributes: [])
        case V1Ev.gcSweepStart:
            kind = .rangeBegin
            payload = .range(Range(name: "GC incremental sweep", scope: .proc(p)), attributes: [])
            stack = self.stack(ev.stkID)
        case V1Ev.gcSweepDone:
            kind = .rangeEnd
            payload = .range(Range(name: "GC incremental sweep", scope: .proc(p)),
                             attributes: [RangeAttribute(name: "bytes swept", value: .uint64(ev.a0)),
                                          RangeAttribute(name: "bytes reclaimed", value: .uint64(ev.a1))])
        case V1Ev.goCreate:
            if preInit {
                createdPreInit.insert(ev.a0)
                return nil
            }
            kind = .stateTransition
            stack = self.stack(ev.stkID)
            payload = goTransition(GoID(bitPattern: ev.a0), .notExist, .runnable, stack: tableStack(ev.a1))
        case V1Ev.goStart:
            kind = .stateTransition
            if preInit {
                payload = goTransition(GoID(bitPattern: ev.a0), .undetermined, .running)
                createdPreInit.remove(ev.a0)
            } else {
                payload = goTransition(GoID(bitPattern: ev.a0), .runnable, .running)
            }
        case V1Ev.goStartLabel:
            // A GoStart followed by a GoLabel, on the goroutine as recorded (not 0 → none).
            let m = procMs[p] ?? 0
            extra = [Event(kind: .label, time: ev.ts, goroutine: rawG, proc: p, thread: m,
                           payload: .label(Label(label: string(ev.a2), resource: .goroutine(rawG))))]
            extraHead = 0
            return Event(kind: .stateTransition, time: ev.ts, goroutine: rawG, proc: p, thread: m,
                         payload: goTransition(GoID(bitPattern: ev.a0), .runnable, .running))
        case V1Ev.goEnd:
            kind = .stateTransition
            payload = goTransition(g, .running, .notExist)
        case V1Ev.goStop:
            kind = .stateTransition
            stop(Reason.forever, to: .waiting)
        case V1Ev.goSched:
            kind = .stateTransition
            stop(Reason.gosched, to: .runnable)
        case V1Ev.goPreempt:
            kind = .stateTransition
            stop(Reason.preempted, to: .runnable)
        case V1Ev.goSleep:
            kind = .stateTransition
            stop(Reason.sleep, to: .waiting)
        case V1Ev.goBlock:
            kind = .stateTransition
            stop(Reason.empty, to: .waiting)
        case V1Ev.goUnblock:
            kind = .stateTransition
            stack = self.stack(ev.stkID)
            payload = goTransition(GoID(bitPattern: ev.a0), .waiting, .runnable)
        case V1Ev.goBlockSend:
            kind = .stateTransition
            stop(Reason.chanSend, to: .waiting)
        case V1Ev.goBlockRecv:
            kind = .stateTransition
            stop(Reason.chanRecv, to: .waiting)
        case V1Ev.goBlockSelect:
            kind = .stateTransition
            stop(Reason.select, to: .waiting)
        case V1Ev.goBlockSync:
            kind = .stateTransition
            stop(Reason.sync, to: .waiting)
        case V1Ev.goBlockCond:
            kind = .stateTransition
            stop(Reason.syncCond, to: .waiting)
        case V1Ev.goBlockNet:
            kind = .stateTransition
            stop(Reason.network, to: .waiting)
        case V1Ev.goBlockGC:
            kind = .stateTransition
            stop(Reason.markAssistWait, to: .waiting)
        case V1Ev.goSysCall:
            // The next event of the same goroutine tells whether the syscall blocked: an
            // EvGoSysBlock if it did.
            let blocked = blockedSyscalls.contains(syscalls)
            syscalls += 1
            kind = .stateTransition
            stack = self.stack(ev.stkID)
            if !blocked {
                // An instantaneous syscall becomes a 1 ns syscall: a begin and an end.
                let m = procMs[p] ?? 0
                extra.append(Event(kind: .stateTransition, time: ev.ts &+ 1, goroutine: rawG, proc: p, thread: m,
                                   payload: goTransition(rawG, .syscall, .running)))
                return Event(kind: .stateTransition, time: ev.ts, goroutine: rawG, proc: p, thread: m, stack: stack,
                             payload: goTransition(rawG, .running, .syscall, stack: stack))
            }
            payload = goTransition(g, .running, .syscall, stack: stack)
        case V1Ev.goSysExit:
            kind = .stateTransition
            payload = goTransition(g, .syscall, .runnable)
        case V1Ev.goSysBlock:
            return nil
        case V1Ev.goWaiting:
            kind = .stateTransition
            payload = goTransition(GoID(bitPattern: ev.a0), .undetermined, .waiting)
            createdPreInit.remove(ev.a0)
        case V1Ev.goInSyscall:
            // v1 does not say which thread the syscall is on.
            kind = .stateTransition
            payload = goTransition(GoID(bitPattern: ev.a0), .undetermined, .syscall)
            createdPreInit.remove(ev.a0)
        case V1Ev.heapAlloc:
            kind = .metric
            payload = .metric(Metric(name: "/memory/classes/heap/objects:bytes", value: .uint64(ev.a0)))
        case V1Ev.heapGoal:
            kind = .metric
            payload = .metric(Metric(name: "/gc/heap/goal:bytes", value: .uint64(ev.a0)))
        case V1Ev.gcMarkAssistStart:
            kind = .rangeBegin
            payload = .range(Range(name: "GC mark assist", scope: .goroutine(g)), attributes: [])
            stack = self.stack(ev.stkID)
        case V1Ev.gcMarkAssistDone:
            kind = .rangeEnd
            payload = .range(Range(name: "GC mark assist", scope: .goroutine(g)), attributes: [])
        case V1Ev.userTaskCreate:
            kind = .taskBegin
            let name = string(ev.a2)
            tasks[ev.a0] = (name, ev.a1)
            payload = .task(Task(id: ev.a0, parent: ev.a1 == 0 ? noTask : ev.a1, type: name))
            stack = self.stack(ev.stkID)
        case V1Ev.userTaskEnd:
            kind = .taskEnd
            if let t = tasks.removeValue(forKey: ev.a0) {
                payload = .task(Task(id: ev.a0, parent: t.parent, type: t.name))
            } else {
                payload = .task(Task(id: ev.a0, parent: noTask, type: ""))
            }
            stack = self.stack(ev.stkID)
        case V1Ev.userRegion:
            switch ev.a1 {
            case 0: kind = .regionBegin
            case 1: kind = .regionEnd
            default: kind = .bad // unreachable: the parser rejects other modes
            }
            if kind != .bad {
                payload = .region(Region(task: ev.a0, type: string(ev.a2)))
                stack = self.stack(ev.stkID)
            }
        case V1Ev.userLog:
            kind = .log
            let message = ev.a3 < UInt64(tables.inlineStrings.count) ? tables.inlineStrings[Int(ev.a3)] : ""
            payload = .log(Log(task: ev.a0, category: string(ev.a1), message: message))
            stack = self.stack(ev.stkID)
        case V1Ev.cpuSample:
            // Go 1.21 CPU samples have no M.
            return Event(kind: .stackSample, time: ev.ts, goroutine: g, proc: p, thread: noThread,
                         stack: tableStack(UInt64(ev.stkID)))
        default:
            throw V1Error("unexpected event type \(ev.type)")
        }

        var m = noThread
        if ev.p != -1, let t = procMs[p] {
            m = t
        }
        if ev.type == V1Ev.procStop {
            procMs.remove(p)
        }
        return Event(kind: kind, time: ev.ts, goroutine: g, proc: p, thread: m, stack: stack, payload: payload)
    }
}
