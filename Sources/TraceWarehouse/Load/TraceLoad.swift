import Foundation
import GoTrace

/// The state of one ingest: reads every event once and writes all tables.
final class TraceLoad {
    let db: Database
    let traceID: Int64
    let reader: TraceReader
    let path: String
    let size: Int
    let progress: (@Sendable (Int, Int) -> Void)?

    /// The SQLite writes of the streaming phase run on their own thread (see WriteQueue).
    let queue = WriteQueue()
    let interner: Interner
    let tracker: StateTracker
    let events: BatchInserter
    let args: BatchInserter
    let cpuSamples: BatchInserter
    let details: Statement
    let logs: Statement
    @exclusivity(unchecked) var labels: [Int64: (label: String, t: Int64)] = [:]
    let summary: SummaryBuilder
    let lengths: LengthsBuilder
    let waits: WaitLengthsBuilder
    let profiles = ProfileStacksBuilder()
    let sweep = SchedSweep()
    let timeline = TimelineBuilder()

    @exclusivity(unchecked) var seq: Int64 = 0
    @exclusivity(unchecked) var startAbs: Int64 = 0
    @exclusivity(unchecked) var lastT: Int64 = 0
    @exclusivity(unchecked) var lastSync: Int64 = 0
    @exclusivity(unchecked) var syncs = 0
    @exclusivity(unchecked) var gomaxprocs: Int64?
    @exclusivity(unchecked) var maxGomaxprocs: Int64?
    @exclusivity(unchecked) var wallStart: (text: String, unixNs: Int64)?
    /// Heap figures for gc_cycles, tracked while streaming: the last HeapAlloc and heap goal seen, the
    /// values in force when each GC mark phase began (by its relative start time), and the first
    /// HeapAlloc after each mark phase ended (by its relative end time).
    @exclusivity(unchecked) var lastHeap: Int64?, lastGoal: Int64?
    @exclusivity(unchecked) var heapAtGCStart: [Int64: (heap: Int64?, goal: Int64?)] = [:]
    @exclusivity(unchecked) var heapAfterGCEnd: [Int64: Int64] = [:]
    @exclusivity(unchecked) var gcEndsAwaitingHeap: [Int64] = []

    init(db: Database, traceID: Int64, reader: TraceReader, path: String, size: Int,
         progress: (@Sendable (Int, Int) -> Void)?) throws {
        self.db = db; self.traceID = traceID; self.reader = reader; self.path = path; self.size = size
        self.progress = progress
        let lengths = LengthsBuilder()
        self.lengths = lengths
        waits = WaitLengthsBuilder(names: lengths)
        interner = try Interner(db: db, traceID: traceID, queue: queue)
        tracker = try StateTracker(db: db, traceID: traceID, queue: queue, timeline: timeline)
        events = try BatchInserter(db: db, table: "events", columns: [
            "trace_id", "seq", "ts_ns", "kind", "thread_id", "proc_id", "goid", "stack_id", "res_kind", "res_id",
            "from_state", "to_state", "name_id", "st_stack_id", "iv_back", "iv_dur_ns", "iv_flags", "iv_blocked_ns",
        ], queue: queue)
        args = try BatchInserter(db: db, table: "event_args", columns: [
            "trace_id", "seq", "task_id", "parent_task_id", "value", "text_id",
        ], queue: queue)
        precondition(events.columns == 18 && args.columns == 6, "add() fills 18 event and 6 argument columns")
        cpuSamples = try BatchInserter(db: db, table: "cpu_samples", columns: [
            "trace_id", "seq", "ts_ns", "thread_id", "proc_id", "goid", "stack_id",
        ], queue: queue)
        details = try db.prepare("INSERT INTO event_details(trace_id, seq, detail) VALUES (?, ?, ?)")
        logs = try db.prepare("INSERT INTO logs(trace_id, seq, ts_ns, goid, task_id, category, message) VALUES (?, ?, ?, ?, ?, ?, ?)")
        summary = SummaryBuilder(db: db, traceID: traceID)
        sweep.isGCWorker = { [lengths] in lengths.isGCWorker($0) }
        timeline.isGCWorker = { [lengths] in lengths.isGCWorker($0) }
        timeline.mayBeGCWorker = { [lengths] in lengths.mayBeGCWorker($0) }
    }

    func run() throws -> IngestResult {
        var complete = true
        var warning: String?
        var phases: [(name: String, seconds: Double)] = []
        var mark = Date()
        func phase(_ name: String) {
            let now = Date()
            phases.append((name, now.timeIntervalSince(mark)))
            mark = now
        }
        queue.start()
        defer { try? queue.finish(); summary.drain() }
        do {
            while let ev = try reader.next() {
                try add(ev)
                if seq & 0xffff == 0, let progress { progress(reader.bytesRead, size) }
            }
        } catch let e as TraceError where e.kind == .truncated {
            // Whole generations come between two Syncs: with fewer, not one generation is complete
            // (the reader may still have delivered the opening Sync).
            guard syncs >= 2 else {
                throw IngestError(file: path, message: "the trace is cut off before its first generation is complete: \(e.description)")
            }
            complete = false
            warning = "trace is incomplete (\(e.description)); ingested its \(syncs) complete generation(s), \(seq) events"
        }
        guard seq > 0 else { throw IngestError(file: path, message: "the trace holds no events") }
        let end = lastT
        try events.flush(); try args.flush(); try cpuSamples.flush(); try interner.flush()
        try tracker.flush()
        phase("stream")
        try queue.finish()
        phase("writer drain")
        // Before the memory peak of wait_lengths and lengths: the events still queued for the analyses hold
        // the last generation's tables.
        summary.drain()
        phase("Go's analyses drain")
        try tracker.finish(end: end)
        sweep.finish(end: end)
        timeline.finish(end: end)
        phase("tracker/sweep/timeline finish")
        // wait_lengths first: its maps are freed before lengths builds its rows (the ingest's memory peak).
        try waits.write(db: db, traceID: traceID, end: end) { [interner] in try interner.function($0) }
        phase("wait_lengths")
        let reason = try db.prepare("SELECT value FROM strings WHERE trace_id = ? AND string_id = ?")
        try lengths.write(db: db, traceID: traceID, emptyStackKey: interner.emptyFuncsID) { id in
            try reason.bind(1, traceID); try reason.bind(2, id)
            defer { reason.reset() }
            return try reason.step() ? reason.text(0) : ""
        }
        phase("lengths")
        try writeSweep()
        try writeTimeline()
        phase("sweep, timeline tables")
        let analyses = summary.analyses.finalize()
        try writeRanges(analyses.ranges)
        try writeLabels()
        let sum = try summary.finish(analyses.summary, end: end, startAbs: startAbs)
        phase("ranges, labels, summary")
        try profiles.write(db: db, traceID: traceID, end: end)
        phase("profile_stacks")
        let peak = try db.prepare("UPDATE sched_summary SET peak_alive = ?, peak_alive_at_ns = ? WHERE trace_id = ?")
        try peak.bind([.int(summary.peakAlive?.n ?? 0), summary.peakAlive.map { .int($0.at) } ?? .null, .int(traceID)])
        try peak.run()
        try writeMMU(tracedb: analyses.utilization[.default] ?? [], go: summary.goUtilization.finalize())
        phase("mmu")
        try deriveInSQL()
        phase("derived in SQL")
        let gcCount = try db.scalarInt("SELECT count(*) FROM gc_cycles WHERE trace_id = ?", [.int(traceID)]) ?? 0
        let upd = try db.prepare("""
            UPDATE traces SET start_abs_ns = ?, end_abs_ns = ?, duration_ns = ?, event_count = ?, goroutine_count = ?,
              gc_count = ?, generation_count = ?, gomaxprocs = ?, max_gomaxprocs = ?, wall_start = ?, wall_start_unix_ns = ?,
              complete = ?, warning = ?
            WHERE trace_id = ?
            """)
        try upd.bind([.int(startAbs), .int(startAbs + end), .int(end), .int(seq), .int(Int64(sum.goroutines)),
                      .int(gcCount), .int(Int64(complete ? max(syncs - 1, 0) : syncs)),
                      gomaxprocs.map { .int($0) } ?? .null, maxGomaxprocs.map { .int($0) } ?? .null,
                      wallStart.map { .text($0.text) } ?? .null, wallStart.map { .int($0.unixNs) } ?? .null,
                      .int(complete ? 1 : 0), warning.map { .text($0) } ?? .null, .int(traceID)])
        try upd.run()
        progress?(size, size)
        return IngestResult(traceID: traceID, skipped: false, events: Int(seq), goroutines: sum.goroutines,
                            durationNs: end, gcCycles: Int(gcCount), complete: complete, warning: warning,
                            seconds: 0, fileSize: size, writerCPUSeconds: queue.workerCPUSeconds, phases: phases)
    }

    /// Event times must lie within ±2^62 ns (146 years of a clock; v1 traces start with a Sync at -1). Go's
    /// reader passes on whatever a corrupt frequency or timestamp gives (out-of-range conversions become
    /// Int64.min); inside this range no difference of two times, nor a sum of durations along one trace,
    /// can overflow.
    static let maxTime: Int64 = 1 << 62

    /// The largest GOMAXPROCS accepted. Go's utilization analysis keeps per-P state for GOMAXPROCS Ps
    /// and recomputes it at every change, so a corrupt value (up to 2^63) would exhaust memory or time;
    /// no machine has more than a few thousand CPUs.
    static let maxGomaxprocs: UInt64 = 1 << 16

    @inline(__always) func add(_ ev: Event) throws {
        guard ev.time > -Self.maxTime && ev.time < Self.maxTime else {
            throw IngestError(file: path, message: "event \(seq) (\(ev.kind.name)) has timestamp \(ev.time) ns, which no real clock gives: the trace's timestamps or frequency are corrupt")
        }
        if ev.kind == .metric, let m = ev.metric, m.name == "/sched/gomaxprocs:threads",
           let n = m.value.uint64Value, n > Self.maxGomaxprocs {
            throw IngestError(file: path, message: "event \(seq) sets GOMAXPROCS to \(n), more than tracedb accepts (\(Self.maxGomaxprocs)): the trace is corrupt")
        }
        if seq == 0 { startAbs = ev.time }
        let t = ev.time &- startAbs
        lastT = t
        let s = seq
        seq &+= 1
        let stack = try interner.stack(ev.stack)
        tracker.seeThread(ev.thread, t: t, seq: s)
        summary.feed(ev)

        var resKind: Int64 = BatchInserter.null, resID: Int64 = BatchInserter.null
        var from: Int64 = BatchInserter.null, to: Int64 = BatchInserter.null
        var stStack: Int64 = BatchInserter.null
        var name: Int64 = BatchInserter.null, task: Int64 = BatchInserter.null, parent: Int64 = BatchInserter.null
        var value: Int64 = BatchInserter.null, text: Int64 = BatchInserter.null
        var closed: StateTracker.ClosedInterval?

        switch ev.payload {
        case .stateTransition(let st):
            resKind = Int64(st.resource.kind.rawValue); resID = st.resource.id
            from = Int64(st.oldState); to = Int64(st.newState)
            name = try interner.string(st.reason)
            stStack = try interner.stack(st.stack) ?? BatchInserter.null
            switch st.resource.kind {
            case .goroutine:
                let (f, n) = st.goroutine
                if f == .notExist && n != .notExist {
                    sweep.createdGoroutine(at: t)
                    summary.created(st.resource.id, creator: ev.goroutine, stack: stack,
                                    startStack: stStack == BatchInserter.null ? nil : stStack)
                }
                let forever = n == .waiting && st.reason == "forever"
                if f != n {
                    lengths.transition(goid: st.resource.id, from: f, stack: st.stack)
                    profiles.transition(goid: st.resource.id, from: f, to: n, reasonID: name, reason: st.reason)
                }
                closed = try tracker.goroutine(st.resource.id, from: f, to: n, t: t, seq: s, lastSync: lastSync,
                                      forever: forever, event: ev, reason: name, stack: stack ?? 0)
                if f != n {
                    let g = st.resource.id, firstSeen = f == .undetermined, start = firstSeen ? lastSync : t
                    switch closed?.state {
                    case .runnable?:
                        sweep.runnableEnd(g, at: t)
                        if closed!.flags & 1 == 0 { sweep.delayEnd(g, at: t) }   // not a first run: a wait of sched-latency
                    case .running?: sweep.runningEnd(g, at: t)
                    case .syscall?: sweep.heldEnd(g, at: t)
                    default: break
                    }
                    switch n {
                    case .runnable:
                        sweep.runnableStart(g, at: start, firstSeen: firstSeen)
                        // sched-latency's waits: runnable again after a run, from this event.
                        if tracker.hasRun(g) { sweep.delayStart(g, at: t) }
                    case .running:
                        if lengths.mayBeGCWorker(g) { sweep.workerStart(g, at: start, firstSeen: firstSeen) }
                    case .syscall:
                        if ev.proc >= 0 { sweep.heldStart(g, at: start, firstSeen: firstSeen) }
                    default: break
                    }
                }
                if let c = closed {
                    lengths.closed(c, goid: st.resource.id, t: t, to: n, forever: forever, closingReason: st.reason,
                                   stackFuncsID: interner.funcsID(c.stack))
                    profiles.closed(c, goid: st.resource.id, t: t)
                    if c.state == .waiting || c.state == .syscall {
                        let f = interner.funcsID(c.stack)
                        waits.closed(c, goid: st.resource.id, t: t, to: n, closer: ev.goroutine,
                                     stackKey: f == interner.emptyFuncsID ? 0 : f)
                    }
                }
            case .proc:
                let (f, n) = st.proc
                let was = try tracker.proc(st.resource.id, from: f, to: n, t: t, seq: s, lastSync: lastSync, event: ev)
                if let g = tracker.takeStolenSyscall() { sweep.heldEnd(g, at: t) }
                if f != n {
                    if was == .idle { sweep.idleEnd(st.resource.id, at: t) }
                    if n == .idle { sweep.idleStart(st.resource.id, at: f == .undetermined ? lastSync : t, firstSeen: f == .undetermined) }
                }
            default: break
            }
            try tracker.finishEvent(t: t, seq: s)
        case .sync(let sync):
            value = Int64(sync.n)
            sweep.sync(at: t)
            lastSync = t
            syncs += 1
            if syncs >= 2 { timeline.inFirstGeneration = false }
            var parts: [String] = []
            if let c = sync.clockSnapshot {
                let wall = Self.unixNs(c)
                parts.append("\"clock\":{\"trace\":\(c.trace),\"mono\":\(c.mono),\"wall_unix_ns\":\(wall.map(String.init) ?? "null")}")
                // Wall time at the trace start = snapshot wall time - (snapshot trace time - start).
                if wallStart == nil, let wall {
                    let (sinceStart, o1) = c.trace.subtractingReportingOverflow(startAbs)
                    let (ns, o2) = wall.subtractingReportingOverflow(sinceStart)
                    if !o1 && !o2 && ns.magnitude < UInt64(Self.maxTime) { wallStart = (Self.rfc3339(unixNs: ns), ns) }
                }
            }
            if !sync.experimentalBatches.isEmpty {
                let b = sync.experimentalBatches.keys.sorted().map { "\(JSON.string($0)):\(sync.experimentalBatches[$0]?.count ?? 0)" }
                parts.append("\"experimental_batches\":{\(b.joined(separator: ","))}")
            }
            if !parts.isEmpty { try detail(s, "{" + parts.joined(separator: ",") + "}") }
        case .metric(let m):
            let n = try interner.string(m.name)
            name = n
            switch m.value {
            case .uint64(let v):
                value = Int64(bitPattern: v)
                if m.name == "/memory/classes/heap/objects:bytes" {
                    lastHeap = value
                    for end in gcEndsAwaitingHeap { heapAfterGCEnd[end] = value }
                    gcEndsAwaitingHeap.removeAll()
                } else if m.name == "/gc/heap/goal:bytes" {
                    lastGoal = value
                }
                if m.name == "/sched/gomaxprocs:threads" {
                    if gomaxprocs == nil { gomaxprocs = value }
                    maxGomaxprocs = max(maxGomaxprocs ?? value, value)
                }
            case .string(let str):
                text = try interner.string(str)
            }
        case .label(let l):
            name = try interner.string(l.label)
            resKind = Int64(l.resource.kind.rawValue); resID = l.resource.id
            if l.resource.kind == .goroutine { labels[l.resource.id] = (l.label, t) }
        case .range(let r, let attrs):
            name = try interner.string(r.name)
            if r.name == "GC concurrent mark phase" {
                if ev.kind == .rangeBegin { heapAtGCStart[t] = (lastHeap, lastGoal) }
                if ev.kind == .rangeEnd { gcEndsAwaitingHeap.append(t) }
            }
            resKind = Int64(r.scope.kind.rawValue); resID = r.scope.kind == .none ? BatchInserter.null : r.scope.id
            if r.name.hasPrefix("stop-the-world (") {
                let key = SchedSweep.STWKey(name: r.name, kind: Int(r.scope.kind.rawValue), id: r.scope.kind == .none ? -1 : r.scope.id)
                switch ev.kind {
                case .rangeBegin: sweep.stwBegin(key, at: t)
                case .rangeActive: if syncs < 2 { sweep.stwBegin(key, at: 0) }   // active since the trace start
                case .rangeEnd: sweep.stwEnd(key, at: t)
                default: break
                }
            }
            if r.name == "GC mark assist" && r.scope.kind == .goroutine {
                let g = r.scope.id
                switch ev.kind {
                case .rangeBegin: timeline.assistBegin(g, at: t)
                case .rangeActive: if syncs < 2 { timeline.assistActive(g) }   // active since the trace start
                case .rangeEnd: timeline.assistEnd(g, at: t, running: tracker.running(g))
                default: break
                }
            }
            if !attrs.isEmpty {
                let a = attrs.map { "\(JSON.string($0.name)):\(JSON.value($0.value))" }
                try detail(s, "{\"attributes\":{\(a.joined(separator: ","))}}")
            }
        case .task(let tk):
            task = Int64(bitPattern: tk.id); parent = Int64(bitPattern: tk.parent)
            name = try interner.string(tk.type)
        case .region(let r):
            task = Int64(bitPattern: r.task)
            name = try interner.string(r.type)
        case .log(let l):
            task = Int64(bitPattern: l.task)
            name = try interner.string(l.category)
            text = try interner.string(l.message)
            let row: [SQLValue] = [.int(traceID), .int(s), .int(t), ev.goroutine >= 0 ? .int(ev.goroutine) : .null,
                                   .int(Int64(bitPattern: l.task)), .text(l.category), .text(l.message)]
            let logs = self.logs
            try queue.perform { try logs.bind(row); try logs.run() }
        case .experimental(let x):
            name = try interner.string(x.name)
            let a = zip(x.args, x.argValues).map { "\(JSON.string($0.0)):\(JSON.value($0.1))" }
            try detail(s, "{\"experiment\":\(JSON.string(x.experiment)),\"args\":{\(a.joined(separator: ","))}}")
        case .none:
            if ev.kind == .stackSample {
                let c = cpuSamples
                c.add(traceID); c.add(s); c.add(t); c.addID(ev.thread); c.addID(ev.proc); c.addID(ev.goroutine); c.add(stack)
                try c.endRow()
            }
        }

        let r = events.row()
        r[0] = traceID; r[1] = s; r[2] = t; r[3] = Int64(ev.kind.rawValue)
        r[4] = ev.thread < 0 ? BatchInserter.null : ev.thread
        r[5] = ev.proc < 0 ? BatchInserter.null : ev.proc
        r[6] = ev.goroutine < 0 ? BatchInserter.null : ev.goroutine
        r[7] = stack ?? BatchInserter.null
        r[8] = resKind; r[9] = resID; r[10] = from; r[11] = to; r[12] = name; r[13] = stStack
        if let c = closed {
            r[14] = s &- c.startSeq; r[15] = t &- c.startNs
            r[16] = c.flags == 0 ? BatchInserter.null : c.flags; r[17] = c.blockedNs ?? BatchInserter.null
        } else {
            r[14] = BatchInserter.null; r[15] = BatchInserter.null; r[16] = BatchInserter.null; r[17] = BatchInserter.null
        }
        try events.commitRow()
        if task != BatchInserter.null || parent != BatchInserter.null || value != BatchInserter.null || text != BatchInserter.null {
            let a = args.row()
            a[0] = traceID; a[1] = s; a[2] = task; a[3] = parent; a[4] = value; a[5] = text
            try args.commitRow()
        }
    }

    func detail(_ seq: Int64, _ json: String) throws {
        let details = self.details, traceID = self.traceID
        try queue.perform { try details.bind(1, traceID); try details.bind(2, seq); try details.bind(3, json); try details.run() }
    }

    /// A clock snapshot's wall time in ns since the Unix epoch; nil if a corrupt snapshot puts it outside Int64.
    static func unixNs(_ c: ClockSnapshot) -> Int64? {
        let (a, o1) = c.wallSeconds.multipliedReportingOverflow(by: 1_000_000_000)
        let (b, o2) = a.addingReportingOverflow(c.wallNanoseconds)
        return o1 || o2 ? nil : b
    }

    /// `unixNs` (|unixNs| < 2^62) as RFC 3339 with nine fractional digits, in UTC.
    static func rfc3339(unixNs: Int64) -> String { rfc3339AllNanos(unixNs: unixNs) }
}

/// Minimal JSON text helpers for `event_details`.
enum JSON {
    static func string(_ s: String) -> String { JSONValue.quote(s) }
    static func value(_ v: Value) -> String {
        switch v {
        case .uint64(let x): String(x)
        case .string(let s): string(s)
        }
    }
}
