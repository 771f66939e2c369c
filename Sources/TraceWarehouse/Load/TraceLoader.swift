import Foundation
import GoTrace

/// What to do when ingesting a trace.
public struct IngestOptions: Sendable {
    /// User labels (`commit`, `branch`, …) stored in `trace_labels`.
    public var labels: [(key: String, value: String)] = []
    /// Re-ingest a file whose SHA-256 is already in the warehouse (the old rows are deleted).
    public var replace = false
    /// Called now and then with (bytes read, file size).
    public var progress: (@Sendable (Int, Int) -> Void)?
    public init(labels: [(key: String, value: String)] = [], replace: Bool = false,
                progress: (@Sendable (Int, Int) -> Void)? = nil) {
        self.labels = labels; self.replace = replace; self.progress = progress
    }
}

/// The outcome of ingesting one trace file.
public struct IngestResult: Sendable {
    public var traceID: Int64
    /// True if the file was already in the warehouse and nothing was done.
    public var skipped: Bool
    public var events: Int
    public var goroutines: Int
    public var durationNs: Int64
    public var gcCycles: Int
    public var complete: Bool
    public var warning: String?
    public var seconds: Double
    public var fileSize: Int
    /// CPU seconds of the SQLite writer thread (the rest of the ingest runs on the caller's thread).
    public var writerCPUSeconds: Double = 0
    /// Of `seconds`, the time of COMMIT and the WAL checkpoint after it (`traces.ingest_seconds`,
    /// written inside the transaction, is `seconds` minus this).
    public var commitSeconds: Double = 0
}

/// An ingest failed: names the file, what is wrong and where. The warehouse is unchanged.
public struct IngestError: Error, CustomStringConvertible, Sendable {
    public var file: String
    public var message: String
    public var description: String { "\(file): \(message)" }
}

/// Loads one trace into the warehouse in one transaction: every event, the lookup tables, the derived
/// intervals and Go's summary. Streaming: memory grows with the number of goroutines, stacks and
/// ranges, not with the number of events.
public final class TraceLoader {
    let warehouse: Warehouse
    var db: Database { warehouse.db }

    public init(warehouse: Warehouse) { self.warehouse = warehouse }

    public static let toolVersion = "0.1.0"

    /// Ingests the trace at `path`.
    public func ingest(path: String, options: IngestOptions = IngestOptions()) throws -> IngestResult {
        let started = Date()
        let attrs: [FileAttributeKey: Any]
        do { attrs = try FileManager.default.attributesOfItem(atPath: path) } catch {
            throw IngestError(file: path, message: "cannot read the file (\(error.localizedDescription))")
        }
        let size = (attrs[.size] as? NSNumber)?.intValue ?? 0
        if (attrs[.type] as? FileAttributeType) == .typeDirectory {
            throw IngestError(file: path, message: "is a folder, not a trace file")
        }
        // The header first: a file that is not a trace is refused before it is hashed (a big one would
        // take a while).
        let reader: TraceReader
        do { reader = try TraceReader(path: path) } catch let e as TraceError {
            throw IngestError(file: path, message: e.description)
        }
        let sha: String
        do { sha = try SHA256.hexDigest(ofFile: path) } catch {
            let posix = ((error as NSError).userInfo[NSUnderlyingErrorKey] as? NSError).map { String(cString: strerror(Int32($0.code))) }
            throw IngestError(file: path, message: "cannot read the file (\(posix ?? error.localizedDescription))")
        }

        // A larger page cache keeps the transaction's dirty pages in memory instead of spilling them to
        // the WAL early (measured: fewer pwrite calls); bounded so that ingest stays well under 128 MiB.
        try? db.execute("PRAGMA cache_size = -16384")
        do {
            var result = try db.transaction {
                if let existing = try warehouse.traceID(sha256: sha) {
                    if !options.replace {
                        return IngestResult(traceID: existing, skipped: true, events: 0, goroutines: 0, durationNs: 0,
                                            gcCycles: 0, complete: true, warning: nil, seconds: 0, fileSize: size)
                    }
                    try warehouse.deleteTrace(existing)
                }
                let absPath = URL(fileURLWithPath: path).standardizedFileURL.path
                let ins = try db.prepare("""
                    INSERT INTO traces(file_name, file_path, file_size, sha256, go_version, ingested_at, tracedb_version, complete)
                    VALUES (?, ?, ?, ?, ?, ?, ?, 0)
                    """)
                try ins.bind(1, (path as NSString).lastPathComponent)
                try ins.bind(2, absPath)
                try ins.bind(3, Int64(size))
                try ins.bind(4, sha)
                try ins.bind(5, "go1.\(reader.goVersion)")
                try ins.bind(6, ISO8601DateFormatter().string(from: started))
                try ins.bind(7, Self.toolVersion)
                try ins.run()
                let traceID = db.lastInsertRowID
                let lab = try db.prepare("INSERT OR REPLACE INTO trace_labels(trace_id, key, value) VALUES (?, ?, ?)")
                for l in options.labels {
                    try lab.bind(1, traceID); try lab.bind(2, l.key); try lab.bind(3, l.value); try lab.run()
                }
                let load = try TraceLoad(db: db, traceID: traceID, reader: reader, path: path, size: size, progress: options.progress)
                var result = try load.run()
                result.seconds = Date().timeIntervalSince(started)
                let upd = try db.prepare("UPDATE traces SET ingest_seconds = ? WHERE trace_id = ?")
                try upd.bind(1, result.seconds); try upd.bind(2, traceID); try upd.run()
                return result
            }
            if !result.skipped {
                let total = Date().timeIntervalSince(started)
                result.commitSeconds = total - result.seconds
                result.seconds = total
            }
            return result
        } catch let e as TraceError {
            throw IngestError(file: path, message: e.description)
        } catch let e as SQLiteError {
            if e.isDiskFull {
                throw IngestError(file: path, message: "the database or its disk is full (\(warehouse.path)); nothing was written")
            }
            if e.isReadOnly || e.isCantOpen {
                let why = Warehouse.explain(e, path: warehouse.path)?.message ?? e.message
                throw IngestError(file: path, message: "\(why); nothing was written")
            }
            if e.isBusy {
                throw IngestError(file: path, message: "the database \(warehouse.path) stayed locked by another process for longer than the busy timeout; nothing was written")
            }
            throw IngestError(file: path, message: "database error: \(e)")
        }
    }
}

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
    var labels: [Int64: (label: String, t: Int64)] = [:]
    let summary: SummaryBuilder
    let lengths = LengthsBuilder()
    let sweep = SchedSweep()

    var seq: Int64 = 0
    var startAbs: Int64 = 0
    var lastT: Int64 = 0
    var lastSync: Int64 = 0
    var syncs = 0
    var gomaxprocs: Int64?
    var maxGomaxprocs: Int64?
    var wallStart: (text: String, unixNs: Int64)?
    /// Heap figures for gc_cycles, tracked while streaming: the last HeapAlloc and heap goal seen, the
    /// values in force when each GC mark phase began (by its relative start time), and the first
    /// HeapAlloc after each mark phase ended (by its relative end time).
    var lastHeap: Int64?, lastGoal: Int64?
    var heapAtGCStart: [Int64: (heap: Int64?, goal: Int64?)] = [:]
    var heapAfterGCEnd: [Int64: Int64] = [:]
    var gcEndsAwaitingHeap: [Int64] = []

    init(db: Database, traceID: Int64, reader: TraceReader, path: String, size: Int,
         progress: (@Sendable (Int, Int) -> Void)?) throws {
        self.db = db; self.traceID = traceID; self.reader = reader; self.path = path; self.size = size
        self.progress = progress
        interner = try Interner(db: db, traceID: traceID, queue: queue)
        tracker = try StateTracker(db: db, traceID: traceID, queue: queue)
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
    }

    func run() throws -> IngestResult {
        var complete = true
        var warning: String?
        queue.start()
        defer { try? queue.finish() }
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
        try queue.finish()
        try tracker.finish(end: end)
        sweep.finish(end: end)
        let reason = try db.prepare("SELECT value FROM strings WHERE trace_id = ? AND string_id = ?")
        try lengths.write(db: db, traceID: traceID, emptyStackKey: interner.emptyFuncsID) { id in
            try reason.bind(1, traceID); try reason.bind(2, id)
            defer { reason.reset() }
            return try reason.step() ? reason.text(0) : ""
        }
        try writeSweep()
        let analyses = summary.analyses.finalize()
        try writeRanges(analyses.ranges)
        try writeLabels()
        let sum = try summary.finish(analyses.summary, end: end, startAbs: startAbs)
        try writeMMU(tracedb: analyses.utilization[.default] ?? [], go: summary.goUtilization.finalize())
        try deriveInSQL()
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
                            seconds: 0, fileSize: size, writerCPUSeconds: queue.workerCPUSeconds)
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
                if f != n { lengths.transition(goid: st.resource.id, from: f, stack: st.stack) }
                closed = try tracker.goroutine(st.resource.id, from: f, to: n, t: t, seq: s, lastSync: lastSync,
                                      forever: forever, event: ev, reason: name, stack: stack ?? 0)
                if f != n {
                    if closed?.state == .runnable { sweep.runnableEnd(st.resource.id, at: t) }
                    if n == .runnable { sweep.runnableStart(st.resource.id, at: f == .undetermined ? lastSync : t, firstSeen: f == .undetermined) }
                }
                if let c = closed {
                    lengths.closed(c, goid: st.resource.id, t: t, to: n, forever: forever, closingReason: st.reason,
                                   stackFuncsID: interner.funcsID(c.stack))
                }
            case .proc:
                let (f, n) = st.proc
                let was = try tracker.proc(st.resource.id, from: f, to: n, t: t, seq: s, lastSync: lastSync, event: ev)
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

    func writeRanges(_ all: [RangeInterval]) throws {
        let ins = try db.prepare("""
            INSERT INTO ranges(trace_id, range_idx, name, scope_kind, scope_id, start_ns, end_ns, start_kind, end_kind, duration_ns)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        let gc = try db.prepare("""
            INSERT INTO gc_cycles(trace_id, gc_idx, start_ns, end_ns, start_kind, end_kind, duration_ns,
              heap_before_bytes, heap_after_bytes, heap_goal_bytes)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        let stw = try db.prepare("""
            INSERT INTO stw_pauses(trace_id, stw_idx, goid, reason, is_gc, start_ns, end_ns, start_kind, end_kind, duration_ns)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        var gi: Int64 = 0, si: Int64 = 0
        for (i, r) in all.enumerated() {
            let start: SQLValue = r.startTime.map { .int($0 - startAbs) } ?? .null
            let duration: SQLValue = r.duration.map { .int($0) } ?? .null
            let end = SQLValue.int(r.endTime - startAbs)
            try ins.bind([.int(traceID), .int(Int64(i)), .text(r.name), .int(Int64(r.scope.kind.rawValue)),
                          r.scope.kind == .none ? .null : .int(r.scope.id), start, end,
                          .text(r.startKind.rawValue), .text(r.endKind.rawValue), duration])
            try ins.run()
            if r.isGCCycle {
                // A cycle already running at the trace start has no heap figures from before it.
                let before = r.startKind == .begin ? r.startTime.flatMap { heapAtGCStart[$0 - startAbs] } : nil
                let after = r.endKind == .end ? heapAfterGCEnd[r.endTime - startAbs] : nil
                try gc.bind([.int(traceID), .int(gi), start, end, .text(r.startKind.rawValue), .text(r.endKind.rawValue), duration,
                             before?.heap.map { .int($0) } ?? .null, after.map { .int($0) } ?? .null,
                             before?.goal.map { .int($0) } ?? .null])
                try gc.run(); gi += 1
            } else if let reason = r.stopTheWorldReason {
                try stw.bind([.int(traceID), .int(si), r.scope.kind == .goroutine ? .int(r.scope.id) : .null,
                              .text(reason), .int(r.isGCStopTheWorld ? 1 : 0), start, end,
                              .text(r.startKind.rawValue), .text(r.endKind.rawValue), duration])
                try stw.run(); si += 1
            }
        }
    }

    /// The standard MMU windows.
    static let mmuWindows: [Int64] = [1_000_000, 10_000_000, 100_000_000, 1_000_000_000]

    /// Writes tracedb's utilization series and the MMU for the standard windows, by tracedb's count
    /// and by Go's (see the `mmu` table's comments).
    func writeMMU(tracedb: [[MutatorUtil]], go: [[MutatorUtil]]) throws {
        let ins = try db.prepare("INSERT OR REPLACE INTO mutator_util(trace_id, ts_ns, util) VALUES (?, ?, ?)")
        for u in tracedb.first ?? [] {
            try ins.bind(1, traceID); try ins.bind(2, u.time - startAbs); try ins.bind(3, u.util)
            try ins.run()
        }
        guard let series = tracedb.first, !series.isEmpty else { return }
        let mine = MMUCurve(tracedb)
        let theirs = MMUCurve(go)
        let m = try db.prepare("""
            INSERT INTO mmu(trace_id, window_ns, mmu, worst_start_ns, go_mmu, go_worst_start_ns) VALUES (?, ?, ?, ?, ?, ?)
            """)
        for w in Self.mmuWindows {
            let worst = mine.examples(window: w, count: 1).first
            let goWorst = (go.first?.isEmpty ?? true) ? nil : theirs.examples(window: w, count: 1).first
            try m.bind([.int(traceID), .int(w), .double(mine.mmu(window: w)), worst.map { .int($0.time - startAbs) } ?? .null,
                        .double((go.first?.isEmpty ?? true) ? 1 : theirs.mmu(window: w)),
                        goWorst.map { .int($0.time - startAbs) } ?? .null])
            try m.run()
        }
    }

    /// The tables of the scheduler sweep (see SchedSweep).
    func writeSweep() throws {
        let lengthsIns = try db.prepare("INSERT INTO idle_p_episode_lengths(trace_id, duration_ns, count, waiting_goroutine_ns) VALUES (?, ?, ?, ?)")
        for (d, e) in sweep.episodeLengths.sorted(by: { $0.key < $1.key }) {
            try lengthsIns.bind([.int(traceID), .int(d), .int(e.count), .int(e.waiting)]); try lengthsIns.run()
        }
        let longIns = try db.prepare("""
            INSERT INTO idle_p_episodes_longest(trace_id, rank, start_ns, end_ns, max_idle_procs, max_runnable, waiting_goroutine_ns,
              runnable_functions) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """)
        for (i, e) in sweep.longest.enumerated() {
            // Runnable goroutine-time per start function, the five largest (ties by name).
            var byName: [String: Int64] = [:]
            for (g, ns) in e.who { byName[lengths.name(of: g), default: 0] += ns }
            let top = byName.sorted { $0.value != $1.value ? $0.value > $1.value : Array($0.key.utf8).lexicographicallyPrecedes(Array($1.key.utf8)) }
                .prefix(5).map(\.key).joined(separator: ", ")
            try longIns.bind([.int(traceID), .int(Int64(i + 1)), .int(e.start), .int(e.end), .int(Int64(e.maxIdle)), .int(Int64(e.maxRunnable)),
                              .int(e.waiting), .text(top)])
            try longIns.run()
        }
        let sum = try db.prepare("""
            INSERT INTO sched_summary(trace_id, runnable_ns, peak_runnable, peak_runnable_at_ns, created, max_created_per_ms)
            VALUES (?, ?, ?, ?, ?, ?)
            """)
        try sum.bind([.int(traceID), .int(sweep.runnableNs), .int(Int64(sweep.peakRunnable)), sweep.peakRunnableAt.map { .int($0) } ?? .null,
                      .int(sweep.created), .int(sweep.maxCreatedPerMs)])
        try sum.run()
    }

    func writeLabels() throws {
        let ins = try db.prepare("INSERT INTO goroutine_labels(trace_id, goid, label, ts_ns) VALUES (?, ?, ?, ?)")
        for (g, l) in labels.sorted(by: { $0.key < $1.key }) {
            try ins.bind([.int(traceID), .int(g), .text(l.label), .int(l.t)]); try ins.run()
        }
    }

    /// Fills the columns that are easiest to derive from loaded tables.
    func deriveInSQL() throws {
        let id = "\(traceID)"
        try db.execute("""
            UPDATE stw_pauses SET gc_idx = (SELECT g.gc_idx FROM gc_cycles g WHERE g.trace_id = stw_pauses.trace_id
                 AND stw_pauses.is_gc = 1
                 AND coalesce(stw_pauses.start_ns, 0) <= g.end_ns AND stw_pauses.end_ns >= coalesce(g.start_ns, 0)
                 ORDER BY g.gc_idx LIMIT 1)
            WHERE trace_id = \(id);
            """)
    }

    /// A clock snapshot's wall time in ns since the Unix epoch; nil if a corrupt snapshot puts it outside Int64.
    static func unixNs(_ c: ClockSnapshot) -> Int64? {
        let (a, o1) = c.wallSeconds.multipliedReportingOverflow(by: 1_000_000_000)
        let (b, o2) = a.addingReportingOverflow(c.wallNanoseconds)
        return o1 || o2 ? nil : b
    }

    /// `unixNs` (|unixNs| < 2^62) as RFC 3339 with nanoseconds, in UTC.
    static func rfc3339(unixNs: Int64) -> String {
        let secs = unixNs >= 0 ? unixNs / 1_000_000_000 : (unixNs - 999_999_999) / 1_000_000_000
        let nanos = unixNs - secs * 1_000_000_000
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = "yyyy-MM-dd'T'HH:mm:ss"
        return f.string(from: Date(timeIntervalSince1970: TimeInterval(secs))) + String(format: ".%09lldZ", nanos)
    }
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
