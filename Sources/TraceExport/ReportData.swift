import Foundation
import TraceWarehouse

/// Everything the HTML report draws, computed from one trace of the warehouse.
public struct ReportData: Sendable {
    public struct Interval: Sendable { public var start: Int64, end: Int64, label: String }
    public struct Finding: Sendable {
        public enum Severity: String, Sendable { case ok, info, warn, bad }
        public var severity: Severity
        public var title: String
        public var detail: String
    }
    public struct GoroutineGroup: Sendable {
        public var name: String
        public var count: Int64, exec: Int64, schedWait: Int64, block: Int64, syscall: Int64, syscallBlock: Int64
        public var unknown: Int64, total: Int64, maxExec: Int64
    }
    public struct Slowest: Sendable {
        public var name: String, id: String, goid: Int64?, durationNs: Int64, complete: Bool, detail: String
    }
    public struct TypeStats: Sendable {
        public var name: String, count: Int64, totalNs: Int64, p50Ns: Int64, maxNs: Int64, incomplete: Int64
    }
    public struct LatencyStats: Sendable {
        public var count: Int64 = 0, total: Int64 = 0, p50: Int64 = 0, p90: Int64 = 0, p99: Int64 = 0, p999: Int64 = 0, max: Int64 = 0
    }

    public var info: TraceInfo
    /// Buckets of the time overview (`states`, `procsRunning`); see `bucketNs`.
    public var bucketCount: Int
    /// Average number of goroutines per state and bucket: running, runnable, waiting, syscall.
    public var states: [[Double]]
    /// Average number of running Ps per bucket, and the number of Ps.
    public var procsRunning: [Double]
    public var procCount: Int64
    public var gcCycles: [Interval]
    public var stwPauses: [Interval]
    public var markAssists: [Interval]
    public var heapAlloc: [(t: Int64, v: Int64)]
    public var heapGoal: [(t: Int64, v: Int64)]
    /// Scheduling latency histogram: bucket upper bounds (ns) and counts.
    public var latencyEdges: [Int64]
    public var latencyCounts: [Int64]
    public var latency: LatencyStats
    public var blocking: [(reason: String, ns: Int64, count: Int64)]
    public var syscallNs: Int64, syscallBlockNs: Int64
    public var groups: [GoroutineGroup]
    public var mmuCurve: [(window: Int64, mmu: Double)]
    public var mmuTable: [(window: Int64, mmu: Double)]
    public var mmuSource: String
    public var slowestTasks: [Slowest]
    public var slowestRegions: [Slowest]
    public var taskTypes: [TypeStats]
    public var regionTypes: [TypeStats]
    public var findings: [Finding]

    /// The states of `states`, in order: also goroutines-over-time's column names.
    static let stateNames = ["running", "runnable", "waiting", "syscall"]

    /// The figures the findings quote, each as its saved query gives it (see `init`).
    public struct IdleWhileRunnable: Sendable {
        /// idle-ps-while-runnable: episodes, total_ns, pct_of_trace.
        public var episodes: Int64 = 0, totalNs: Int64 = 0, pctOfTrace: Double = 0
        /// idle-ps-while-runnable-worst, rank 1: start_ns, duration_ns.
        public var longestStartNs: Int64 = 0, longestNs: Int64 = 0
    }
    public struct GoroutinePeak: Sendable {
        /// goroutine-peak: peak_alive, peak_alive_at_ns.
        public var peakAlive: Int64 = 0, peakAliveAtNs: Int64 = 0
    }
    public struct ContextSwitching: Sendable {
        /// context-switching (short_ns = 10 µs): slices, short_slices, short_pct, switches, switches_per_s.
        public var slices: Int64 = 0, shortSlices: Int64 = 0, shortPct: Double = 0, switches: Int64 = 0, switchesPerS: Double = 0
    }
    public struct GCSummary: Sendable {
        /// gc-summary: cycles, cycles_per_s, stw_ns, stw_max_ns (nil: no pause with a known length), assist_ns.
        public var cycles: Int64 = 0, cyclesPerS: Double = 0, stwNs: Int64 = 0, stwMaxNs: Int64? = nil, assistNs: Int64 = 0
    }

    /// Bucket length of the time overview (goroutines-over-time / utilization-over-time defaults); the last
    /// bucket ends at the trace end and may be shorter.
    public var bucketNs: Int64
    public var idleWhileRunnable: IdleWhileRunnable
    public var goroutinePeak: GoroutinePeak
    public var contextSwitching: ContextSwitching
    public var gcSummary: GCSummary
    /// The MMU the GC finding quotes: the mmu query's row for 10 ms windows, or its nearest row with a value
    /// (nil when the query has no value: no utilization was stored at ingest).
    public var mmuFinding: (window: Int64, mmu: Double)?

    /// The saved queries the report takes its shared figures from (always the built-in ones, so a user's
    /// query directory cannot change what the report says).
    static let library: Result<QueryLibrary, Error> = Result { try QueryLibrary.builtIn() }

    /// Reads trace `traceID`. Every figure the report shares with a saved query comes from that query, run
    /// through ``QueryRunner`` with its default parameters: scheduling latency (sched-latency; the histogram
    /// from the same waits, its `lengths` rows), the time overview (goroutines-over-time,
    /// utilization-over-time), Ps idle while runnable (idle-ps-while-runnable, -worst), the goroutine peak
    /// (goroutine-peak), context switching (context-switching), GC counts and pauses (gc-summary), the MMU
    /// figure and marks (mmu), blocking by reason (blocking-by-reason), the goroutine table
    /// (goroutine-analysis) and syscall time (trace-summary, goroutine-analysis). The rest has no saved query
    /// and is read from the tables: the GC, pause and assist intervals, the heap, the MMU curve, each
    /// function's longest execution, the user goroutines' blocking, tasks and regions.
    public init(db: Database, traceID: Int64) throws {
        info = try TraceInfo(db: db, traceID: traceID)
        let tid = traceID
        let dur = max(info.durationNs, 1)
        func q(_ sql: String, _ params: [SQLValue] = [.int(tid)], _ row: (Statement) throws -> Void) throws {
            let s = try db.prepare(sql)
            try s.bind(params)
            while try s.step() { try row(s) }
        }
        let lib = try Self.library.get()
        func saved(_ name: String, _ params: [String: SQLValue] = [:]) throws -> [SavedRow] {
            guard let query = lib.query(named: name) else { throw WarehouseError("the built-in query \(name) is missing") }
            let r = try QueryRunner.run(query, db: db, traceID: tid, params: params)
            return r.rows.map { SavedRow(query: name, result: r, values: $0) }
        }
        func one(_ name: String, _ params: [String: SQLValue] = [:]) throws -> SavedRow {
            guard let r = try saved(name, params).first else { throw WarehouseError("the query \(name) returned no row") }
            return r
        }

        // --- Time overview: goroutines-over-time (goroutines by state) and utilization-over-time (Ps running),
        // default buckets (1, 2 or 5 × 10^k ns, at most 100).
        let gt = try saved("goroutines-over-time"), ut = try saved("utilization-over-time")
        var st = [[Double]](repeating: [], count: 4)
        for r in gt {
            for (k, c) in Self.stateNames.enumerated() { st[k].append(try r.double(c) ?? 0) }
        }
        var pr = try ut.map { try $0.double("running_procs") ?? 0 }
        let n = max(st[0].count, pr.count)
        for k in 0..<4 { st[k] += [Double](repeating: 0, count: n - st[k].count) }
        pr += [Double](repeating: 0, count: n - pr.count)
        bucketCount = n
        bucketNs = try gt.first?.int("bucket_ns") ?? dur
        states = st
        procsRunning = pr
        procCount = try db.scalarInt("SELECT count(*) FROM procs WHERE trace_id = ?", [.int(tid)]) ?? 0

        // --- Ps idle while goroutines are runnable.
        let idle = try one("idle-ps-while-runnable")
        var iw = IdleWhileRunnable()
        iw.episodes = try idle.int("episodes") ?? 0
        iw.totalNs = try idle.int("total_ns") ?? 0
        iw.pctOfTrace = try idle.double("pct_of_trace") ?? 0
        if let worst = try saved("idle-ps-while-runnable-worst", ["top": .int(1)]).first {
            iw.longestStartNs = try worst.int("start_ns") ?? 0
            iw.longestNs = try worst.int("duration_ns") ?? 0
        }
        idleWhileRunnable = iw

        // --- Peak of live goroutines.
        let peak = try one("goroutine-peak")
        goroutinePeak = GoroutinePeak(peakAlive: try peak.int("peak_alive") ?? 0, peakAliveAtNs: try peak.int("peak_alive_at_ns") ?? 0)

        // --- GC, STW, assists, heap.
        var gcs: [Interval] = [], stws: [Interval] = [], assists: [Interval] = []
        try q("SELECT gc_idx, coalesce(start_ns, 0), end_ns, heap_before_bytes, heap_after_bytes FROM gc_cycles WHERE trace_id = ? ORDER BY gc_idx") { s in
            var label = "GC \(s.int64(0)): \(HumanFormat.duration(s.int64(2) - s.int64(1)))"
            if !s.isNull(3) && !s.isNull(4) { label += ", heap \(HumanFormat.bytes(Double(s.int64(3)))) → \(HumanFormat.bytes(Double(s.int64(4))))" }
            gcs.append(Interval(start: s.int64(1), end: s.int64(2), label: label))
        }
        try q("SELECT coalesce(start_ns, 0), end_ns, reason FROM stw_pauses WHERE trace_id = ? ORDER BY stw_idx") { s in
            stws.append(Interval(start: s.int64(0), end: s.int64(1), label: "STW (\(s.text(2))): \(HumanFormat.duration(s.int64(1) - s.int64(0)))"))
        }
        try q("SELECT coalesce(start_ns, 0), end_ns, scope_id FROM ranges WHERE trace_id = ? AND name = 'GC mark assist' ORDER BY range_idx") { s in
            assists.append(Interval(start: s.int64(0), end: s.int64(1),
                                    label: "mark assist G\(s.isNull(2) ? "?" : String(s.int64(2))): \(HumanFormat.duration(s.int64(1) - s.int64(0)))"))
        }
        gcCycles = gcs; stwPauses = stws; markAssists = assists
        var ha: [(Int64, Int64)] = [], hg: [(Int64, Int64)] = []
        try q("""
            SELECT name, ts_ns, value FROM metrics WHERE trace_id = ?
              AND name IN ('/memory/classes/heap/objects:bytes', '/gc/heap/goal:bytes') ORDER BY ts_ns
            """) { s in
            if s.text(0) == "/gc/heap/goal:bytes" { hg.append((s.int64(1), s.int64(2))) } else { ha.append((s.int64(1), s.int64(2))) }
        }
        heapAlloc = ha.map { (t: $0.0, v: $0.1) }; heapGoal = hg.map { (t: $0.0, v: $0.1) }

        // --- Scheduling latency: the figures of sched-latency, the histogram from the same waits (its lengths rows).
        let sl = try one("sched-latency")
        var ls = LatencyStats()
        ls.count = try sl.int("count") ?? 0; ls.total = try sl.int("total_ns") ?? 0
        ls.p50 = try sl.int("p50_ns") ?? 0; ls.p90 = try sl.int("p90_ns") ?? 0; ls.p99 = try sl.int("p99_ns") ?? 0
        ls.p999 = try sl.int("p999_ns") ?? 0; ls.max = try sl.int("max_ns") ?? 0
        latency = ls
        // Log buckets: 1-2-5 per decade, from ≤ 100 ns up to the maximum.
        var edges: [Int64] = [100]
        while edges.last! < max(ls.max, 100) {
            let e = edges.last!
            let m = String(e).first!
            edges.append(m == "1" ? e * 2 : m == "2" ? e * 5 / 2 : e * 2)
        }
        var counts = [Int64](repeating: 0, count: edges.count)
        var bi = 0
        try q("SELECT length_ns, count FROM lengths WHERE trace_id = ? AND measure = 'sched_latency' ORDER BY length_ns") { s in
            let v = s.int64(0)
            while bi < edges.count - 1 && v > edges[bi] { bi += 1 }
            counts[bi] += s.int64(1)
        }
        latencyEdges = edges; latencyCounts = counts

        // --- Blocking by reason (Go's block time per reason) with the number of waits: blocking-by-reason.
        blocking = try saved("blocking-by-reason").compactMap { r in
            let ns = try r.int("total_ns") ?? 0
            return ns > 0 ? (reason: try r.text("reason") ?? "", ns: ns, count: try r.int("count") ?? 0) : nil
        }
        // System calls (Go's summary): trace-summary's syscall_ns (with and without the P) and goroutine-analysis's
        // syscall_block_ns (after losing the P), below. (The syscalls query has the same totals from the intervals,
        // but sorts every syscall for its percentiles.)
        let summary = try one("trace-summary")
        let allSyscallNs = try summary.int("syscall_ns") ?? 0

        // --- Goroutine analysis by start function (Go's /goroutines grouping): goroutine-analysis, with the
        // longest execution per function from the goroutines (no saved query has it).
        var maxExec: [String: Int64] = [:]
        try q("SELECT name, max(exec_ns) FROM goroutines WHERE trace_id = ? GROUP BY name") { maxExec[$0.text(0)] = $0.int64(1) }
        let ga = try saved("goroutine-analysis")
        groups = try ga.prefix(500).map { r in
            let name = try r.text("function") ?? ""
            return GoroutineGroup(name: name, count: try r.int("goroutines") ?? 0, exec: try r.int("exec_ns") ?? 0,
                                  schedWait: try r.int("sched_wait_ns") ?? 0, block: try r.int("block_ns") ?? 0,
                                  syscall: try r.int("syscall_ns") ?? 0, syscallBlock: try r.int("syscall_block_ns") ?? 0,
                                  unknown: try r.int("unknown_ns") ?? 0, total: try r.int("total_ns") ?? 0, maxExec: maxExec[name] ?? 0)
        }
        syscallBlockNs = try ga.reduce(Int64(0)) { $0 + (try $1.int("syscall_block_ns") ?? 0) }
        syscallNs = allSyscallNs - syscallBlockNs
        let sc = syscallNs, sb = syscallBlockNs

        // --- MMU: the curve from the stored utilization function (Go's MutatorUtilizationV2).
        var util: [(Int64, Double)] = []
        try q("SELECT ts_ns, util FROM mutator_util WHERE trace_id = ? ORDER BY ts_ns") { util.append(($0.int64(0), $0.double(1))) }
        // The values of the mmu query (its standard windows), and the one the GC finding quotes: 10 ms, or the
        // nearest window that has a value.
        mmuTable = try saved("mmu").compactMap { r in
            guard let w = try r.int("window_ns"), let m = try r.double("mmu") else { return nil }
            return (window: w, mmu: m)
        }
        mmuFinding = mmuTable.min { x, y in
            let dx = abs(log(Double(x.window) / 1e7)), dy = abs(log(Double(y.window) / 1e7))
            return dx != dy ? dx < dy : x.window < y.window
        }
        if util.count >= 2 {
            mmuSource = "the mutator utilization stored at ingest (Go's definition: STW, background workers, assists)"
        } else {
            // No stored utilization: GC stop-the-world pauses only (an upper bound of Go's MMU).
            var steps: [(Int64, Double)] = [(0, 1)]
            for p in stws where p.label.contains("GC") { steps.append((p.start, 0)); steps.append((p.end, 1)) }
            steps.append((dur, 1))
            util = steps.sorted { $0.0 < $1.0 }
            mmuSource = "GC stop-the-world pauses only (no utilization was stored at ingest), an upper bound of Go's MMU"
        }
        mmuCurve = Self.mmuCurve(util: util)

        // --- Slowest tasks and regions, and per-type stats.
        var tasks: [Slowest] = []
        try q("""
            SELECT name, task_id, start_goid, duration_ns, complete, goroutine_count, region_count FROM tasks
            WHERE trace_id = ? AND task_id <> 0 ORDER BY duration_ns DESC, task_id LIMIT 15
            """) { s in
            tasks.append(Slowest(name: s.text(0), id: "task \(s.int64(1))", goid: s.isNull(2) ? nil : s.int64(2), durationNs: s.int64(3),
                                 complete: s.int64(4) != 0, detail: "\(s.int64(5)) goroutines, \(s.int64(6)) regions"))
        }
        slowestTasks = tasks
        var regs: [Slowest] = []
        try q("""
            SELECT name, goid, idx, task_id, duration_ns, complete, exec_ns, block_ns, sched_wait_ns FROM regions
            WHERE trace_id = ? AND synthetic = 0 ORDER BY duration_ns DESC, goid, idx LIMIT 15
            """) { s in
            regs.append(Slowest(name: s.text(0), id: "G\(s.int64(1)) #\(s.int64(2))", goid: s.int64(1), durationNs: s.int64(4),
                                complete: s.int64(5) != 0,
                                detail: "task \(s.int64(3)); exec \(HumanFormat.duration(s.int64(6))), blocked \(HumanFormat.duration(s.int64(7))), runnable \(HumanFormat.duration(s.int64(8)))"))
        }
        slowestRegions = regs
        func typeStats(_ sql: String) throws -> [TypeStats] {
            var byName: [String: [Int64]] = [:], inc: [String: Int64] = [:]
            try q(sql) { s in byName[s.text(0), default: []].append(s.int64(1)); if s.int64(2) == 0 { inc[s.text(0), default: 0] += 1 } }
            return byName.map { name, ds in
                let d = ds.sorted()
                return TypeStats(name: name, count: Int64(d.count), totalNs: d.reduce(0, +),
                                 p50Ns: d[max(0, Int((0.5 * Double(d.count)).rounded(.up)) - 1)], maxNs: d.last ?? 0, incomplete: inc[name] ?? 0)
            }.sorted { $0.totalNs != $1.totalNs ? $0.totalNs > $1.totalNs : $0.name < $1.name }
        }
        taskTypes = try typeStats("SELECT name, duration_ns, complete FROM tasks WHERE trace_id = ? AND task_id <> 0")
        regionTypes = try typeStats("SELECT name, duration_ns, complete FROM regions WHERE trace_id = ? AND synthetic = 0")

        // --- Findings.
        var f: [Finding] = []
        if !info.complete {
            f.append(Finding(severity: .warn, title: "The trace is incomplete",
                             detail: "It was cut off (the program may have crashed); only its complete generations were ingested."))
        }
        let idleShare = iw.pctOfTrace / 100
        if iw.totalNs > 0 {
            f.append(Finding(severity: idleShare > 0.10 ? .bad : idleShare > 0.01 ? .warn : .ok,
                             title: "Ps idle while goroutines were runnable: \(HumanFormat.percent(fraction: idleShare)) of the trace",
                             detail: "\(HumanFormat.duration(iw.totalNs)) in total over \(HumanFormat.count(iw.episodes)) stretches; the longest lasted \(HumanFormat.duration(iw.longestNs)) from \(HumanFormat.duration(iw.longestStartNs)). Runnable goroutines should find an idle P quickly; long stretches point at wake-up latency or a P held elsewhere."))
        }
        if ls.count > 0 {
            let sev: Finding.Severity = ls.p99 > 10_000_000 ? .bad : ls.p99 > 1_000_000 ? .warn : .ok
            f.append(Finding(severity: sev, title: "Scheduling latency p99 \(HumanFormat.duration(ls.p99)) (max \(HumanFormat.duration(ls.max)))",
                             detail: "\(HumanFormat.count(ls.count)) waits for a P (first runs not counted); p50 \(HumanFormat.duration(ls.p50)), p90 \(HumanFormat.duration(ls.p90)), p99.9 \(HumanFormat.duration(ls.p999)). High latency means more runnable goroutines than Ps (CPU saturation) or long non-preemptible work."))
        }
        let cs = try one("context-switching", ["short_ns": .int(10_000)])
        contextSwitching = ContextSwitching(slices: try cs.int("slices") ?? 0, shortSlices: try cs.int("short_slices") ?? 0,
                                            shortPct: try cs.double("short_pct") ?? 0, switches: try cs.int("switches") ?? 0,
                                            switchesPerS: try cs.double("switches_per_s") ?? 0)
        let sw = contextSwitching
        if sw.slices > 0 {
            let share = sw.shortPct / 100
            f.append(Finding(severity: share > 0.5 && sw.slices > 1000 ? .warn : .ok,
                             title: "Context switching: \(HumanFormat.percent(fraction: share)) of running slices are shorter than 10 µs",
                             detail: "\(HumanFormat.count(sw.slices)) running slices (\(HumanFormat.count(sw.shortSlices)) short), \(HumanFormat.count(sw.switchesPerS.rounded())) switches per second (slices that gave up the P). Many very short slices mean goroutines wake up, do little and block again (fine-grained channels or locks)."))
        }
        let gmp = max(info.maxGomaxprocs ?? procCount, 1)
        let pk = goroutinePeak
        f.append(Finding(severity: pk.peakAlive > 10_000 || (pk.peakAlive > 1000 && pk.peakAlive > 100 * gmp) ? .warn : .ok,
                         title: "Peak of \(HumanFormat.count(pk.peakAlive)) goroutines alive at once, at \(HumanFormat.duration(pk.peakAliveAtNs))",
                         detail: "\(HumanFormat.count(info.goroutineCount)) goroutines in the trace, GOMAXPROCS \(gmp); a goroutine is alive from its creation (or the start of the trace) to its end. A goroutine explosion shows as many goroutines of which few can run."))
        let gs = try one("gc-summary")
        gcSummary = GCSummary(cycles: try gs.int("cycles") ?? 0, cyclesPerS: try gs.double("cycles_per_s") ?? 0,
                              stwNs: try gs.int("stw_ns") ?? 0, stwMaxNs: try gs.int("stw_max_ns"), assistNs: try gs.int("assist_ns") ?? 0)
        let gc = gcSummary
        if gc.cycles > 0 || !stws.isEmpty {
            let stwMax = gc.stwMaxNs ?? 0
            let mmu = mmuFinding
            var sev: Finding.Severity = .ok
            if stwMax > 1_000_000 || (mmu?.mmu ?? 1) < 0.5 || gc.cyclesPerS > 20 { sev = .warn }
            if stwMax > 10_000_000 || (mmu?.mmu ?? 1) < 0.2 { sev = .bad }
            f.append(Finding(severity: sev, title: "GC: \(gc.cycles) cycles (\(HumanFormat.count((gc.cyclesPerS * 10).rounded() / 10))/s), longest pause \(HumanFormat.duration(stwMax))",
                             detail: "Stop-the-world pauses total \(HumanFormat.duration(gc.stwNs)) (\(HumanFormat.percent(fraction: Double(gc.stwNs) / Double(dur)))); \(HumanFormat.duration(gc.assistNs)) in mark assists"
                                + (mmu.map { "; minimum mutator utilization over \(Self.windowName($0.window)) windows \(HumanFormat.percent(fraction: $0.mmu))" } ?? "")
                                + ". Frequent GC or low MMU: allocate less, or raise GOGC / GOMEMLIMIT."))
        }
        var userBlocking: [(reason: String, ns: Int64)] = []
        try q("""
            SELECT b.reason, sum(b.ns) FROM goroutine_block b
            JOIN goroutines g ON g.trace_id = b.trace_id AND g.goid = b.goid AND g.is_system = 0
            WHERE b.trace_id = ? GROUP BY b.reason HAVING sum(b.ns) > 0 ORDER BY 2 DESC, 1
            """) { userBlocking.append(($0.text(0), $0.int64(1))) }
        if let top = userBlocking.first {
            let all = userBlocking.reduce(Int64(0)) { $0 + $1.ns }
            f.append(Finding(severity: .info, title: "Most blocking: \(top.reason.isEmpty ? "(waiting since trace start)" : top.reason), \(HumanFormat.percent(fraction: Double(top.ns) / Double(max(all, 1)))) of the user goroutines' blocked time",
                             detail: "\(HumanFormat.duration(top.ns)) of \(HumanFormat.duration(all)) blocked (system goroutines left out). Blocking is normal for idle goroutines; look at the sync and net profiles (tracedb export pprof) for the stacks."))
        }
        if sb > 0 {
            f.append(Finding(severity: Double(sb) > 0.1 * Double(dur) * Double(gmp) ? .warn : .info,
                             title: "Syscalls: \(HumanFormat.duration(sc + sb)) in system calls, \(HumanFormat.duration(sb)) of it after the P was handed off",
                             detail: "Long blocking syscalls make the runtime start more threads; see the syscall profile."))
        }
        if f.allSatisfy({ $0.severity == .ok || $0.severity == .info }) {
            f.insert(Finding(severity: .ok, title: "No pathology found", detail: "None of the checks below crossed its threshold."), at: 0)
        }
        findings = f
    }

    /// A window length as the mmu query's windows read: `10 ms`, `1 s` (others as durations).
    static func windowName(_ ns: Int64) -> String {
        if ns > 0 && ns % 1_000_000_000 == 0 { return "\(ns / 1_000_000_000) s" }
        if ns > 0 && ns % 1_000_000 == 0 { return "\(ns / 1_000_000) ms" }
        return HumanFormat.duration(ns)
    }

    /// One row of a saved query's result, read by column name; a missing column is an error naming the query
    /// (a saved query whose columns changed must not silently give the report zeros).
    struct SavedRow {
        var query: String
        var result: QueryResult
        var values: [SQLValue]
        func value(_ column: String) throws -> SQLValue {
            guard let i = result.index(of: column) else {
                throw WarehouseError("the query \(query) has no column \(column) (columns: \(result.columns.joined(separator: ", ")))")
            }
            return values[i]
        }
        func int(_ column: String) throws -> Int64? {
            switch try value(column) {
            case .int(let v): return v
            case .double(let d): return Int64(d)
            default: return nil
            }
        }
        func double(_ column: String) throws -> Double? {
            switch try value(column) {
            case .int(let v): return Double(v)
            case .double(let d): return d
            default: return nil
            }
        }
        func text(_ column: String) throws -> String? {
            if case .text(let t) = try value(column) { return t }
            return nil
        }
    }

    /// Minimum mutator utilization for log-spaced windows (1 µs … the trace length) of a step function
    /// `util` (each value holds until the next point; the last point ends it).
    static func mmuCurve(util: [(Int64, Double)]) -> [(window: Int64, mmu: Double)] {
        guard util.count >= 2 else { return [] }
        let t0 = util.first!.0, t1 = util.last!.0
        let span = t1 - t0
        guard span > 0 else { return [] }
        // Prefix integral at each breakpoint.
        var xs: [Int64] = [], F: [Double] = [0]
        for (i, p) in util.enumerated() {
            xs.append(p.0)
            if i > 0 { F.append(F[i - 1] + util[i - 1].1 * Double(p.0 - util[i - 1].0)) }
        }
        // Integral at t, for non-decreasing t (a cursor walks the breakpoints: O(n) per pass).
        struct Cursor {
            var i = 0
            mutating func integral(_ t: Int64, _ xs: [Int64], _ F: [Double], _ util: [(Int64, Double)]) -> Double {
                if t <= xs[0] { return 0 }
                if t >= xs[xs.count - 1] { return F[F.count - 1] }
                while i + 1 < xs.count && xs[i + 1] <= t { i += 1 }
                return F[i] + util[i].1 * Double(t - xs[i])
            }
        }
        var windows: [Int64] = []
        var w = 1_000.0
        while Int64(w) < span { windows.append(Int64(w)); w *= pow(10, 0.25) }
        windows.append(span)
        var out: [(Int64, Double)] = []
        for w in windows {
            var best = 1.0
            for shift in [Int64(0), -w] {
                var a = Cursor(), b = Cursor()
                for x in xs {
                    let s = x + shift
                    guard s >= t0 else { continue }
                    guard s + w <= t1 else { break }
                    best = min(best, (b.integral(s + w, xs, F, util) - a.integral(s, xs, F, util)) / Double(w))
                }
            }
            out.append((w, max(0, min(1, best))))
        }
        return out.map { (window: $0.0, mmu: $0.1) }
    }
}
