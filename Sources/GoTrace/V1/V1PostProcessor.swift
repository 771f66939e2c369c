// The validation of a merged v1 stream (Go's `postProcessTrace`, tracev1/parser.go), one event at
// a time: a P runs one goroutine at a time, a goroutine is blocked before it is unblocked, GC and
// STW phases nest properly, task IDs are unique, regions end in order. Same checks, same messages.

struct V1PostProcessor {
    private static let gDead = 0, gRunnable = 1, gRunning = 2, gWaiting = 3

    private struct GDesc {
        var state = 0
        /// The type of the event that last changed the state (Go's `ev`), if any.
        var evType: UInt8? = nil
        /// The new-goroutine stack of the GoCreate, until the goroutine first starts (`evCreate`).
        var createStack: UInt64? = nil
        var inMarkAssist = false
    }

    private struct PDesc {
        var running = false
        var g: UInt64 = 0
        var sweeping = false
    }

    private let stacks: V1StackTable
    private let definedStacks: Set<UInt32>
    private var gs = IntMap<GDesc>()
    private var ps = IntMap<PDesc>()
    /// Task ID → its creation event, as it is after processing (for Go's conflict message).
    private var tasks: [UInt64: V1Event] = [:]
    /// Goroutine → its open regions' start events, innermost last.
    private var activeRegions: [UInt64: [V1Event]] = [:]
    private var inGC = false
    private var inSTW = false
    /// The first stack ID an event uses that no EvStack defines (0 if none).
    private(set) var undefinedStack: UInt64 = 0

    init(_ tables: V1Tables) {
        stacks = tables.stacks
        definedStacks = tables.definedStacks
        gs.set(0, GDesc(state: Self.gRunning))
    }

    private func checkRunning(_ p: PDesc, _ g: GDesc, _ ev: V1Event, allowG0: Bool) throws(V1Error) {
        let name = v1EventDescriptions[Int(ev.type)].name
        if g.state != Self.gRunning {
            throw V1Error("g \(ev.g) is not running while \(name) (time \(ev.ts))")
        }
        if p.g != ev.g {
            throw V1Error("p \(ev.p) is not running g \(ev.g) while \(name) (time \(ev.ts))")
        }
        if !allowG0 && ev.g == 0 {
            throw V1Error("g 0 did \(name) (time \(ev.ts))")
        }
    }

    /// Checks the next event of the stream and fills in what the format leaves implicit (the GC
    /// pseudo-P, the network-poller pseudo-P for unblocks of goroutines blocked on the network, the
    /// creation stack of a goroutine's first start, no references to stacks without frames).
    /// Returns whether the event is an unblock moved to the network poller.
    mutating func process(_ ev: inout V1Event) throws(V1Error) -> Bool {
        var netpoll = false
        switch ev.type {
        case V1Ev.procStart:
            var p = ps[Int64(ev.p)] ?? PDesc()
            if p.running {
                throw V1Error("p \(ev.p) is running before start (time \(ev.ts))")
            }
            p.running = true
            ps.set(Int64(ev.p), p)
        case V1Ev.procStop:
            var p = ps[Int64(ev.p)] ?? PDesc()
            if !p.running {
                throw V1Error("p \(ev.p) is not running before stop (time \(ev.ts))")
            }
            if p.g != 0 {
                throw V1Error("p \(ev.p) is running a goroutine \(p.g) during stop (time \(ev.ts))")
            }
            p.running = false
            ps.set(Int64(ev.p), p)
        case V1Ev.gcStart:
            if inGC {
                throw V1Error("previous GC is not ended before a new one (time \(ev.ts))")
            }
            inGC = true
            // Attributed to the global GC state.
            ev.p = V1FakeP.gcP
        case V1Ev.gcDone:
            if !inGC {
                throw V1Error("bogus GC end (time \(ev.ts))")
            }
            inGC = false
        case V1Ev.stwStart:
            if inSTW {
                throw V1Error("previous STW is not ended before a new one (time \(ev.ts))")
            }
            inSTW = true
        case V1Ev.stwDone:
            if !inSTW {
                throw V1Error("bogus STW end (time \(ev.ts))")
            }
            inSTW = false
        case V1Ev.gcSweepStart:
            var p = ps[Int64(ev.p)] ?? PDesc()
            if p.sweeping {
                throw V1Error("previous sweeping is not ended before a new one (time \(ev.ts))")
            }
            p.sweeping = true
            ps.set(Int64(ev.p), p)
        case V1Ev.gcMarkAssistStart:
            var g = gs[Int64(bitPattern: ev.g)] ?? GDesc()
            if g.inMarkAssist {
                throw V1Error("previous mark assist is not ended before a new one (time \(ev.ts))")
            }
            g.inMarkAssist = true
            gs.set(Int64(bitPattern: ev.g), g)
        case V1Ev.gcMarkAssistDone:
            // A mark assist can be in progress when tracing starts: no error for a stray end.
            var g = gs[Int64(bitPattern: ev.g)] ?? GDesc()
            g.inMarkAssist = false
            gs.set(Int64(bitPattern: ev.g), g)
        case V1Ev.gcSweepDone:
            var p = ps[Int64(ev.p)] ?? PDesc()
            if !p.sweeping {
                throw V1Error("bogus sweeping end (time \(ev.ts))")
            }
            p.sweeping = false
            ps.set(Int64(ev.p), p)
        case V1Ev.goWaiting, V1Ev.goInSyscall:
            var g = gs[Int64(bitPattern: ev.g)] ?? GDesc()
            if g.state != Self.gRunnable {
                let what = ev.type == V1Ev.goWaiting ? "EvGoWaiting" : "EvGoInSyscall"
                throw V1Error("g \(ev.g) is not runnable before \(what) (time \(ev.ts))")
            }
            g.state = Self.gWaiting
            g.evType = ev.type
            gs.set(Int64(bitPattern: ev.g), g)
        case V1Ev.goCreate:
            let g = gs[Int64(bitPattern: ev.g)] ?? GDesc()
            let p = ps[Int64(ev.p)] ?? PDesc()
            try checkRunning(p, g, ev, allowG0: true)
            if gs.contains(Int64(bitPattern: ev.a0)) {
                throw V1Error("g \(ev.a0) already exists (time \(ev.ts))")
            }
            gs.set(Int64(bitPattern: ev.a0), GDesc(state: Self.gRunnable, evType: ev.type, createStack: ev.a1))
            if ev.a1 != 0 && undefinedStack == 0
                && (ev.a1 > UInt64(UInt32.max) || !definedStacks.contains(UInt32(ev.a1))) {
                undefinedStack = ev.a1
            }
        case V1Ev.goStart, V1Ev.goStartLabel:
            var g = gs[Int64(bitPattern: ev.g)] ?? GDesc()
            var p = ps[Int64(ev.p)] ?? PDesc()
            if g.state != Self.gRunnable {
                throw V1Error("g \(ev.g) is not runnable before start (time \(ev.ts))")
            }
            if p.g != 0 {
                throw V1Error("p \(ev.p) is already running g \(p.g) while start g \(ev.g) (time \(ev.ts))")
            }
            g.state = Self.gRunning
            p.g = ev.g
            if let stk = g.createStack {
                ev.stkID = UInt32(truncatingIfNeeded: stk)
                g.createStack = nil
            }
            g.evType = nil
            gs.set(Int64(bitPattern: ev.g), g)
            ps.set(Int64(ev.p), p)
        case V1Ev.goEnd, V1Ev.goStop:
            var g = gs[Int64(bitPattern: ev.g)] ?? GDesc()
            var p = ps[Int64(ev.p)] ?? PDesc()
            try checkRunning(p, g, ev, allowG0: false)
            g.state = Self.gDead
            p.g = 0
            if ev.type == V1Ev.goEnd { // the goroutine's regions end with it
                activeRegions[ev.g] = nil
            }
            gs.set(Int64(bitPattern: ev.g), g)
            ps.set(Int64(ev.p), p)
        case V1Ev.goSched, V1Ev.goPreempt:
            var g = gs[Int64(bitPattern: ev.g)] ?? GDesc()
            var p = ps[Int64(ev.p)] ?? PDesc()
            try checkRunning(p, g, ev, allowG0: false)
            g.state = Self.gRunnable
            p.g = 0
            g.evType = ev.type
            gs.set(Int64(bitPattern: ev.g), g)
            ps.set(Int64(ev.p), p)
        case V1Ev.goUnblock:
            let g = gs[Int64(bitPattern: ev.g)] ?? GDesc()
            let p = ps[Int64(ev.p)] ?? PDesc()
            if g.state != Self.gRunning {
                throw V1Error("g \(ev.g) is not running while unpark (time \(ev.ts))")
            }
            if ev.p != V1FakeP.timerP && p.g != ev.g {
                throw V1Error("p \(ev.p) is not running g \(ev.g) while unpark (time \(ev.ts))")
            }
            var g1 = gs[Int64(bitPattern: ev.a0)] ?? GDesc()
            if g1.state != Self.gWaiting {
                throw V1Error("g \(ev.a0) is not waiting before unpark (time \(ev.ts))")
            }
            if g1.evType == V1Ev.goBlockNet {
                ev.p = V1FakeP.netpollP
                netpoll = true
            }
            g1.state = Self.gRunnable
            g1.evType = ev.type
            gs.set(Int64(bitPattern: ev.a0), g1)
        case V1Ev.goSysCall:
            var g = gs[Int64(bitPattern: ev.g)] ?? GDesc()
            let p = ps[Int64(ev.p)] ?? PDesc()
            try checkRunning(p, g, ev, allowG0: false)
            g.evType = ev.type
            gs.set(Int64(bitPattern: ev.g), g)
        case V1Ev.goSysBlock:
            var g = gs[Int64(bitPattern: ev.g)] ?? GDesc()
            var p = ps[Int64(ev.p)] ?? PDesc()
            try checkRunning(p, g, ev, allowG0: false)
            g.state = Self.gWaiting
            p.g = 0
            gs.set(Int64(bitPattern: ev.g), g)
            ps.set(Int64(ev.p), p)
        case V1Ev.goSysExit:
            var g = gs[Int64(bitPattern: ev.g)] ?? GDesc()
            if g.state != Self.gWaiting {
                throw V1Error("g \(ev.g) is not waiting during syscall exit (time \(ev.ts))")
            }
            g.state = Self.gRunnable
            g.evType = ev.type
            gs.set(Int64(bitPattern: ev.g), g)
        case V1Ev.goSleep, V1Ev.goBlock, V1Ev.goBlockSend, V1Ev.goBlockRecv, V1Ev.goBlockSelect,
             V1Ev.goBlockSync, V1Ev.goBlockCond, V1Ev.goBlockNet, V1Ev.goBlockGC:
            var g = gs[Int64(bitPattern: ev.g)] ?? GDesc()
            var p = ps[Int64(ev.p)] ?? PDesc()
            try checkRunning(p, g, ev, allowG0: false)
            g.state = Self.gWaiting
            g.evType = ev.type
            p.g = 0
            gs.set(Int64(bitPattern: ev.g), g)
            ps.set(Int64(ev.p), p)
        case V1Ev.userTaskCreate:
            if let prev = tasks[ev.a0] {
                throw V1Error("task id conflicts (id:\(ev.a0)), \(ev.goQuoted) vs \(prev.goQuoted)")
            }
        case V1Ev.userTaskEnd:
            tasks[ev.a0] = nil
        case V1Ev.userRegion:
            let mode = ev.a1
            if mode == 0 { // region start: pushed below, as it is after processing
            } else if mode == 1 { // region end
                if let regions = activeRegions[ev.g], let s = regions.last { // the matching start is in the trace
                    if s.a0 != ev.a0 || s.a2 != ev.a2 { // task id or region name mismatch
                        throw V1Error("misuse of region in goroutine \(ev.g): span end \(ev.goQuoted) when the inner-most active span start event is \(s.goQuoted)")
                    }
                    activeRegions[ev.g] = regions.count > 1 ? Array(regions.dropLast()) : nil
                }
            } else {
                throw V1Error("invalid user region mode: \(ev.goQuoted)")
            }
        default:
            break
        }

        // Events must not refer to stacks that do not exist or have no frames.
        let stk = ev.stkID
        if stk != 0 && !stacks.hasFrames(stk) {
            if undefinedStack == 0 && !definedStacks.contains(stk) { undefinedStack = UInt64(stk) }
            ev.stkID = 0
        }

        // Kept as they are now: Go's messages print them in their final state.
        if ev.type == V1Ev.userTaskCreate {
            tasks[ev.a0] = ev
        } else if ev.type == V1Ev.userRegion && ev.a1 == 0 {
            activeRegions[ev.g, default: []].append(ev)
        }
        return netpoll
    }
}
