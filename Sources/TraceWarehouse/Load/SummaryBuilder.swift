import GoTrace

/// Runs Go's summarizer (``GoroutineSummarizer``) over the event stream and writes its results:
/// `goroutines`, `goroutine_block`, `goroutine_ranges`, `regions`, `tasks`. The creator and creation
/// stacks, which Go's summary does not keep, are recorded here from the GoCreate transitions.
final class SummaryBuilder {
    let db: Database
    let traceID: Int64
    /// Go's analyses in one pass; tracedb's utilization counts a mark worker once per run. The
    /// goroutine summaries are not collected into one dictionary: ``finish(_:end:startAbs:)`` writes
    /// them one at a time.
    let analyses = TraceAnalyses(utilizationFlags: [.default], countWorkerRunsOnce: true, profiles: [],
                                 collectGoroutines: false)
    /// Go's utilization exactly as `go tool trace` computes it (for `mmu.go_mmu`).
    let goUtilization = MutatorUtilization(flags: .default, countWorkerRunsOnce: false)
    /// How a goroutine was created, from its NotExist→X transition; `noStack` for no stack id.
    private struct Creation {
        static let noStack = Int64.min
        var creator: Int64
        var stack: Int64
        var startStack: Int64
    }
    /// goid → its creation (goroutine ids are dense: mostly an array indexed by id).
    @exclusivity(unchecked) private var creation = DenseIDMap<Creation>()

    /// Per start function, every goroutine's time in each category of goroutine-analysis-stats.
    @exclusivity(unchecked) private var functionStats = FunctionStats()

    /// A goroutine's time in the categories of goroutine_function_stats, in stat_idx order: lifetime, exec,
    /// sched_wait, syscall, syscall_block, block, block_sync, block_network, block_sleep, block_gc, unknown.
    /// The block categories are goroutine-analysis's, by reason: sync = a reason naming chan, sync or select
    /// (not 'network'); gc = naming GC but none of those.
    static func categories(_ st: GoroutineExecStats, classes: inout [String: UInt8]) -> [Int64] {
        var sync: Int64 = 0, network: Int64 = 0, sleep: Int64 = 0, gc: Int64 = 0
        for (reason, ns) in st.blockTimeByReason {
            let c: UInt8
            if let known = classes[reason] { c = known } else { c = blockClass(reason); classes[reason] = c }
            switch c {
            case 1: sync += ns
            case 2: network += ns
            case 3: sleep += ns
            case 4: gc += ns
            default: break
            }
        }
        return [st.totalTime, st.execTime, st.schedWaitTime, st.syscallTime, st.syscallBlockTime, st.blockTime,
                sync, network, sleep, gc, st.unknownTime]
    }

    /// The block category of a reason (1 sync, 2 network, 3 sleep, 4 gc, 0 none): the categories are
    /// exclusive, as the rules above give them for any reason text. Computed once per distinct reason.
    static func blockClass(_ reason: String) -> UInt8 {
        if reason == "network" { return 2 }
        if ProfileKind.isSynchronization(reason: reason) { return 1 }
        if reason == "sleep" { return 3 }
        if reason.utf8.firstRange(of: "GC".utf8) != nil { return 4 }
        return 0
    }

    /// The most goroutines alive at one time and the first time that many were (nil: no goroutines), set
    /// by ``finish(_:end:startAbs:)``: sched_summary.peak_alive, peak_alive_at_ns.
    @exclusivity(unchecked) private(set) var peakAlive: (n: Int64, at: Int64)?

    /// The peak of a step function given as changes (time, delta): the changes at one time are summed
    /// before the running total is read; ties go to the earliest time.
    static func peak(_ changes: inout [(t: Int64, d: Int64)]) -> (n: Int64, at: Int64)? {
        changes.sort { $0.t < $1.t }
        var best: (n: Int64, at: Int64)?
        var n: Int64 = 0
        var i = 0
        while i < changes.count {
            let t = changes[i].t
            while i < changes.count && changes[i].t == t { n += changes[i].d; i += 1 }
            if best == nil || n > best!.n { best = (n, t) }
        }
        return best
    }

    init(db: Database, traceID: Int64) {
        self.db = db
        self.traceID = traceID
    }

    /// Go's analyses only read the events, so they run on a thread of their own, fed batches of events
    /// (Event values are immutable and Sendable; a generation's tables are shared read-only): on the
    /// 44.7 MB bench trace they are ~1.8 s of CPU that the parsing thread, the ingest's critical path,
    /// no longer spends. ``drain()`` waits for them before anything reads `analyses` or `goUtilization`.
    private let worker = WriteQueue(capacity: 2, threadName: "tracedb-analyses")
    @exclusivity(unchecked) private var batch: [Event] = []
    private static let batchSize = 512
    private var workerStarted = false

    @inline(__always) func feed(_ ev: Event) {
        if !workerStarted { workerStarted = true; worker.start(); batch.reserveCapacity(Self.batchSize) }
        batch.append(ev)
        if batch.count == Self.batchSize { ship() }
    }

    private func ship() {
        guard !batch.isEmpty else { return }
        let events = batch, analyses = self.analyses, goUtilization = self.goUtilization
        batch = []
        batch.reserveCapacity(Self.batchSize)
        // The jobs never throw: submit only rethrows an earlier job's error.
        try? worker.perform {
            for ev in events {
                analyses.feed(ev)
                goUtilization.feed(ev)
            }
        }
    }

    /// Feeds the events still batched and waits until the analyses have seen every event fed. Call
    /// before reading `analyses` or `goUtilization`, and (it stops the thread) when a load gives up.
    func drain() {
        ship()
        try? worker.finish()
        batch = []
    }

    @inline(__always) func created(_ goid: Int64, creator: Int64, stack: Int64?, startStack: Int64?) {
        creation.set(goid, Creation(creator: creator, stack: stack ?? Creation.noStack,
                                    startStack: startStack ?? Creation.noStack))
    }

    /// Writes the summary tables; returns the number of goroutines. `sum` is `analyses`' summary, whose
    /// goroutines are taken from `analyses` (and released) here; the summary returned has none.
    func finish(_ sum: TraceSummary, end: Int64, startAbs: Int64) throws -> (goroutines: Int, summary: TraceSummary) {
        let traceEndAbs = startAbs + end
        func rel(_ t: Int64?) -> SQLValue { t.map { .int($0 - startAbs) } ?? .null }

        let gIns = try db.prepare("""
            INSERT INTO goroutines(trace_id, goid, name, pc, is_system, creation_ns, creator_goid, creation_stack_id,
              start_stack_id, start_ns, end_ns, last_start_ns, final_state, total_ns, exec_ns, sched_wait_ns, syscall_ns,
              syscall_block_ns, block_ns, unknown_ns, range_ns, region_count)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        let bIns = try db.prepare("INSERT INTO goroutine_block(trace_id, goid, reason, ns) VALUES (?, ?, ?, ?)")
        let rIns = try db.prepare("INSERT INTO goroutine_ranges(trace_id, goid, range_name, ns) VALUES (?, ?, ?, ?)")
        let regIns = try db.prepare("""
            INSERT INTO regions(trace_id, goid, idx, task_id, name, synthetic, start_ns, end_ns, interval_start_ns,
              interval_end_ns, duration_ns, complete, depth, parent_idx, exec_ns, sched_wait_ns, syscall_ns,
              syscall_block_ns, block_ns, unknown_ns, frame_func, frame_file, frame_line, frame_pc)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        func stackID(_ id: Int64?) -> SQLValue { id.map { $0 == Creation.noStack ? .null : .int($0) } ?? .null }
        // Goroutines alive over time: +1 at creation (or 0), -1 at the end, for the peak.
        var alive: [(t: Int64, d: Int64)] = []
        var blockClasses: [String: UInt8] = [:]
        let goroutineCount = try analyses.consumeGoroutineSummaries { g in
            let c = creation[g.id]
            let st = g.stats
            try gIns.bind([
                .int(traceID), .int(g.id), .text(g.name), g.pc == 0 ? .null : .int(Int64(bitPattern: g.pc)),
                .int(g.isSystem ? 1 : 0), rel(g.creationTime),
                c.map { $0.creator >= 0 ? .int($0.creator) : .null } ?? .null,
                stackID(c?.stack), stackID(c?.startStack),
                rel(g.startTime), rel(g.endTime), rel(g.lastStartTime), .int(Int64(g.finalState.rawValue)),
                .int(st.totalTime), .int(st.execTime), .int(st.schedWaitTime), .int(st.syscallTime),
                .int(st.syscallBlockTime), .int(st.blockTime), .int(st.unknownTime), .int(st.totalRangeTime),
                .int(Int64(g.regions.count)),
            ])
            try gIns.run()
            alive.append((g.creationTime - startAbs, 1))
            if let e = g.endTime { alive.append((e - startAbs, -1)) }
            functionStats.add(g.name, Self.categories(st, classes: &blockClasses))
            for (reason, ns) in st.blockTimeByReason.sorted(by: { $0.key < $1.key }) {
                try bIns.bind([.int(traceID), .int(g.id), .text(reason), .int(ns)]); try bIns.run()
            }
            for (name, ns) in st.rangeTime.sorted(by: { $0.key < $1.key }) {
                try rIns.bind([.int(traceID), .int(g.id), .text(name), .int(ns)]); try rIns.run()
            }
            // Nesting: a region is inside the closest earlier region of the goroutine that is still open.
            var open: [(idx: Int, end: Int64)] = []
            for (idx, r) in g.regions.enumerated() {
                let iv = r.interval(traceStart: startAbs, traceEnd: traceEndAbs)
                while let last = open.last, last.end < iv.end || (last.end <= iv.start && last.end != iv.end) { open.removeLast() }
                let depth = open.count
                let parent = open.last?.idx
                open.append((idx, iv.end))
                let rs = r.stats
                let frame = r.topStackFrame
                try regIns.bind([
                    .int(traceID), .int(g.id), .int(Int64(idx)), .int(Int64(bitPattern: r.taskID)), .text(r.name),
                    .int(r.isSynthetic ? 1 : 0), rel(r.start?.time), rel(r.end?.time),
                    .int(iv.start - startAbs), .int(iv.end - startAbs), .int(iv.end - iv.start),
                    .int(r.start != nil && r.end != nil ? 1 : 0), .int(Int64(depth)), parent.map { .int(Int64($0)) } ?? .null,
                    .int(rs.execTime), .int(rs.schedWaitTime), .int(rs.syscallTime), .int(rs.syscallBlockTime),
                    .int(rs.blockTime), .int(rs.unknownTime),
                    frame.map { .text($0.function) } ?? .null, frame.map { .text($0.file) } ?? .null,
                    frame.map { .int(Int64(bitPattern: $0.line)) } ?? .null, frame.map { .int(Int64(bitPattern: $0.pc)) } ?? .null,
                ])
                try regIns.run()
            }
        }
        creation = DenseIDMap()
        peakAlive = Self.peak(&alive)
        alive = []
        try functionStats.write(db: db, traceID: traceID)
        functionStats = FunctionStats()
        let tIns = try db.prepare("""
            INSERT INTO tasks(trace_id, task_id, parent_id, name, start_ns, end_ns, start_goid, end_goid,
              interval_start_ns, interval_end_ns, duration_ns, complete, goroutine_count, region_count, log_count, child_count)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        for t in sum.tasksByID {
            let iv = t.interval(traceStart: startAbs, traceEnd: traceEndAbs)
            func goid(_ e: Event?) -> SQLValue { e.map { $0.goroutine >= 0 ? .int($0.goroutine) : .null } ?? .null }
            try tIns.bind([
                .int(traceID), .int(Int64(bitPattern: t.id)), t.parent.map { .int(Int64(bitPattern: $0)) } ?? .null,
                .text(t.name), rel(t.start?.time), rel(t.end?.time), goid(t.start), goid(t.end),
                .int(iv.start - startAbs), .int(iv.end - startAbs), .int(iv.end - iv.start), .int(t.isComplete ? 1 : 0),
                .int(Int64(t.goroutines.count)), .int(Int64(t.regions.count)), .int(Int64(t.logs.count)),
                .int(Int64(t.children.count)),
            ])
            try tIns.run()
        }
        return (goroutineCount, sum)
    }
}

/// goroutine_function_stats: per start function, the distribution over its goroutines of each category of
/// Go's goroutine summary (goroutine-analysis-stats reads it).
struct FunctionStats {
    static let stats = ["lifetime", "exec", "sched_wait", "syscall", "syscall_block", "block", "block_sync",
                        "block_network", "block_sleep", "block_gc", "unknown"]
    /// Function → per category, every goroutine's value.
    private var values: [String: [[Int64]]] = [:]

    mutating func add(_ function: String, _ v: [Int64]) {
        values[function, default: Array(repeating: [], count: Self.stats.count)].withEach(v)
    }

    func write(db: Database, traceID: Int64) throws {
        let ins = try db.prepare("""
            INSERT INTO goroutine_function_stats(trace_id, function, stat_idx, stat, goroutines, total_ns, min_ns, avg_ns,
              p50_ns, p99_ns, max_ns, function_exec_ns) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        for (function, cats) in values {
            let exec = cats[1].reduce(0, +)
            for (i, var v) in cats.enumerated() {
                v.sort()
                let n = v.count, total = v.reduce(0, +)
                // Nearest rank: the smallest value with at least N% of the goroutines at or below it.
                func rank(_ pct: Int) -> Int64 { v[(n * pct + 99) / 100 - 1] }
                try ins.bind([.int(traceID), .text(function), .int(Int64(i + 1)), .text(Self.stats[i]), .int(Int64(n)),
                              .int(total), .int(v[0]), .int(total / Int64(n)), .int(rank(50)), .int(rank(99)),
                              .int(v[n - 1]), .int(exec)])
                try ins.run()
            }
        }
    }
}

private extension Array where Element == [Int64] {
    mutating func withEach(_ v: [Int64]) { for i in indices { self[i].append(v[i]) } }
}
