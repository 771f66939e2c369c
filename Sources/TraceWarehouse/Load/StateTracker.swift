import GoTrace

/// Turns the stream of state transitions into back-to-back intervals: `goroutine_states`,
/// `proc_states` and `thread_states`, written as each interval closes, plus the per-P and per-M
/// totals (`procs`, `threads`) at the end.
///
/// Times here are relative nanoseconds (since the trace start). The rules follow Go's summarizer so
/// that sums over `goroutine_states` equal the `goroutines` totals:
/// - a re-assertion of the same state (GoStatus at a generation boundary) does not split an interval;
/// - a goroutine first seen through a status event (Undetermined→X) is in X since the last Sync;
/// - a syscall becomes "blocked" when the P it started on goes Idle (stolen).
final class StateTracker {
    private struct OpenG {
        var state: GoState
        var start: Int64
        var seq: Int64
        var proc: Int64
        /// The opening event: its time, name_id (the transition's reason), stack_id, and the state it left
        /// (-1 when the goroutine had no interval before: created or first seen).
        var eventNs: Int64
        var reason: Int64
        var stack: Int64
        var prevState: Int8
        var firstRun: Bool
        var firstSeen: Bool
        /// Syscall: blocked time accounted before `eventTime` (first seen in a syscall without a P).
        var syscallBlockedBefore: Int64
        /// Syscall: when its P was taken away, if it was.
        var syscallBlockedSince: Int64?
    }
    private struct OpenP {
        var state: ProcState
        var start: Int64
        var seq: Int64
        var thread: Int64
    }
    /// A thread's state, as stored in thread_intervals.state.
    private enum MState: Int64 { case idle = 0, running = 1, syscall = 2 }
    private struct ThreadInfo {
        var start: Int64
        var seq: Int64
        var proc: Int64 = -1        // P held, -1 none
        var syscallG: Int64 = -1    // goroutine in a syscall on it, -1 none
        var current: MState
        var running: Int64 = 0, syscall: Int64 = 0, idle: Int64 = 0
    }

    private let traceID: Int64
    @exclusivity(unchecked) private var goroutines = IntMap<OpenG>()
    @exclusivity(unchecked) private var everRan = IntMap<Bool>()
    @exclusivity(unchecked) private var procs: [Int64: OpenP] = [:]
    @exclusivity(unchecked) private var procTotals: [Int64: (running: Int64, idle: Int64)] = [:]
    @exclusivity(unchecked) private var procOwner: [Int64: Int64] = [:]          // P → M holding it
    @exclusivity(unchecked) private var syscallingP: [Int64: Int64] = [:]        // P → goroutine in a syscall that entered on it
    @exclusivity(unchecked) private var syscallThread: [Int64: Int64] = [:]      // goroutine in syscall → M
    @exclusivity(unchecked) private var threads = IntMap<ThreadInfo>()

    /// Fed every goroutine and P interval as it closes (timeline_buckets, the per-P columns of procs).
    let timeline: TimelineBuilder
    private let openIntervals: Statement
    private let pStates: BatchInserter
    private let mStates: BatchInserter
    private let db: Database

    init(db: Database, traceID: Int64, queue: WriteQueue, timeline: TimelineBuilder) throws {
        self.db = db
        self.traceID = traceID
        self.timeline = timeline
        openIntervals = try db.prepare("""
            INSERT INTO goroutine_open_intervals(trace_id, goid, start_seq, start_ns, state, flags, blocked_ns)
            VALUES (?, ?, ?, ?, ?, ?, ?)
            """)
        pStates = try BatchInserter(db: db, table: "proc_states", columns: [
            "trace_id", "proc_id", "start_ns", "end_ns", "state", "thread_id", "start_seq", "duration_ns",
        ], queue: queue)
        mStates = try BatchInserter(db: db, table: "thread_intervals", columns: [
            "trace_id", "thread_id", "start_ns", "duration_ns", "state", "proc_id", "goid",
        ], queue: queue)
    }

    // MARK: goroutines

    /// A goroutine state interval closed by a transition, stored on that transition's event row.
    struct ClosedInterval {
        var startSeq: Int64
        var startNs: Int64
        var flags: Int64
        var blockedNs: Int64?
        /// The state it was in and the details of the event that opened it (see OpenG).
        var state: GoState
        var eventNs: Int64
        var reason: Int64
        var stack: Int64
        var prevState: Int8
    }

    /// A goroutine state transition at relative time `t`; returns the interval it closes, if any.
    func goroutine(_ id: Int64, from: GoState, to: GoState, t: Int64, seq: Int64, lastSync: Int64,
                   forever: Bool, event: Event, reason: Int64, stack: Int64) throws -> ClosedInterval? {
        if from == to { return nil }
        var closed: ClosedInterval?
        if let slot = goroutines.find(id) {
            var open = goroutines[slot: slot]
            goroutines.remove(id)
            if open.state == .syscall { try endSyscall(id, &open) }
            timeline.goroutine(id, state: open.state, start: open.start, end: t, proc: open.proc)
            closed = ClosedInterval(startSeq: open.seq, startNs: open.start, flags: Self.flags(open),
                                    blockedNs: Self.blocked(open, end: t), state: open.state, eventNs: open.eventNs,
                                    reason: open.reason, stack: open.stack, prevState: open.prevState)
        }
        // Blocking "forever" (select {}) ends the goroutine's life, as in Go's summary.
        if to == .notExist || (to == .waiting && forever) { return closed }
        let proc = event.proc
        let prev: Int8 = closed.map { Int8($0.state.rawValue) } ?? -1
        var open = OpenG(state: to, start: from == .undetermined ? lastSync : t, seq: seq, proc: proc,
                         eventNs: t, reason: reason, stack: stack, prevState: prev,
                         firstRun: to == .runnable && !everRan.contains(id), firstSeen: from == .undetermined,
                         syscallBlockedBefore: 0, syscallBlockedSince: nil)
        if to == .running { everRan.set(id, true) }
        if to == .syscall {
            if from == .undetermined && proc < 0 { open.syscallBlockedBefore = t - lastSync }
            syscallingP[proc] = id
            let m = event.thread
            if m >= 0 {
                syscallThread[id] = m
                try updateThread(m, t: t, seq: seq) { $0.syscallG = id }
            }
        }
        goroutines.set(id, open)
        return closed
    }

    private static func flags(_ g: OpenG) -> Int64 { (g.firstRun ? 1 : 0) | (g.firstSeen ? 2 : 0) }

    private static func blocked(_ g: OpenG, end: Int64) -> Int64? {
        guard g.state == .syscall else { return nil }
        var blocked = g.syscallBlockedBefore
        if let since = g.syscallBlockedSince { blocked += end - since }
        return blocked
    }

    /// The goroutine's open Running interval (its start, and the P of the event that opened it), if it is running.
    func running(_ id: Int64) -> (start: Int64, proc: Int64)? {
        guard let slot = goroutines.find(id), goroutines[slot: slot].state == .running else { return nil }
        return (goroutines[slot: slot].start, goroutines[slot: slot].proc)
    }

    /// Whether the goroutine has been Running in the trace (a Runnable interval from now is not its first run).
    func hasRun(_ id: Int64) -> Bool { everRan.contains(id) }

    /// The goroutine in a syscall whose P the last proc transition took away, once.
    @exclusivity(unchecked) private var stolenSyscall: Int64?
    func takeStolenSyscall() -> Int64? { defer { stolenSyscall = nil }; return stolenSyscall }

    private func endSyscall(_ id: Int64, _ open: inout OpenG) throws {
        if syscallingP[open.proc] == id { syscallingP.removeValue(forKey: open.proc) }
        if let m = syscallThread.removeValue(forKey: id) {
            // The thread leaves the syscall when the goroutine does.
            if threads[m]?.syscallG == id { pendingThreadSyscallEnd.append(m) }
        }
    }
    @exclusivity(unchecked) private var pendingThreadSyscallEnd: [Int64] = []

    /// Applies thread changes caused by a goroutine leaving a syscall (at the same event time).
    func finishEvent(t: Int64, seq: Int64) throws {
        while let m = pendingThreadSyscallEnd.popLast() {
            try updateThread(m, t: t, seq: seq) { $0.syscallG = -1 }
        }
    }

    // MARK: procs

    /// A proc state transition; returns the state of the interval it closes, if any.
    @discardableResult
    func proc(_ id: Int64, from: ProcState, to: ProcState, t: Int64, seq: Int64, lastSync: Int64, event: Event) throws -> ProcState? {
        if from == to { return nil }
        let closed = procs.removeValue(forKey: id)
        if let open = closed {
            try emitProc(id, open, end: t)
        }
        if to == .idle || to == .notExist {
            // A goroutine in a syscall that entered on this P loses it: the rest of its syscall is "blocked".
            if to == .idle, let g = syscallingP.removeValue(forKey: id), let slot = goroutines.find(g),
               goroutines[slot: slot].state == .syscall {
                goroutines[slot: slot].syscallBlockedSince = t
                stolenSyscall = g
            }
            if let m = procOwner.removeValue(forKey: id) {
                try updateThread(m, t: t, seq: seq) { if $0.proc == id { $0.proc = -1 } }
            }
        }
        if to == .running {
            let m = event.thread
            if m >= 0 {
                procOwner[id] = m
                try updateThread(m, t: t, seq: seq) { $0.proc = id }
            }
        }
        if to == .notExist { return closed?.state }
        procs[id] = OpenP(state: to, start: from == .undetermined ? lastSync : t, seq: seq, thread: event.thread)
        return closed?.state
    }

    private func emitProc(_ id: Int64, _ p: OpenP, end: Int64) throws {
        let s = pStates
        s.add(traceID); s.add(id); s.add(p.start); s.add(end); s.add(Int64(p.state.rawValue))
        s.add(p.state == .running && p.thread >= 0 ? p.thread : BatchInserter.null)
        s.add(p.seq)
        s.add(end - p.start)
        try s.endRow()
        timeline.proc(state: p.state, start: p.start, end: end)
        var tot = procTotals[id] ?? (0, 0)
        if p.state == .running { tot.running += end - p.start } else if p.state == .idle { tot.idle += end - p.start }
        procTotals[id] = tot
    }

    // MARK: threads

    /// Notes that thread `m` was seen at `t` (threads start at their first event).
    @inline(__always) func seeThread(_ m: Int64, t: Int64, seq: Int64) {
        if m >= 0 && !threads.contains(m) { threads.set(m, ThreadInfo(start: t, seq: seq, current: .idle)) }
    }

    private func updateThread(_ m: Int64, t: Int64, seq: Int64, _ change: (inout ThreadInfo) -> Void) throws {
        var info = threads[m] ?? ThreadInfo(start: t, seq: seq, current: .idle)
        // The interval that closes is described by the P and goroutine it had, not by the change.
        let proc = info.proc, syscallG = info.syscallG
        change(&info)
        let next: MState = info.syscallG >= 0 ? .syscall : (info.proc >= 0 ? .running : .idle)
        if next != info.current {
            try closeThread(m, &info, proc: proc, syscallG: syscallG, end: t)
            info.current = next
            info.start = t
            info.seq = seq
        }
        threads.set(m, info)
    }

    private func closeThread(_ m: Int64, _ info: inout ThreadInfo, proc: Int64, syscallG: Int64, end: Int64) throws {
        guard end > info.start else { return }
        let d = end - info.start
        switch info.current {
        case .running: info.running += d
        case .syscall: info.syscall += d
        case .idle: info.idle += d
        }
        let s = mStates
        s.add(traceID); s.add(m); s.add(info.start); s.add(d)
        s.add(info.current.rawValue)
        s.add(proc >= 0 && info.current != .idle ? proc : BatchInserter.null)
        s.add(syscallG >= 0 && info.current == .syscall ? syscallG : BatchInserter.null)
        try s.endRow()
    }

    // MARK: end

    /// Queues the interval rows collected so far (before the write queue is finished).
    func flush() throws { try pStates.flush(); try mStates.flush() }

    /// Closes everything still open at `end` (the final Sync) and writes `procs` and `threads`.
    func finish(end: Int64) throws {
        for id in goroutines.sortedKeys {
            let g = goroutines[id]!
            timeline.goroutine(id, state: g.state, start: g.start, end: end, proc: g.proc)
            try openIntervals.bind([.int(traceID), .int(id), .int(g.seq), .int(g.start), .int(Int64(g.state.rawValue)),
                                    .int(Self.flags(g)), Self.blocked(g, end: end).map { .int($0) } ?? .null])
            try openIntervals.run()
        }
        goroutines = IntMap()
        for (id, p) in procs.sorted(by: { $0.key < $1.key }) { try emitProc(id, p, end: end) }
        procs.removeAll()
        try pStates.flush()
        let insP = try db.prepare("INSERT INTO procs(trace_id, proc_id, running_ns, idle_ns) VALUES (?, ?, ?, ?)")
        for (id, tot) in procTotals.sorted(by: { $0.key < $1.key }) {
            try insP.bind(1, traceID); try insP.bind(2, id); try insP.bind(3, tot.running); try insP.bind(4, tot.idle)
            try insP.run()
        }
        let insM = try db.prepare("INSERT INTO threads(trace_id, thread_id, running_ns, syscall_ns, idle_ns) VALUES (?, ?, ?, ?, ?)")
        for m in threads.sortedKeys {
            var info = threads[m]!
            try closeThread(m, &info, proc: info.proc, syscallG: info.syscallG, end: end)
            try insM.bind(1, traceID); try insM.bind(2, m); try insM.bind(3, info.running)
            try insM.bind(4, info.syscall); try insM.bind(5, info.idle)
            try insM.run()
        }
        try mStates.flush()
    }
}
