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

    static let stateNames = ["running", "runnable", "waiting", "syscall"]

    public init(db: Database, traceID: Int64, buckets: Int = 240) throws {
        info = try TraceInfo(db: db, traceID: traceID)
        bucketCount = buckets
        let tid = traceID
        let dur = max(info.durationNs, 1)
        func q(_ sql: String, _ params: [SQLValue] = [.int(tid)], _ row: (Statement) throws -> Void) throws {
            let s = try db.prepare(sql)
            try s.bind(params)
            while try s.step() { try row(s) }
        }

        // --- Time overview: every state interval adds its overlap with each time bucket (no sorting).
        var st = [[Double]](repeating: [Double](repeating: 0, count: buckets), count: 4)
        var pr = [Double](repeating: 0, count: buckets)
        let bw = Double(dur) / Double(buckets)
        func spread(_ a: Int64, _ b: Int64, _ add: (Int, Double) -> Void) {
            guard b > a else { return }
            var i = min(max(Int(Double(a) / bw), 0), buckets - 1)
            while i < buckets {
                let lo = max(Double(a), Double(i) * bw), hi = min(Double(b), Double(i + 1) * bw)
                if hi > lo { add(i, (hi - lo) / bw) }
                if Double(b) <= Double(i + 1) * bw { break }
                i += 1
            }
        }
        let lane = [2: 1, 3: 0, 4: 2, 5: 3]   // go state → running, runnable, waiting, syscall
        try q("SELECT state, start_ns, end_ns FROM goroutine_states WHERE trace_id = ?") { s in
            guard let k = lane[Int(s.int64(0))] else { return }
            spread(s.int64(1), s.int64(2)) { st[k][$0] += $1 }
        }
        try q("SELECT start_ns, end_ns FROM proc_states WHERE trace_id = ? AND state = 2") { s in
            spread(s.int64(0), s.int64(1)) { pr[$0] += $1 }
        }

        // --- Ps idle while goroutines are runnable: a sweep over Runnable and idle-P intervals.
        var runnable: Int64 = 0, idleP: Int64 = 0
        var idleRunnableNs: Int64 = 0, worstIdleRunnable: (start: Int64, end: Int64) = (0, 0)
        var idleRunnableSince: Int64? = nil
        func idleCheck(_ t: Int64) {
            let bad = runnable > 0 && idleP > 0
            if bad, idleRunnableSince == nil { idleRunnableSince = t }
            if !bad, let s = idleRunnableSince {
                idleRunnableNs += t - s
                if t - s > worstIdleRunnable.end - worstIdleRunnable.start { worstIdleRunnable = (s, t) }
                idleRunnableSince = nil
            }
        }
        var pendingT: Int64? = nil
        try q("""
            SELECT t, k, d FROM (
              SELECT start_ns AS t, 0 AS k, 1 AS d FROM goroutine_states WHERE trace_id = ?1 AND state = 2
              UNION ALL SELECT end_ns, 0, -1 FROM goroutine_states WHERE trace_id = ?1 AND state = 2
              UNION ALL SELECT start_ns, 1, 1 FROM proc_states WHERE trace_id = ?1 AND state = 3
              UNION ALL SELECT end_ns, 1, -1 FROM proc_states WHERE trace_id = ?1 AND state = 3
            ) ORDER BY t
            """) { s in
            let t = s.int64(0)
            if let p = pendingT, p != t { idleCheck(p) }
            if s.int64(1) == 0 { runnable += s.int64(2) } else { idleP += s.int64(2) }
            pendingT = t
        }
        if let p = pendingT { idleCheck(p) }
        runnable = 0; idleP = 0
        idleCheck(dur)

        // --- Peak of live goroutines: a sweep over the goroutines' lives.
        var peakAlive: Int64 = 0, peakAliveAt: Int64 = 0, alive: Int64 = 0
        pendingT = nil
        try q("""
            SELECT t, d FROM (
              SELECT coalesce(creation_ns, 0) AS t, 1 AS d FROM goroutines WHERE trace_id = ?1
              UNION ALL SELECT end_ns, -1 FROM goroutines WHERE trace_id = ?1 AND end_ns IS NOT NULL
            ) ORDER BY t
            """) { s in
            let t = s.int64(0)
            if let p = pendingT, p != t, alive > peakAlive { peakAlive = alive; peakAliveAt = p }
            alive += s.int64(1)
            pendingT = t
        }
        if let p = pendingT, alive > peakAlive { peakAlive = alive; peakAliveAt = p }
        states = st
        procsRunning = pr
        procCount = try db.scalarInt("SELECT count(*) FROM procs WHERE trace_id = ?", [.int(tid)]) ?? 0

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

        // --- Scheduling latency: every Runnable interval that ended (the wait for a P), from the event.
        var lat: [Int64] = []
        try q("SELECT end_ns - event_ns FROM goroutine_states WHERE trace_id = ? AND state = 2 AND open_at_end = 0") { lat.append($0.int64(0)) }
        lat.sort()
        var ls = LatencyStats()
        ls.count = Int64(lat.count); ls.total = lat.reduce(0, +)
        func pct(_ q: Double) -> Int64 { lat.isEmpty ? 0 : lat[max(0, min(lat.count - 1, Int((q * Double(lat.count)).rounded(.up)) - 1))] }
        ls.p50 = pct(0.5); ls.p90 = pct(0.9); ls.p99 = pct(0.99); ls.p999 = pct(0.999); ls.max = lat.last ?? 0
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
        for v in lat {
            while bi < edges.count - 1 && v > edges[bi] { bi += 1 }
            counts[bi] += 1
        }
        latencyEdges = edges; latencyCounts = counts

        // --- Blocking by reason (Go's block time per reason) with the number of waits.
        var waits: [String: Int64] = [:]
        try q("""
            SELECT coalesce(r.value, ''), count(*) FROM goroutine_states s
            LEFT JOIN strings r ON r.trace_id = s.trace_id AND r.string_id = s.reason_id
            WHERE s.trace_id = ? AND s.state = 4 GROUP BY 1
            """) { waits[$0.text(0)] = $0.int64(1) }
        var blk: [(String, Int64, Int64)] = []
        try q("SELECT reason, sum(ns) FROM goroutine_block WHERE trace_id = ? GROUP BY reason HAVING sum(ns) > 0 ORDER BY 2 DESC, 1") { s in
            blk.append((s.text(0), s.int64(1), waits[s.text(0)] ?? 0))
        }
        blocking = blk.map { (reason: $0.0, ns: $0.1, count: $0.2) }
        syscallNs = 0; syscallBlockNs = 0
        var sc: Int64 = 0, sb: Int64 = 0
        try q("SELECT coalesce(sum(syscall_ns), 0), coalesce(sum(syscall_block_ns), 0) FROM goroutines WHERE trace_id = ?") { s in
            sc = s.int64(0); sb = s.int64(1)
        }
        syscallNs = sc; syscallBlockNs = sb

        // --- Goroutine analysis by start function (Go's /goroutines grouping).
        var gr: [GoroutineGroup] = []
        try q("""
            SELECT name, count(*), sum(exec_ns), sum(sched_wait_ns), sum(block_ns), sum(syscall_ns), sum(syscall_block_ns),
                   sum(unknown_ns), sum(total_ns), max(exec_ns)
            FROM goroutines WHERE trace_id = ? GROUP BY name ORDER BY sum(exec_ns) DESC, name LIMIT 500
            """) { s in
            gr.append(GoroutineGroup(name: s.text(0), count: s.int64(1), exec: s.int64(2), schedWait: s.int64(3), block: s.int64(4),
                                     syscall: s.int64(5), syscallBlock: s.int64(6), unknown: s.int64(7), total: s.int64(8),
                                     maxExec: s.int64(9)))
        }
        groups = gr

        // --- MMU: the curve from the stored utilization function (Go's MutatorUtilizationV2).
        var util: [(Int64, Double)] = []
        try q("SELECT ts_ns, util FROM mutator_util WHERE trace_id = ? ORDER BY ts_ns") { util.append(($0.int64(0), $0.double(1))) }
        var table: [(Int64, Double)] = []
        try q("SELECT window_ns, mmu FROM mmu WHERE trace_id = ? ORDER BY window_ns") { table.append(($0.int64(0), $0.double(1))) }
        mmuTable = table.map { (window: $0.0, mmu: $0.1) }
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
        let idleShare = Double(idleRunnableNs) / Double(dur)
        if idleRunnableNs > 0 {
            f.append(Finding(severity: idleShare > 0.10 ? .bad : idleShare > 0.01 ? .warn : .ok,
                             title: "Ps idle while goroutines were runnable: \(HumanFormat.percent(fraction: idleShare)) of the trace",
                             detail: "\(HumanFormat.duration(idleRunnableNs)) in total; the longest stretch lasted \(HumanFormat.duration(worstIdleRunnable.end - worstIdleRunnable.start)) from \(HumanFormat.duration(worstIdleRunnable.start)). Runnable goroutines should find an idle P quickly; long stretches point at wake-up latency or a P held elsewhere."))
        }
        if ls.count > 0 {
            let sev: Finding.Severity = ls.p99 > 10_000_000 ? .bad : ls.p99 > 1_000_000 ? .warn : .ok
            f.append(Finding(severity: sev, title: "Scheduling latency p99 \(HumanFormat.duration(ls.p99)) (max \(HumanFormat.duration(ls.max)))",
                             detail: "\(HumanFormat.count(ls.count)) waits for a P; p50 \(HumanFormat.duration(ls.p50)), p90 \(HumanFormat.duration(ls.p90)), p99.9 \(HumanFormat.duration(ls.p999)). High latency means more runnable goroutines than Ps (CPU saturation) or long non-preemptible work."))
        }
        var slices: Int64 = 0, short: Int64 = 0
        try q("SELECT count(*), coalesce(sum(end_ns - start_ns < 10000), 0) FROM goroutine_states WHERE trace_id = ? AND state = 3") { s in
            slices = s.int64(0); short = s.int64(1)
        }
        if slices > 0 {
            let share = Double(short) / Double(slices)
            let perSec = Double(slices) / (Double(dur) / 1e9)
            f.append(Finding(severity: share > 0.5 && slices > 1000 ? .warn : .ok,
                             title: "Context switching: \(HumanFormat.percent(fraction: share)) of running slices are shorter than 10 µs",
                             detail: "\(HumanFormat.count(slices)) running slices, \(HumanFormat.count(perSec.rounded())) per second. Many very short slices mean goroutines wake up, do little and block again (fine-grained channels or locks)."))
        }
        let gmp = max(info.maxGomaxprocs ?? procCount, 1)
        f.append(Finding(severity: peakAlive > 10_000 || (peakAlive > 1000 && peakAlive > 100 * gmp) ? .warn : .ok,
                         title: "Peak of \(HumanFormat.count(peakAlive)) live goroutines at \(HumanFormat.duration(peakAliveAt))",
                         detail: "\(HumanFormat.count(info.goroutineCount)) goroutines in the trace, GOMAXPROCS \(gmp). A goroutine explosion shows as many goroutines of which few can run."))
        let stwTotal = stws.reduce(Int64(0)) { $0 + ($1.end - $1.start) }
        let stwMax = stws.map { $0.end - $0.start }.max() ?? 0
        if !gcs.isEmpty || !stws.isEmpty {
            let perSec = Double(gcs.count) / (Double(dur) / 1e9)
            let mmu10 = mmuCurve.first { $0.window >= 10_000_000 }?.mmu
            var sev: Finding.Severity = .ok
            if stwMax > 1_000_000 || (mmu10 ?? 1) < 0.5 || perSec > 20 { sev = .warn }
            if stwMax > 10_000_000 || (mmu10 ?? 1) < 0.2 { sev = .bad }
            f.append(Finding(severity: sev, title: "GC: \(gcs.count) cycles (\(HumanFormat.count((perSec * 10).rounded() / 10))/s), longest pause \(HumanFormat.duration(stwMax))",
                             detail: "Stop-the-world pauses total \(HumanFormat.duration(stwTotal)) (\(HumanFormat.percent(fraction: Double(stwTotal) / Double(dur)))); \(assists.count) mark assists"
                                + (mmu10.map { "; minimum mutator utilization over 10 ms windows \(HumanFormat.percent(fraction: $0))" } ?? "")
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
