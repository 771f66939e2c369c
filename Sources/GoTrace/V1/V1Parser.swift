// The v1 trace parser (Go 1.11–1.21), a port of Go's internal/trace/internal/tracev1 (parser.go,
// order.go): same passes, same checks, same error messages.
//
// The format is not split into generations: the per-P batches of the whole file must be merged
// into one globally ordered stream, and the stream validated, before the first event can be
// delivered. Go keeps every decoded event in memory (64 bytes each, ~1 GB for a 50 MB trace).
// This parser keeps the file's bytes instead and only records the merge order (one byte per event
// while there are fewer than 256 Ps), then decodes the batches again, in that order, to validate
// the stream and once more to deliver it (``V1Replay``). The result is the same stream:
//
// 1. First pass (`collectBatchesAndCPUSamples`): find the batches, parse the CPU samples.
// 2. Merge (`parseEventBatches`): repeatedly take the earliest event among the Ps' next events
//    whose goroutine-state dependencies are met. Go then checks that the merged stream's times
//    are sorted, gives each EvGoSysExit its real time (the time it carries, which may be earlier)
//    and sorts the stream stably by time. Here the check and the new times are computed during
//    the merge; the stable sort is applied while replaying (a small reorder buffer: only
//    EvGoSysExit events move).
// 3. Validation (`postProcessTrace`) over a replay: ticks become nanoseconds, timers and syscall
//    exits move to pseudo-Ps, and the consistency checks run (``V1PostProcessor``). What the
//    delivery needs from this pass (which syscalls blocked, which unblocks came from the network
//    poller) is kept as one bit per such event.
//
// The merge breaks timestamp ties the way Go's does, except that Go visits the Ps in map order
// (random) and this parser visits them by P id, so its output is one of the orders Go can produce.
//
// Truncation: the runtime ends every v1 trace with a footer, the EvFrequency event followed by the
// whole stack table. A file cut short lacks the footer or part of the stack table, or ends inside an
// event. Go reports such files with its usual messages (or, cut inside the stack table, reads them
// with stacks missing); tracedb keeps Go's messages but marks these errors `.truncated`, and
// records stacks that are used but never defined so that the reader can refuse such a file.

/// The order in which the merge took events from the Ps: a P index per event.
struct V1MergeOrder {
    private var narrow: [UInt8] = []
    private var wide: [UInt32] = []
    private let isWide: Bool

    init(procs: Int) { isWide = procs > 256 }

    var count: Int { isWide ? wide.count : narrow.count }

    mutating func append(_ proc: Int) {
        if isWide { wide.append(UInt32(proc)) } else { narrow.append(UInt8(proc)) }
    }

    @inline(__always)
    subscript(i: Int) -> Int { isWide ? Int(wide[i]) : Int(narrow[i]) }
}

/// A set of small non-negative integers (the ordinals of some events).
struct V1BitSet {
    private var words: [UInt64] = []

    mutating func insert(_ i: Int) {
        let w = i >> 6
        if w >= words.count { words.append(contentsOf: repeatElement(0, count: w + 1 - words.count)) }
        words[w] |= 1 << UInt64(i & 63)
    }

    @inline(__always)
    func contains(_ i: Int) -> Bool {
        let w = i >> 6
        return w < words.count && words[w] & (1 << UInt64(i & 63)) != 0
    }
}

/// A goroutine's sequence and status during the merge (`tracev1.gState`).
private struct V1GState: Equatable {
    var seq: UInt64 = 0
    var status: UInt8 = V1GState.dead

    static let dead: UInt8 = 0, runnable: UInt8 = 1, running: UInt8 = 2, waiting: UInt8 = 3
    static let unordered = UInt64.max
    static let garbage = UInt64.max - 1
    static let noseq = UInt64.max
    static let seqinc = UInt64.max - 1
}

/// What the replays need from the parse: the batches, the merge order and the moved EvGoSysExit
/// events (immutable once the merge is done).
struct V1Plan {
    /// The batches of each P, in merge order of visit (by P id); the last P is the CPU samples'.
    var batches: [[V1BatchOffset]] = []
    /// The CPU samples (the last P of the merge), sorted by time.
    var cpuSamples: [V1Event] = []
    var order = V1MergeOrder(procs: 0)
    /// EvGoSysExit events whose time changes (Go: the real exit time), by merge index.
    var moved: [(index: Int, ts: Int64)] = []
    /// The smallest new time of `moved[j...]`.
    var movedSuffixMin: [Int64] = []
}

final class V1Parser {
    let version: Int
    /// The tables, complete once ``parse()`` returns.
    private(set) var tables: V1Tables
    private var decoder: V1Decoder
    private var plan = V1Plan()

    // The validation's results.
    /// Time (ticks) of the first event: time 0 in nanoseconds.
    private(set) var minTs: Int64 = 0
    /// Nanoseconds per tick.
    private(set) var freq: Double = 0
    /// Ordinals (among GoSysCall events, in delivery order) of the syscalls that blocked.
    private(set) var blockedSyscalls = V1BitSet()
    /// Ordinals (among GoUnblock events) of the unblocks Go moves to the network-poller pseudo-P.
    private(set) var netpollUnblocks = V1BitSet()
    /// The first stack ID an event uses that no EvStack defines (0 if none): a sign that the file
    /// was cut inside the stack table at its end.
    private(set) var undefinedStack: UInt64 = 0
    /// Events in the stream.
    private(set) var eventCount = 0

    /// A parser for `data`, everything after the header of a trace of minor version `version` (11,
    /// 19 or 21). `data` must stay valid while the parser and its replays are used.
    init(data: UnsafeBufferPointer<UInt8>, version: Int) {
        self.version = version
        decoder = V1Decoder(data: data, version: version)
        tables = V1Tables()
    }

    /// Parses and validates the whole trace (Go's `tracev1.Parse`). Afterwards ``replay()`` gives
    /// the events.
    func parse() throws(V1Error) {
        var dec = decoder
        defer { decoder = dec; tables = dec.tables }
        let pids = try Self.collectBatchesAndCPUSamples(&dec, &plan)
        do {
            try Self.parseEventBatches(&dec, &plan, pids: pids)
        } catch {
            // Without its footer the trace was cut off: whatever went wrong, that is why.
            var error = error
            if !dec.tables.sawFrequency { error.truncated = true }
            throw error
        }
        if dec.tables.ticksPerSec == 0 {
            throw V1Error("no EvFrequency event", truncated: true)
        }
        // Floating point avoids integer overflow, as in Go.
        freq = 1e9 / Double(dec.tables.ticksPerSec)
        tables = dec.tables
        do {
            try validate(dec)
        } catch {
            var error = error
            if !dec.tables.sawFrequency { error.truncated = true }
            throw error
        }
    }

    /// The events of the validated stream, in order (ticks not yet converted: see ``prepare(_:)``).
    func replay() -> V1Replay { V1Replay(decoder.forReplay(), plan) }

    /// Records where every batch starts, and parses the CPU samples (`collectBatchesAndCPUSamples`).
    /// Returns the Ps, by id.
    private static func collectBatchesAndCPUSamples(_ dec: inout V1Decoder, _ plan: inout V1Plan) throws(V1Error) -> [Int32] {
        // The batches of each P (by first appearance), and P id → index.
        var batches: [[V1BatchOffset]] = []
        var procIndex: [Int32: Int] = [:]
        var curP: Int32 = 0
        var cur = -1 // index of curP in `batches`, -1 if it has none
        while true {
            guard try dec.readRawEvent(skipArgs: true, skipStrings: true) else { break }
            let typ = dec.rawType
            if typ == V1Ev.none { continue }
            if typ == V1Ev.frequency { dec.tables.sawFrequency = true }
            if typ == V1Ev.batch {
                curP = dec.rawBatchPid
                if let i = procIndex[curP] {
                    cur = i
                } else {
                    cur = batches.count
                    procIndex[curP] = cur
                    batches.append([])
                }
                batches[cur].append(V1BatchOffset(offset: dec.rawBatchOffset, numEvents: 0))
            }
            guard cur >= 0 else {
                throw V1Error("read event \(typ) with current P of \(curP), but P has no batches yet")
            }
            batches[cur][batches[cur].count - 1].numEvents += 1

            if typ == V1Ev.cpuSample {
                var e = V1Event()
                e.type = typ
                let narg = dec.rawArgNum
                if dec.rawCount != narg {
                    throw V1Error("CPU sample has wrong number of arguments: want \(narg), got \(dec.rawCount)")
                }
                for i in 1..<narg {
                    if i == narg - 1 {
                        e.stkID = UInt32(truncatingIfNeeded: dec.rawArg(i))
                    } else {
                        e[arg: i - 1] = dec.rawArg(i)
                    }
                }
                e.ts = Int64(bitPattern: e.a0)
                e.p = Int32(truncatingIfNeeded: e.a1)
                e.g = e.a2
                e.a0 = 0
                // Samples are written after the fact by another goroutine: they are kept apart and
                // merged by the time the signal handler recorded.
                plan.cpuSamples.append(e)
            }
        }
        // Go ranges over a map of Ps here (random order); tracedb takes the Ps by id.
        let pids = procIndex.keys.sorted()
        plan.batches = pids.map { batches[procIndex[$0]!] } + [[]]
        return pids
    }

    /// Merges the per-P batches into one consistent stream (`parseEventBatches`): repeatedly take
    /// the earliest event among the next events of all Ps whose goroutine-state dependencies are
    /// met, so the order is consistent even when timestamps are not. Records the order, the
    /// EvGoSysExit time changes, and Go's checks on them.
    private static func parseEventBatches(_ dec: inout V1Decoder, _ plan: inout V1Plan, pids: [Int32]) throws(V1Error) {
        goSortFunc(&plan.cpuSamples) { $0.ts < $1.ts }

        var procs = [V1ProcCursor](repeating: V1ProcCursor(), count: plan.batches.count)
        procs[procs.count - 1].events = plan.cpuSamples
        plan.order = V1MergeOrder(procs: procs.count)

        var gs = IntMap<V1GState>()
        // The frontier: each P with its next event ready (the event stays at the P's head).
        var frontier: [(ts: Int64, proc: Int)] = []
        var availableProcs = Array(procs.indices)

        // Go's checks after the merge, computed as it goes; reported in Go's order at the end.
        var sorted = true
        var lastRawTs = Int64.min
        var sysExitError: V1Error?
        var lastSysBlock = IntMap<Int64>()

        while true {
            var i = 0
            pidLoop: while i < availableProcs.count {
                let pi = availableProcs[i]
                while procs[pi].head == procs[pi].events.count {
                    // Batches can be empty: keep loading.
                    guard try dec.loadBatch(plan.batches[pi], into: &procs[pi]) else {
                        procs[pi].done = true
                        availableProcs.swapAt(i, availableProcs.count - 1)
                        availableProcs.removeLast()
                        continue pidLoop // look at index i again: it holds another proc now
                    }
                }
                let ev = procs[pi].events[procs[pi].head]
                let (g, initial, _) = stateTransition(ev)
                if !transitionReady(g, gs[Int64(bitPattern: g)] ?? V1GState(), initial) {
                    i += 1
                    continue
                }
                availableProcs.swapAt(i, availableProcs.count - 1)
                availableProcs.removeLast()
                heapPush(&frontier, (ev.ts, pi))
                // Index i holds another proc now: look at it again.
            }

            if frontier.isEmpty {
                for p in procs where !p.done {
                    throw V1Error("no consistent ordering of events possible")
                }
                break
            }
            let proc = heapPop(&frontier).proc
            var ev = procs[proc].events[procs[proc].head]
            procs[proc].head += 1
            let (g, initial, next) = stateTransition(ev)
            // The "Local" variants only matter for ordering.
            dropLocal(&ev)
            let index = plan.order.count
            plan.order.append(proc)
            try transition(&gs, g, initial, next)
            availableProcs.append(proc)

            // The merged stream's times must respect its order (Go: sort.IsSorted).
            if ev.ts < lastRawTs { sorted = false }
            lastRawTs = ev.ts
            // EvGoSysExit gets its real time, which may be long before the event was written.
            if sysExitError == nil {
                switch ev.type {
                case V1Ev.goSysBlock, V1Ev.goInSyscall:
                    lastSysBlock.set(Int64(bitPattern: ev.g), ev.ts)
                case V1Ev.goSysExit:
                    let ts = Int64(bitPattern: ev.a2)
                    if ts == 0 { break }
                    let block = lastSysBlock[Int64(bitPattern: ev.g)] ?? 0
                    if block == 0 {
                        sysExitError = V1Error("stray syscall exit")
                    } else if ts < block {
                        sysExitError = V1Error.timeOrder
                    } else if ts != ev.ts {
                        plan.moved.append((index, ts))
                    }
                default:
                    break
                }
            }
        }

        if !sorted { throw V1Error.timeOrder }
        if let sysExitError { throw sysExitError }
        plan.movedSuffixMin = Array(repeating: .max, count: plan.moved.count)
        var m = Int64.max
        for j in plan.moved.indices.reversed() {
            m = min(m, plan.moved[j].ts)
            plan.movedSuffixMin[j] = m
        }
    }

    @inline(__always)
    fileprivate static func dropLocal(_ ev: inout V1Event) {
        switch ev.type {
        case V1Ev.goStartLocal: ev.type = V1Ev.goStart
        case V1Ev.goUnblockLocal: ev.type = V1Ev.goUnblock
        case V1Ev.goSysExitLocal: ev.type = V1Ev.goSysExit
        default: break
        }
    }

    /// Runs Go's `postProcessTrace` over a replay of the stream, and records what delivering the
    /// events needs to know ahead.
    private func validate(_ dec: V1Decoder) throws(V1Error) {
        var replay = V1Replay(dec.forReplay(), plan)
        var post = V1PostProcessor(tables)
        let timers = tables.timerGoids
        let freq = self.freq
        // The GoSysCall waiting for the next event of its goroutine: Go looks ahead for it to see
        // whether the syscall blocked (an EvGoSysBlock).
        var pendingSyscalls = IntMap<Int>()
        var blocked = V1BitSet()
        var netpoll = V1BitSet()
        var syscalls = 0
        var unblocks = 0
        var n = 0
        var minTs: Int64 = 0
        while var ev = try replay.next() {
            if n == 0 { minTs = ev.ts }
            n += 1
            Self.prepare(&ev, minTs: minTs, freq: freq, timers: timers)
            if ev.type == V1Ev.goUnblock {
                if try post.process(&ev) { netpoll.insert(unblocks) }
                unblocks += 1
            } else {
                _ = try post.process(&ev)
            }
            let g = Int64(bitPattern: ev.g)
            if pendingSyscalls.count > 0, let slot = pendingSyscalls.find(g) {
                let s = pendingSyscalls[slot: slot]
                pendingSyscalls.remove(g)
                if ev.type == V1Ev.goSysBlock { blocked.insert(s) }
            }
            if ev.type == V1Ev.goSysCall {
                pendingSyscalls.set(g, syscalls)
                syscalls += 1
            }
        }
        self.minTs = minTs
        eventCount = n
        blockedSyscalls = blocked
        netpollUnblocks = netpoll
        undefinedStack = post.undefinedStack
    }

    /// Go's conversion of an event's ticks to nanoseconds since the first event, and the move of
    /// timer unblocks and syscall exits to their pseudo-Ps.
    @inline(__always)
    static func prepare(_ ev: inout V1Event, minTs: Int64, freq: Double, timers: borrowing IntMap<Bool>) {
        ev.ts = goFloat64ToInt64(Double(ev.ts &- minTs) * freq)
        if ev.type == V1Ev.goUnblock && timers.count > 0 && timers.contains(Int64(bitPattern: ev.g)) {
            ev.p = V1FakeP.timerP
        }
        if ev.type == V1Ev.goSysExit {
            ev.p = V1FakeP.syscallP
        }
    }

    // MARK: - Ordering (order.go)

    /// The goroutine an event orders on, the state it needs, and the state after it.
    @inline(__always)
    private static func stateTransition(_ ev: V1Event) -> (g: UInt64, initial: V1GState, next: V1GState) {
        switch ev.type {
        case V1Ev.goCreate:
            return (ev.a0, V1GState(seq: 0, status: V1GState.dead), V1GState(seq: 1, status: V1GState.runnable))
        case V1Ev.goWaiting, V1Ev.goInSyscall:
            return (ev.g, V1GState(seq: 1, status: V1GState.runnable), V1GState(seq: 2, status: V1GState.waiting))
        case V1Ev.goStart, V1Ev.goStartLabel:
            return (ev.g, V1GState(seq: ev.a1, status: V1GState.runnable),
                    V1GState(seq: ev.a1 &+ 1, status: V1GState.running))
        case V1Ev.goStartLocal:
            // Emitted on the same P as the GoCreate/GoUnblock it follows, which is merged already.
            return (ev.g, V1GState(seq: V1GState.noseq, status: V1GState.runnable),
                    V1GState(seq: V1GState.seqinc, status: V1GState.running))
        case V1Ev.goBlock, V1Ev.goBlockSend, V1Ev.goBlockRecv, V1Ev.goBlockSelect, V1Ev.goBlockSync,
             V1Ev.goBlockCond, V1Ev.goBlockNet, V1Ev.goSleep, V1Ev.goSysBlock, V1Ev.goBlockGC:
            return (ev.g, V1GState(seq: V1GState.noseq, status: V1GState.running),
                    V1GState(seq: V1GState.noseq, status: V1GState.waiting))
        case V1Ev.goSched, V1Ev.goPreempt:
            return (ev.g, V1GState(seq: V1GState.noseq, status: V1GState.running),
                    V1GState(seq: V1GState.noseq, status: V1GState.runnable))
        case V1Ev.goUnblock, V1Ev.goSysExit:
            return (ev.a0, V1GState(seq: ev.a1, status: V1GState.waiting),
                    V1GState(seq: ev.a1 &+ 1, status: V1GState.runnable))
        case V1Ev.goUnblockLocal, V1Ev.goSysExitLocal:
            return (ev.a0, V1GState(seq: V1GState.noseq, status: V1GState.waiting),
                    V1GState(seq: V1GState.seqinc, status: V1GState.runnable))
        case V1Ev.gcStart:
            return (V1GState.garbage, V1GState(seq: ev.a0, status: V1GState.dead),
                    V1GState(seq: ev.a0 &+ 1, status: V1GState.dead))
        default:
            return (V1GState.unordered, V1GState(), V1GState())
        }
    }

    @inline(__always)
    private static func transitionReady(_ g: UInt64, _ curr: V1GState, _ initial: V1GState) -> Bool {
        g == V1GState.unordered
            || (initial.seq == V1GState.noseq || initial.seq == curr.seq) && initial.status == curr.status
    }

    @inline(__always)
    private static func transition(_ gs: inout IntMap<V1GState>, _ g: UInt64, _ initial: V1GState,
                                   _ next: V1GState) throws(V1Error) {
        if g == V1GState.unordered { return }
        let key = Int64(bitPattern: g)
        let curr = gs[key] ?? V1GState()
        if !transitionReady(g, curr, initial) {
            throw V1Error("encountered impossible goroutine state transition")
        }
        var next = next
        switch next.seq {
        case V1GState.noseq: next.seq = curr.seq
        case V1GState.seqinc: next.seq = curr.seq &+ 1
        default: break
        }
        gs.set(key, next)
    }

    // Go's orderEventList heap (by time), with its exact sift order, so ties come out as in Go.

    private static func heapPush(_ h: inout [(ts: Int64, proc: Int)], _ x: (ts: Int64, proc: Int)) {
        h.append(x)
        var j = h.count - 1
        while true {
            let i = (j - 1) / 2 // parent
            if i == j || !(h[j].ts < h[i].ts) { break }
            h.swapAt(i, j)
            j = i
        }
    }

    private static func heapPop(_ h: inout [(ts: Int64, proc: Int)]) -> (ts: Int64, proc: Int) {
        let n = h.count - 1
        h.swapAt(0, n)
        // heapDown(h, 0, n)
        var i = 0
        while true {
            let j1 = 2 * i + 1
            if j1 >= n || j1 < 0 { break }
            var j = j1
            let j2 = j1 + 1
            if j2 < n && h[j2].ts < h[j1].ts { j = j2 }
            if !(h[j].ts < h[i].ts) { break }
            h.swapAt(i, j)
            i = j
        }
        return h.removeLast()
    }
}

/// A replay of the merged stream in its final order (Go's event list after the merge, the
/// EvGoSysExit time changes and the stable sort): the batches are decoded again and taken in the
/// recorded order. Event times are still in ticks.
struct V1Replay {
    private var dec: V1Decoder
    private let plan: V1Plan
    private var procs: [V1ProcCursor]
    /// Merge index of the next event to take from the batches.
    private var k = 0
    /// Next entry of the moved EvGoSysExit events.
    private var nextMoved = 0
    /// Raw time of the last event taken: no event not yet taken is earlier, except moved ones.
    private var lastRawTs = Int64.min
    /// Events taken but not delivered yet: a heap by (new time, merge index), the stable sort.
    private var pending: [(ev: V1Event, index: Int)] = []

    init(_ dec: V1Decoder, _ plan: V1Plan) {
        self.dec = dec
        self.plan = plan
        procs = [V1ProcCursor](repeating: V1ProcCursor(), count: plan.batches.count)
        if !procs.isEmpty { procs[procs.count - 1].events = plan.cpuSamples }
    }

    /// The next event of the stream, nil at the end.
    mutating func next() throws(V1Error) -> V1Event? {
        while true {
            if let top = pending.first {
                if k == plan.order.count || top.ev.ts <= bound {
                    return popPending().ev
                }
            } else if k == plan.order.count {
                return nil
            }
            let (ev, index) = try take()
            if pending.isEmpty && ev.ts <= bound {
                return ev // the usual case: nothing to reorder
            }
            pushPending((ev, index))
        }
    }

    /// No event still to come sorts before an event at this time: later events of the merge have
    /// raw times >= lastRawTs (and on a tie they come later in the merge, so after it), and moved
    /// ones have their new times.
    @inline(__always)
    private var bound: Int64 {
        nextMoved < plan.moved.count ? min(lastRawTs, plan.movedSuffixMin[nextMoved]) : lastRawTs
    }

    /// Decodes the next event of the merge, with its new time if it moves.
    private mutating func take() throws(V1Error) -> (V1Event, Int) {
        let pi = plan.order[k]
        while procs[pi].head == procs[pi].events.count {
            // The merge took this event, so it exists: the batch decodes as it did then.
            guard try dec.loadBatch(plan.batches[pi], into: &procs[pi]) else {
                throw V1Error("internal error: v1 replay ran out of events")
            }
        }
        var ev = procs[pi].events[procs[pi].head]
        procs[pi].head += 1
        lastRawTs = ev.ts
        V1Parser.dropLocal(&ev)
        if nextMoved < plan.moved.count && plan.moved[nextMoved].index == k {
            ev.ts = plan.moved[nextMoved].ts
            nextMoved += 1
        }
        let index = k
        k += 1
        return (ev, index)
    }

    @inline(__always)
    private static func less(_ a: (ev: V1Event, index: Int), _ b: (ev: V1Event, index: Int)) -> Bool {
        a.ev.ts < b.ev.ts || a.ev.ts == b.ev.ts && a.index < b.index
    }

    private mutating func pushPending(_ x: (ev: V1Event, index: Int)) {
        pending.append(x)
        var j = pending.count - 1
        while j > 0 {
            let i = (j - 1) / 2
            if !Self.less(pending[j], pending[i]) { break }
            pending.swapAt(i, j)
            j = i
        }
    }

    private mutating func popPending() -> (ev: V1Event, index: Int) {
        let n = pending.count - 1
        pending.swapAt(0, n)
        let top = pending.removeLast()
        var i = 0
        while true {
            let l = 2 * i + 1
            if l >= n { break }
            var j = l
            if l + 1 < n && Self.less(pending[l + 1], pending[l]) { j = l + 1 }
            if !Self.less(pending[j], pending[i]) { break }
            pending.swapAt(i, j)
            i = j
        }
        return top
    }
}

/// Go's float64 → int64 conversion on amd64: truncation, and Int64.min for NaN and out-of-range values.
@inline(__always)
func goFloat64ToInt64(_ d: Double) -> Int64 {
    if d > -9.223372036854775808e18 && d < 9.223372036854775808e18 { return Int64(d) }
    return Int64.min
}
