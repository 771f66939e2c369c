// The ordering: a model of the Go scheduler that validates each event against the state of the
// goroutines, procs and threads, and decides whether it can happen yet. The reader offers it
// the next event of each thread; only events whose preconditions (sequence numbers, states) hold
// advance, which puts the threads' streams into one consistent order (internal/trace/order.go).

/// Presence requirement on a goroutine, proc or thread (Go's `constraint`).
enum Constraint { case mustNotHave, mayHave, mustHave }

struct SchedReqs {
    var m: Constraint
    var p: Constraint
    var g: Constraint
    static let userGo = SchedReqs(m: .mustHave, p: .mustHave, g: .mustHave)
}

/// Checks `ctx` against `reqs` (`validateCtx`).
@inline(__always)
func validateCtx(_ ctx: SchedContext, _ reqs: SchedReqs) throws(TraceError) {
    if reqs.m == .mustHave && ctx.m == noThread { throw orderError("expected a thread but didn't have one") }
    if reqs.m == .mustNotHave && ctx.m != noThread { throw orderError("expected no thread but had one") }
    if reqs.p == .mustHave && ctx.p == noProc { throw orderError("expected a proc but didn't have one") }
    if reqs.p == .mustNotHave && ctx.p != noProc { throw orderError("expected no proc but had one") }
    if reqs.g == .mustHave && ctx.g == noGoroutine { throw orderError("expected a goroutine but didn't have one") }
    if reqs.g == .mustNotHave && ctx.g != noGoroutine { throw orderError("expected no goroutine but had one") }
}

enum GCState: CustomStringConvertible {
    case undetermined, notRunning, running
    var description: String {
        switch self {
        case .undetermined: "Undetermined"
        case .notRunning: "NotRunning"
        case .running: "Running"
        }
    }
}

/// Go's `ordering`. A value type so the reader's hot loop mutates it in place.
struct Ordering {
    let version: TraceVersion
    let info = wireTypeInfoPointer
    var gStates = IntMap<GState>()
    var pStates = IntMap<PState>()
    var mStates = IntMap<MState>()
    var gExtras: [GoID: GoroutineExtras] = [:]
    var pRanges: [ProcID: RangeState] = [:]
    var activeTasks: [TaskID: TaskState] = [:]
    var gcSeq: UInt64 = 0
    var gcState = GCState.undetermined
    var initialGen: UInt64 = 0
    var queue = EventQueue()
    /// The tables of the generation being ordered (for the names of tasks and regions).
    var table: GenerationTable?

    init(version: TraceVersion) { self.version = version }

    func evName(_ typ: WireType) -> String { version.eventName(typ) }

    /// Pops the next ordered event.
    @inline(__always)
    mutating func next() -> PendingEvent? { queue.pop() }

    @inline(__always)
    private mutating func push(_ ev: BaseEvent, _ ctx: SchedContext, box: EventBox? = nil) {
        var e = PendingEvent(typ: ev.typ, time: ev.time, args: ev.args, ctx: ctx)
        if let box {
            e.box = Int32(queue.boxes.count)
            queue.boxes.append(box)
        }
        queue.push(e)
    }

    @inline(__always)
    private mutating func push(_ typ: WireType, _ time: Int64, _ ctx: SchedContext,
                               _ a0: UInt64 = 0, _ a1: UInt64 = 0, a3: UInt64 = 0) {
        var args = EventArgs()
        args.a0 = a0; args.a1 = a1; args.a3 = a3
        queue.push(PendingEvent(typ: typ, time: time, args: args, ctx: ctx))
    }

    private mutating func extras(_ g: GoID, _ slot: Int) -> GoroutineExtras {
        if gStates[slot: slot].hasExtras, let e = gExtras[g] { return e }
        gStates[slot: slot].hasExtras = true
        return GoroutineExtras()
    }

    private mutating func removeGoroutine(_ g: GoID, _ slot: Int) {
        if gStates[slot: slot].hasExtras { gExtras[g] = nil }
        gStates.remove(g)
    }

    /// Tries to advance `ev`, read from thread `m` in generation `gen` (`Advance`). False means
    /// "not yet": another thread's event must come first.
    @inline(__always)
    mutating func advance(_ ev: inout BaseEvent, _ m: ThreadID, _ gen: UInt64) throws(TraceError) -> Bool {
        if initialGen == 0 { initialGen = gen }
        var curCtx = SchedContext(g: noGoroutine, p: noProc, m: m)
        var mSlot = -1
        if m != noThread {
            if let i = mStates.find(m) {
                mSlot = i
            } else {
                mSlot = mStates.set(m, MState(g: noGoroutine, p: noProc))
            }
            let ms = mStates[slot: mSlot]
            curCtx.p = ms.p
            curCtx.g = ms.g
        }
        let layout = mStates.layoutVersion
        var newCtx = curCtx
        let ok: Bool
        switch ev.typ {
        case Ev.procsChange, Ev.goLabel, Ev.userLog: ok = try advanceAnnotation(&ev, curCtx)
        case Ev.procStart: ok = try advanceProcStart(&ev, gen, curCtx, &newCtx)
        case Ev.procStop: ok = try advanceProcStop(&ev, curCtx, &newCtx)
        case Ev.procSteal: ok = try advanceProcSteal(&ev, gen, curCtx, &newCtx)
        case Ev.procStatus: ok = try advanceProcStatus(&ev, gen, curCtx, &newCtx)
        case Ev.goCreate, Ev.goCreateBlocked: ok = try advanceGoCreate(&ev, gen, curCtx)
        case Ev.goCreateSyscall: ok = try advanceGoCreateSyscall(&ev, gen, curCtx, &newCtx)
        case Ev.goStart: ok = try advanceGoStart(&ev, gen, curCtx, &newCtx)
        case Ev.goDestroy, Ev.goStop, Ev.goBlock: ok = try advanceGoStopExec(&ev, curCtx, &newCtx)
        case Ev.goDestroySyscall: ok = try advanceGoDestroySyscall(&ev, curCtx, &newCtx)
        case Ev.goUnblock: ok = try advanceGoUnblock(&ev, gen, curCtx)
        case Ev.goSyscallBegin: ok = try advanceGoSyscallBegin(&ev, gen, curCtx)
        case Ev.goSyscallEnd: ok = try advanceGoSyscallEnd(&ev, curCtx)
        case Ev.goSyscallEndBlocked: ok = try advanceGoSyscallEndBlocked(&ev, curCtx, &newCtx)
        case Ev.goStatus, Ev.goStatusStack: ok = try advanceGoStatus(&ev, gen, curCtx, &newCtx)
        case Ev.stwBegin, Ev.gcMarkAssistBegin: ok = try advanceGoRangeBegin(&ev, curCtx)
        case Ev.stwEnd, Ev.gcMarkAssistEnd: ok = try advanceGoRangeEnd(&ev, curCtx)
        case Ev.gcActive: ok = try advanceGCActive(&ev, gen, curCtx)
        case Ev.gcBegin: ok = try advanceGCBegin(&ev, curCtx)
        case Ev.gcEnd: ok = try advanceGCEnd(&ev, curCtx)
        case Ev.gcSweepActive: ok = try advanceGCSweepActive(&ev, gen, curCtx)
        case Ev.gcSweepBegin: ok = try advanceGCSweepBegin(&ev, curCtx)
        case Ev.gcSweepEnd: ok = try advanceGCSweepEnd(&ev, curCtx)
        case Ev.gcMarkAssistActive: ok = try advanceGoRangeActive(&ev, gen, curCtx)
        case Ev.heapAlloc, Ev.heapGoal: ok = try advanceHeapMetric(&ev, curCtx)
        case Ev.userTaskBegin: ok = try advanceUserTaskBegin(&ev, curCtx)
        case Ev.userTaskEnd: ok = try advanceUserTaskEnd(&ev, curCtx)
        case Ev.userRegionBegin: ok = try advanceUserRegionBegin(&ev, curCtx)
        case Ev.userRegionEnd: ok = try advanceUserRegionEnd(&ev, curCtx)
        case Ev.goSwitch, Ev.goSwitchDestroy: ok = try advanceGoSwitch(&ev, gen, curCtx, &newCtx)
        case Ev.span...Ev.goroutineStackFree: ok = try advanceAllocFree(&ev, curCtx)
        default:
            throw orderError("bad event type found while ordering: \(ev.typ)")
        }
        if ok && mSlot >= 0 {
            if mStates.layoutVersion != layout { mSlot = mStates.find(m)! }
            mStates[slot: mSlot] = MState(g: newCtx.g, p: newCtx.p)
        }
        return ok
    }

    // MARK: Procs

    private mutating func advanceProcStatus(_ ev: inout BaseEvent, _ gen: UInt64,
                                            _ curCtx0: SchedContext, _ newCtx: inout SchedContext) throws(TraceError) -> Bool {
        var curCtx = curCtx0
        let pid = ProcID(bitPattern: ev.args.a0)
        let status = ev.args.a1
        if status >= 5 { throw orderError("invalid status for proc \(pid): \(status)") }
        var oldState = WireProcStatus.toProcState[Int(status)]
        if let i = pStates.find(pid) {
            let s = pStates[slot: i]
            if status == WireProcStatus.syscallAbandoned && s.status == WireProcStatus.syscall {
                // Already known to be in a syscall: nothing was lost.
                oldState = .running
                ev.args.a1 = WireProcStatus.syscall
            } else if status == WireProcStatus.syscallAbandoned && s.status == WireProcStatus.syscallAbandoned {
                oldState = .idle
                ev.args.a1 = WireProcStatus.syscallAbandoned
            } else if s.status != status {
                throw orderError("inconsistent status for proc \(pid): old \(WireProcStatus.name(s.status)) vs. new \(WireProcStatus.name(status))")
            }
            pStates[slot: i].seq = SeqCounter(gen: gen, seq: 0)
        } else {
            pStates.set(pid, PState(status: status, seq: SeqCounter(gen: gen, seq: 0)))
            oldState = gen == initialGen ? .undetermined : .notExist
        }
        ev.args.a2 = UInt64(oldState.rawValue)
        if status == WireProcStatus.running || status == WireProcStatus.syscall {
            newCtx.p = pid
        }
        // A promoted SyscallAbandoned status is about to be stolen: emit it in the context the P
        // is bound to.
        if status == WireProcStatus.syscallAbandoned && oldState == .running {
            var found = false
            try mStates.forEach { (mid: Int64, ms: MState) throws(TraceError) in
                if ms.p == pid {
                    curCtx.m = mid
                    curCtx.p = pid
                    curCtx.g = ms.g
                    found = true
                }
            }
            if !found { throw orderError("failed to find sched context for proc \(pid) that's about to be stolen") }
        }
        push(ev, curCtx)
        return true
    }

    private mutating func advanceProcStart(_ ev: inout BaseEvent, _ gen: UInt64,
                                           _ curCtx: SchedContext, _ newCtx: inout SchedContext) throws(TraceError) -> Bool {
        let pid = ProcID(bitPattern: ev.args.a0)
        let seq = SeqCounter(gen: gen, seq: ev.args.a1)
        guard let i = pStates.find(pid) else { return false }
        let state = pStates[slot: i]
        guard state.status == WireProcStatus.idle, seq.succeeds(state.seq), curCtx.p == noProc else { return false }
        try validateCtx(curCtx, SchedReqs(m: .mustHave, p: .mustNotHave, g: .mayHave))
        pStates[slot: i] = PState(status: WireProcStatus.running, seq: seq)
        newCtx.p = pid
        push(ev, curCtx)
        return true
    }

    private mutating func advanceProcStop(_ ev: inout BaseEvent, _ curCtx: SchedContext,
                                          _ newCtx: inout SchedContext) throws(TraceError) -> Bool {
        guard let i = pStates.find(curCtx.p) else {
            throw orderError("event \(evName(ev.typ)) for proc (\(curCtx.p)) that doesn't exist")
        }
        let status = pStates[slot: i].status
        if status != WireProcStatus.running && status != WireProcStatus.syscall {
            throw orderError("\(evName(ev.typ)) event for proc that's not Running or Syscall")
        }
        try validateCtx(curCtx, SchedReqs(m: .mustHave, p: .mustHave, g: .mayHave))
        pStates[slot: i].status = WireProcStatus.idle
        newCtx.p = noProc
        push(ev, curCtx)
        return true
    }

    private mutating func advanceProcSteal(_ ev: inout BaseEvent, _ gen: UInt64,
                                           _ curCtx: SchedContext, _ newCtx: inout SchedContext) throws(TraceError) -> Bool {
        let pid = ProcID(bitPattern: ev.args.a0)
        let seq = SeqCounter(gen: gen, seq: ev.args.a1)
        guard let i = pStates.find(pid) else { return false }
        let state = pStates[slot: i]
        guard state.status == WireProcStatus.syscall || state.status == WireProcStatus.syscallAbandoned,
              seq.succeeds(state.seq) else { return false }
        try validateCtx(curCtx, SchedReqs(m: .mustHave, p: .mayHave, g: .mayHave))
        // Tell the event which state let it advance: a steal from SyscallAbandoned is Idle->Idle.
        let oldStatus = state.status
        ev.args.a3 = oldStatus
        pStates[slot: i] = PState(status: WireProcStatus.idle, seq: seq)
        if oldStatus == WireProcStatus.syscallAbandoned {
            push(ev, curCtx)
            return true
        }
        let mid = ThreadID(bitPattern: ev.args.a2)
        if mid == curCtx.m {
            // Stealing from ourselves: like a ProcStop.
            if curCtx.p != pid {
                throw orderError("tried to self-steal proc \(pid) (thread \(mid)), but got proc \(curCtx.p) instead")
            }
            newCtx.p = noProc
            push(ev, curCtx)
            return true
        }
        guard let mi = mStates.find(mid) else { throw orderError("stole proc from non-existent thread \(mid)") }
        let mp = mStates[slot: mi].p
        if mp != pid {
            throw orderError("tried to steal proc \(pid) from thread \(mid), but got proc \(mp) instead")
        }
        mStates[slot: mi].p = noProc
        push(ev, curCtx)
        return true
    }

    // MARK: Goroutines

    private mutating func advanceGoStatus(_ ev: inout BaseEvent, _ gen: UInt64,
                                          _ curCtx0: SchedContext, _ newCtx: inout SchedContext) throws(TraceError) -> Bool {
        var curCtx = curCtx0
        let gid = GoID(bitPattern: ev.args.a0)
        let mid = ThreadID(bitPattern: ev.args.a1)
        let status = ev.args.a2
        if status >= 5 { throw orderError("invalid status for goroutine \(gid): \(status)") }
        var oldState = WireGoStatus.toGoState[Int(status)]
        if let i = gStates.find(gid) {
            let old = gStates[slot: i].status
            if old != status {
                throw orderError("inconsistent status for goroutine \(gid): old \(WireGoStatus.name(old)) vs. new \(WireGoStatus.name(status))")
            }
            gStates[slot: i].seq = SeqCounter(gen: gen, seq: 0)
        } else if gen == initialGen {
            gStates.set(gid, GState(status: status, seq: SeqCounter(gen: gen, seq: 0)))
            oldState = .undetermined
        } else {
            throw orderError("found goroutine status for new goroutine after the first generation: id=\(gid) status=\(WireGoStatus.name(status))")
        }
        ev.args.a2 = UInt64(oldState.rawValue) << 32 | status
        switch status {
        case WireGoStatus.running:
            newCtx.g = gid
        case WireGoStatus.syscall:
            if mid == noThread { throw orderError("found goroutine \(gid) in syscall without a thread") }
            if mid == curCtx.m {
                if gen != initialGen && curCtx.g != gid {
                    throw orderError("inconsistent thread for syscalling goroutine \(gid): thread has goroutine \(curCtx.g)")
                }
                newCtx.g = gid
                break
            }
            // A goroutine sitting in a syscall on another thread for the whole generation.
            if let mi = mStates.find(mid) {
                let mg = mStates[slot: mi].g
                if mg != gid {
                    throw orderError("inconsistent thread for syscalling goroutine \(gid): thread has goroutine \(mg)")
                }
                curCtx.g = mg
            } else {
                mStates.set(mid, MState(g: gid, p: noProc))
            }
            curCtx.m = mid
        default:
            break
        }
        push(ev, curCtx)
        return true
    }

    private mutating func advanceGoCreate(_ ev: inout BaseEvent, _ gen: UInt64,
                                          _ curCtx: SchedContext) throws(TraceError) -> Bool {
        try validateCtx(curCtx, SchedReqs(m: .mustHave, p: .mustHave, g: .mayHave))
        if let i = gStates.find(curCtx.g), gStates[slot: i].status != WireGoStatus.running {
            throw orderError("\(evName(ev.typ)) event for goroutine that's not Running")
        }
        let newgid = GoID(bitPattern: ev.args.a0)
        if gStates.contains(newgid) { throw orderError("tried to create goroutine (\(newgid)) that already exists") }
        let status = ev.typ == Ev.goCreateBlocked ? WireGoStatus.waiting : WireGoStatus.runnable
        gStates.set(newgid, GState(status: status, seq: SeqCounter(gen: gen, seq: 0)))
        push(ev, curCtx)
        return true
    }

    private mutating func advanceGoStopExec(_ ev: inout BaseEvent, _ curCtx: SchedContext,
                                            _ newCtx: inout SchedContext) throws(TraceError) -> Bool {
        try validateCtx(curCtx, .userGo)
        guard let i = gStates.find(curCtx.g) else {
            throw orderError("event \(evName(ev.typ)) for goroutine (\(curCtx.g)) that doesn't exist")
        }
        if gStates[slot: i].status != WireGoStatus.running {
            throw orderError("\(evName(ev.typ)) event for goroutine that's not Running")
        }
        switch ev.typ {
        case Ev.goDestroy:
            removeGoroutine(curCtx.g, i)
        case Ev.goStop:
            gStates[slot: i].status = WireGoStatus.runnable
        default:
            gStates[slot: i].status = WireGoStatus.waiting
        }
        newCtx.g = noGoroutine
        push(ev, curCtx)
        return true
    }

    private mutating func advanceGoStart(_ ev: inout BaseEvent, _ gen: UInt64,
                                         _ curCtx: SchedContext, _ newCtx: inout SchedContext) throws(TraceError) -> Bool {
        let gid = GoID(bitPattern: ev.args.a0)
        let seq = SeqCounter(gen: gen, seq: ev.args.a1)
        guard let i = gStates.find(gid) else { return false }
        let state = gStates[slot: i]
        guard state.status == WireGoStatus.runnable, seq.succeeds(state.seq) else { return false }
        try validateCtx(curCtx, SchedReqs(m: .mustHave, p: .mustHave, g: .mustNotHave))
        gStates[slot: i].status = WireGoStatus.running
        gStates[slot: i].seq = seq
        newCtx.g = gid
        push(ev, curCtx)
        return true
    }

    private mutating func advanceGoUnblock(_ ev: inout BaseEvent, _ gen: UInt64,
                                           _ curCtx: SchedContext) throws(TraceError) -> Bool {
        let gid = GoID(bitPattern: ev.args.a0)
        let seq = SeqCounter(gen: gen, seq: ev.args.a1)
        guard let i = gStates.find(gid) else { return false }
        let state = gStates[slot: i]
        guard state.status == WireGoStatus.waiting, seq.succeeds(state.seq) else { return false }
        gStates[slot: i].status = WireGoStatus.runnable
        gStates[slot: i].seq = seq
        push(ev, curCtx)
        return true
    }

    private mutating func advanceGoSwitch(_ ev: inout BaseEvent, _ gen: UInt64,
                                          _ curCtx: SchedContext, _ newCtx: inout SchedContext) throws(TraceError) -> Bool {
        // An unblock of the next goroutine, a block (or destroy) of the current one, and a start
        // of the next one.
        try validateCtx(curCtx, .userGo)
        guard let ci = gStates.find(curCtx.g) else {
            throw orderError("event \(evName(ev.typ)) for goroutine (\(curCtx.g)) that doesn't exist")
        }
        if gStates[slot: ci].status != WireGoStatus.running {
            throw orderError("\(evName(ev.typ)) event for goroutine that's not Running")
        }
        let nextg = GoID(bitPattern: ev.args.a0)
        let seq = SeqCounter(gen: gen, seq: ev.args.a1)
        guard let ni = gStates.find(nextg) else { return false }
        let next = gStates[slot: ni]
        guard next.status == WireGoStatus.waiting, seq.succeeds(next.seq) else { return false }
        push(ev, curCtx)
        // Update the next goroutine before a removal can move slots.
        gStates[slot: ni].status = WireGoStatus.running
        gStates[slot: ni].seq = seq
        if ev.typ == Ev.goSwitch {
            gStates[slot: ci].status = WireGoStatus.waiting
            push(Ev.goBlock, ev.time, curCtx, 0, 0)
        } else {
            removeGoroutine(curCtx.g, ci)
            push(Ev.goDestroy, ev.time, curCtx)
        }
        newCtx.g = nextg
        var startCtx = curCtx
        startCtx.g = noGoroutine
        push(Ev.goStart, ev.time, startCtx, UInt64(bitPattern: nextg), ev.args.a1)
        return true
    }

    private mutating func advanceGoSyscallBegin(_ ev: inout BaseEvent, _ gen: UInt64,
                                                _ curCtx: SchedContext) throws(TraceError) -> Bool {
        try validateCtx(curCtx, .userGo)
        guard let i = gStates.find(curCtx.g) else {
            throw orderError("event \(evName(ev.typ)) for goroutine (\(curCtx.g)) that doesn't exist")
        }
        if gStates[slot: i].status != WireGoStatus.running {
            throw orderError("\(evName(ev.typ)) event for goroutine that's not Running")
        }
        gStates[slot: i].status = WireGoStatus.syscall
        guard let pi = pStates.find(curCtx.p) else {
            throw orderError("uninitialized proc \(curCtx.p) found during \(evName(ev.typ))")
        }
        pStates[slot: pi].status = WireProcStatus.syscall
        // The P sequence number disambiguates which syscall a ProcSteal steals from.
        let pSeq = SeqCounter(gen: gen, seq: ev.args.a0)
        let old = pStates[slot: pi].seq
        if !pSeq.succeeds(old) {
            throw orderError("failed to advance \(evName(ev.typ)): can't make sequence: \(old) -> \(pSeq)")
        }
        pStates[slot: pi].seq = pSeq
        push(ev, curCtx)
        return true
    }

    private mutating func advanceGoSyscallEnd(_ ev: inout BaseEvent,
                                              _ curCtx: SchedContext) throws(TraceError) -> Bool {
        try validateCtx(curCtx, .userGo)
        guard let i = gStates.find(curCtx.g) else {
            throw orderError("event \(evName(ev.typ)) for goroutine (\(curCtx.g)) that doesn't exist")
        }
        if gStates[slot: i].status != WireGoStatus.syscall {
            throw orderError("\(evName(ev.typ)) event for goroutine that's not Running")
        }
        gStates[slot: i].status = WireGoStatus.running
        guard let pi = pStates.find(curCtx.p) else {
            throw orderError("uninitialized proc \(curCtx.p) found during \(evName(ev.typ))")
        }
        let pstatus = pStates[slot: pi].status
        if pstatus != WireProcStatus.syscall {
            throw orderError("expected proc \(curCtx.p) in state Syscall, but got \(WireProcStatus.name(pstatus)) instead")
        }
        pStates[slot: pi].status = WireProcStatus.running
        push(ev, curCtx)
        return true
    }

    private mutating func advanceGoSyscallEndBlocked(_ ev: inout BaseEvent, _ curCtx: SchedContext,
                                                     _ newCtx: inout SchedContext) throws(TraceError) -> Bool {
        // Not until the P has left the syscall state (stopped or stolen).
        if curCtx.p != noProc {
            guard let pi = pStates.find(curCtx.p) else {
                throw orderError("uninitialized proc \(curCtx.p) found during \(evName(ev.typ))")
            }
            if pStates[slot: pi].status == WireProcStatus.syscall { return false }
        }
        try validateCtx(curCtx, SchedReqs(m: .mustHave, p: .mayHave, g: .mustHave))
        guard let i = gStates.find(curCtx.g) else {
            throw orderError("event \(evName(ev.typ)) for goroutine (\(curCtx.g)) that doesn't exist")
        }
        if gStates[slot: i].status != WireGoStatus.syscall {
            throw orderError("\(evName(ev.typ)) event for goroutine that's not Running")
        }
        newCtx.g = noGoroutine
        gStates[slot: i].status = WireGoStatus.runnable
        push(ev, curCtx)
        return true
    }

    private mutating func advanceGoCreateSyscall(_ ev: inout BaseEvent, _ gen: UInt64,
                                                 _ curCtx: SchedContext, _ newCtx: inout SchedContext) throws(TraceError) -> Bool {
        // A goroutine appearing out of a cgo callback, in the syscall state.
        try validateCtx(curCtx, SchedReqs(m: .mustHave, p: .mayHave, g: .mustNotHave))
        let newgid = GoID(bitPattern: ev.args.a0)
        if gStates.contains(newgid) {
            throw orderError("tried to create goroutine (\(newgid)) in syscall that already exists")
        }
        gStates.set(newgid, GState(status: WireGoStatus.syscall, seq: SeqCounter(gen: gen, seq: 0)))
        newCtx.g = newgid
        push(ev, curCtx)
        return true
    }

    private mutating func advanceGoDestroySyscall(_ ev: inout BaseEvent, _ curCtx: SchedContext,
                                                  _ newCtx: inout SchedContext) throws(TraceError) -> Bool {
        // A cgo callback goroutine going away; the thread also loses its P, since the thread ID
        // may be reused.
        try validateCtx(curCtx, SchedReqs(m: .mustHave, p: .mayHave, g: .mustHave))
        guard let i = gStates.find(curCtx.g) else {
            throw orderError("event \(evName(ev.typ)) for goroutine (\(curCtx.g)) that doesn't exist")
        }
        if gStates[slot: i].status != WireGoStatus.syscall {
            throw orderError("\(evName(ev.typ)) event for goroutine that's not Syscall")
        }
        removeGoroutine(curCtx.g, i)
        newCtx.g = noGoroutine
        if curCtx.p != noProc {
            guard let pi = pStates.find(curCtx.p) else {
                throw orderError("found invalid proc \(curCtx.p) during \(evName(ev.typ))")
            }
            let pstatus = pStates[slot: pi].status
            if pstatus != WireProcStatus.syscall {
                throw orderError("proc \(curCtx.p) in unexpected state \(WireProcStatus.name(pstatus)) during \(evName(ev.typ))")
            }
            pStates[slot: pi].status = WireProcStatus.syscallAbandoned
            newCtx.p = noProc
            // An extra self-steal of the P.
            push(Ev.procSteal, ev.time, curCtx, UInt64(bitPattern: curCtx.p), a3: WireProcStatus.syscall)
        }
        push(ev, curCtx)
        return true
    }

    // MARK: Tasks and regions

    private mutating func advanceUserTaskBegin(_ ev: inout BaseEvent,
                                               _ curCtx: SchedContext) throws(TraceError) -> Bool {
        let id = ev.args.a0
        if activeTasks[id] != nil { throw orderError("task ID conflict: \(id)") }
        var parentID = ev.args.a1
        if parentID == backgroundTask {
            // 0 here means no parent, not the background task.
            parentID = noTask
            ev.args.a1 = noTask
        }
        let nameID = ev.args.a2
        let evt = table!
        guard evt.strings.contains(nameID) else { throw orderError("invalid string ID \(nameID) for \(ev.typ) event") }
        let name = evt.withStringBytes(nameID) { Array($0) }
        activeTasks[id] = TaskState(name: name, parentID: parentID)
        try validateCtx(curCtx, .userGo)
        push(ev, curCtx)
        return true
    }

    private mutating func advanceUserTaskEnd(_ ev: inout BaseEvent,
                                             _ curCtx: SchedContext) throws(TraceError) -> Bool {
        let id = ev.args.a0
        var name: [UInt8] = []
        if let ts = activeTasks[id] {
            // The TaskBegin may be in another generation, whose strings this one lacks.
            ev.args.a2 = ts.parentID
            name = ts.name
            activeTasks[id] = nil
        } else {
            ev.args.a2 = noTask
        }
        ev.args.a3 = 0
        try validateCtx(curCtx, .userGo)
        push(ev, curCtx, box: name.isEmpty ? nil : EventBox(stack: nil, payload: nil, taskType: name))
        return true
    }

    private func regionName(_ ev: BaseEvent) throws(TraceError) -> UserRegion {
        let evt = table!
        let nameID = ev.args.a1
        guard evt.strings.contains(nameID) else { throw orderError("invalid string ID \(nameID) for \(ev.typ) event") }
        return UserRegion(taskID: ev.args.a0, name: evt.withStringBytes(nameID) { Array($0) })
    }

    private mutating func advanceUserRegionBegin(_ ev: inout BaseEvent,
                                                 _ curCtx: SchedContext) throws(TraceError) -> Bool {
        try validateCtx(curCtx, .userGo)
        let region = try regionName(ev)
        guard let i = gStates.find(curCtx.g) else {
            throw orderError("encountered EvUserRegionBegin without known state for current goroutine \(curCtx.g)")
        }
        var x = extras(curCtx.g, i)
        x.regions.append(region)
        gExtras[curCtx.g] = x
        push(ev, curCtx)
        return true
    }

    private mutating func advanceUserRegionEnd(_ ev: inout BaseEvent,
                                               _ curCtx: SchedContext) throws(TraceError) -> Bool {
        try validateCtx(curCtx, .userGo)
        let region = try regionName(ev)
        guard let i = gStates.find(curCtx.g) else {
            throw orderError("encountered EvUserRegionEnd without known state for current goroutine \(curCtx.g)")
        }
        var x = extras(curCtx.g, i)
        try x.endRegion(region, goroutine: curCtx.g)
        gExtras[curCtx.g] = x
        push(ev, curCtx)
        return true
    }

    // MARK: GC

    private mutating func advanceGCActive(_ ev: inout BaseEvent, _ gen: UInt64,
                                          _ curCtx: SchedContext) throws(TraceError) -> Bool {
        let seq = ev.args.a0
        if gen == initialGen {
            if gcState != .undetermined {
                throw orderError("GCActive in the first generation isn't first GC event")
            }
            gcSeq = seq
            gcState = .running
            push(ev, curCtx)
            return true
        }
        if seq != gcSeq &+ 1 { return false }
        if gcState != .running { throw orderError("encountered GCActive while GC was not in progress") }
        gcSeq = seq
        try validateCtx(curCtx, .userGo)
        push(ev, curCtx)
        return true
    }

    private mutating func advanceGCBegin(_ ev: inout BaseEvent,
                                         _ curCtx: SchedContext) throws(TraceError) -> Bool {
        let seq = ev.args.a0
        if gcState == .undetermined {
            gcSeq = seq
            gcState = .running
            push(ev, curCtx)
            return true
        }
        if seq != gcSeq &+ 1 { return false }
        if gcState == .running { throw orderError("encountered GCBegin while GC was already in progress") }
        gcSeq = seq
        gcState = .running
        try validateCtx(curCtx, .userGo)
        push(ev, curCtx)
        return true
    }

    private mutating func advanceGCEnd(_ ev: inout BaseEvent,
                                       _ curCtx: SchedContext) throws(TraceError) -> Bool {
        let seq = ev.args.a0
        if seq != gcSeq &+ 1 { return false }
        if gcState == .notRunning { throw orderError("encountered GCEnd when GC was not in progress") }
        if gcState == .undetermined { throw orderError("encountered GCEnd when GC was in an undetermined state") }
        gcSeq = seq
        gcState = .notRunning
        try validateCtx(curCtx, .userGo)
        push(ev, curCtx)
        return true
    }

    private mutating func advanceAnnotation(_ ev: inout BaseEvent,
                                            _ curCtx: SchedContext) throws(TraceError) -> Bool {
        try validateCtx(curCtx, .userGo)
        push(ev, curCtx)
        return true
    }

    private mutating func advanceHeapMetric(_ ev: inout BaseEvent,
                                            _ curCtx: SchedContext) throws(TraceError) -> Bool {
        try validateCtx(curCtx, SchedReqs(m: .mustHave, p: .mustHave, g: .mayHave))
        push(ev, curCtx)
        return true
    }

    private mutating func advanceGCSweepBegin(_ ev: inout BaseEvent,
                                              _ curCtx: SchedContext) throws(TraceError) -> Bool {
        try validateCtx(curCtx, SchedReqs(m: .mustHave, p: .mustHave, g: .mayHave))
        guard pStates.contains(curCtx.p) else {
            throw orderError("uninitialized proc \(curCtx.p) found during \(evName(ev.typ))")
        }
        try pRanges[curCtx.p, default: RangeState()].beginRange(RangeType(ev.typ, 0))
        push(ev, curCtx)
        return true
    }

    private mutating func advanceGCSweepActive(_ ev: inout BaseEvent, _ gen: UInt64,
                                               _ curCtx: SchedContext) throws(TraceError) -> Bool {
        let pid = ProcID(bitPattern: ev.args.a0)
        guard pStates.contains(pid) else {
            throw orderError("encountered GCSweepActive for unknown proc \(pid)")
        }
        try pRanges[pid, default: RangeState()].activeRange(RangeType(ev.typ, 0), isInitialGen: gen == initialGen)
        push(ev, curCtx)
        return true
    }

    private mutating func advanceGCSweepEnd(_ ev: inout BaseEvent,
                                            _ curCtx: SchedContext) throws(TraceError) -> Bool {
        try validateCtx(curCtx, SchedReqs(m: .mustHave, p: .mustHave, g: .mayHave))
        guard pStates.contains(curCtx.p) else {
            throw orderError("uninitialized proc \(curCtx.p) found during \(evName(ev.typ))")
        }
        _ = try pRanges[curCtx.p, default: RangeState()].endRange(ev.typ)
        push(ev, curCtx)
        return true
    }

    private mutating func advanceGoRangeBegin(_ ev: inout BaseEvent,
                                              _ curCtx: SchedContext) throws(TraceError) -> Bool {
        try validateCtx(curCtx, .userGo)
        let desc = ev.typ == Ev.stwBegin ? ev.args.a0 : 0
        guard let i = gStates.find(curCtx.g) else {
            throw orderError("encountered event of type \(ev.typ) without known state for current goroutine \(curCtx.g)")
        }
        var x = extras(curCtx.g, i)
        try x.ranges.beginRange(RangeType(ev.typ, desc))
        gExtras[curCtx.g] = x
        push(ev, curCtx)
        return true
    }

    private mutating func advanceGoRangeActive(_ ev: inout BaseEvent, _ gen: UInt64,
                                               _ curCtx: SchedContext) throws(TraceError) -> Bool {
        // Like GoStatus, this may name a goroutine that is not running.
        let gid = GoID(bitPattern: ev.args.a0)
        guard let i = gStates.find(gid) else {
            throw orderError("uninitialized goroutine \(gid) found during \(evName(ev.typ))")
        }
        var x = extras(gid, i)
        try x.ranges.activeRange(RangeType(ev.typ, 0), isInitialGen: gen == initialGen)
        gExtras[gid] = x
        push(ev, curCtx)
        return true
    }

    private mutating func advanceGoRangeEnd(_ ev: inout BaseEvent,
                                            _ curCtx: SchedContext) throws(TraceError) -> Bool {
        try validateCtx(curCtx, .userGo)
        guard let i = gStates.find(curCtx.g) else {
            throw orderError("encountered event of type \(ev.typ) without known state for current goroutine \(curCtx.g)")
        }
        var x = extras(curCtx.g, i)
        let desc = try x.ranges.endRange(ev.typ)
        gExtras[curCtx.g] = x
        if ev.typ == Ev.stwEnd {
            // The STW kind, from the STWBegin.
            ev.args.a0 = desc
        }
        push(ev, curCtx)
        return true
    }

    private mutating func advanceAllocFree(_ ev: inout BaseEvent,
                                           _ curCtx: SchedContext) throws(TraceError) -> Bool {
        try validateCtx(curCtx, SchedReqs(m: .mustHave, p: .mayHave, g: .mayHave))
        push(ev, curCtx)
        return true
    }

    /// A description of the state for "failed to advance" errors (`dumpOrdering`).
    func dump() -> String {
        var s = ""
        for id in gStates.sortedKeys {
            let st = gStates[id]!
            s += "G \(id) [status=\(WireGoStatus.name(st.status)) seq=\(st.seq)]\n"
        }
        s += "\n"
        for id in pStates.sortedKeys {
            let st = pStates[id]!
            s += "P \(id) [status=\(WireProcStatus.name(st.status)) seq=\(st.seq)]\n"
        }
        s += "\n"
        for id in mStates.sortedKeys {
            let st = mStates[id]!
            s += "M \(id) [g=\(st.g) p=\(st.p)]\n"
        }
        s += "\nGC \(gcSeq) \(gcState)\n"
        return s
    }
}
