import Foundation
import Testing
@testable import TraceExport
@testable import TraceWarehouse

/// One source for every number: each figure the HTML report (ReportData: its findings, tables and charts)
/// shares with a saved query is that query's value, exactly, on every golden trace. The expected values are
/// read here by running the saved queries themselves (QueryCheck), not from ReportData's code.
@Suite("Report figures come from the saved queries")
struct ReportFiguresTests {
    static let traces = GoldenTrace.all

    static func int(_ v: SQLValue?) -> Int64? {
        switch v {
        case .int(let i)?: return i
        case .double(let d)?: return Int64(d)
        default: return nil
        }
    }
    static func double(_ v: SQLValue?) -> Double? {
        switch v {
        case .int(let i)?: return Double(i)
        case .double(let d)?: return d
        default: return nil
        }
    }

    /// A one-row query's columns.
    static func one(_ c: QueryCheck, _ name: String, _ params: [String: SQLValue] = [:]) throws -> [String: SQLValue] {
        let r = try c.run(name, params)
        let row = try #require(r.rows.first, "\(c.trace): \(name) returned no row")
        return Dictionary(uniqueKeysWithValues: zip(r.columns, row))
    }

    /// A query's rows as dictionaries.
    static func all(_ c: QueryCheck, _ name: String, _ params: [String: SQLValue] = [:]) throws -> [[String: SQLValue]] {
        let r = try c.run(name, params)
        return r.rows.map { Dictionary(uniqueKeysWithValues: zip(r.columns, $0)) }
    }

    @Test("every shared figure equals its saved query's value", arguments: traces)
    func figures(_ t: GoldenTrace) throws {
        guard let c = try QueryCheck(t) else { return }
        let d = try ReportData(db: c.db, traceID: c.id)

        // Scheduling latency: sched-latency, all seven figures; the histogram holds exactly its waits.
        let sl = try Self.one(c, "sched-latency")
        #expect(d.latency.count == Self.int(sl["count"]) ?? 0, "\(t): latency count")
        #expect(d.latency.total == Self.int(sl["total_ns"]) ?? 0, "\(t): latency total")
        #expect(d.latency.p50 == Self.int(sl["p50_ns"]) ?? 0, "\(t): latency p50")
        #expect(d.latency.p90 == Self.int(sl["p90_ns"]) ?? 0, "\(t): latency p90")
        #expect(d.latency.p99 == Self.int(sl["p99_ns"]) ?? 0, "\(t): latency p99")
        #expect(d.latency.p999 == Self.int(sl["p999_ns"]) ?? 0, "\(t): latency p99.9")
        #expect(d.latency.max == Self.int(sl["max_ns"]) ?? 0, "\(t): latency max")
        #expect(d.latencyCounts.reduce(0, +) == d.latency.count, "\(t): histogram total")
        let lengths = try c.sql("SELECT length_ns, count FROM lengths WHERE trace_id = ?1 AND measure = 'sched_latency'")
            .map { (Int64($0[0])!, Int64($0[1])!) }
        for (i, hi) in d.latencyEdges.enumerated() {
            let lo = i == 0 ? Int64.min : d.latencyEdges[i - 1]
            let top = i == d.latencyEdges.count - 1 ? Int64.max : hi
            let want = lengths.filter { $0.0 > lo && $0.0 <= top }.reduce(Int64(0)) { $0 + $1.1 }
            #expect(d.latencyCounts[i] == want, "\(t): histogram bucket ≤\(hi)")
        }
        if d.latency.count > 0 {
            let f = try #require(d.findings.first { $0.title.hasPrefix("Scheduling latency") }, "\(t): no latency finding")
            #expect(f.title == "Scheduling latency p99 \(HumanFormat.duration(d.latency.p99)) (max \(HumanFormat.duration(d.latency.max)))")
            #expect(f.detail.hasPrefix("\(HumanFormat.count(d.latency.count)) waits for a P (first runs not counted); p50 \(HumanFormat.duration(d.latency.p50)), p90 \(HumanFormat.duration(d.latency.p90)), p99.9 \(HumanFormat.duration(d.latency.p999))."), "\(t): \(f.detail)")
        }

        // MMU: the mmu query's rows with a value; the finding quotes its 10 ms row (all fixtures have all four or none).
        let mmu = try Self.all(c, "mmu")
        let withValue = mmu.compactMap { r in Self.double(r["mmu"]).map { (Self.int(r["window_ns"])!, $0) } }
        #expect(d.mmuTable.map(\.window) == withValue.map(\.0) && d.mmuTable.map(\.mmu) == withValue.map(\.1), "\(t): mmu marks")
        let mmu10 = mmu.first { Self.int($0["window_ns"]) == 10_000_000 }.flatMap { Self.double($0["mmu"]) }
        #expect(d.mmuFinding?.window == (mmu10 == nil ? nil : 10_000_000), "\(t): mmu window")
        #expect(d.mmuFinding?.mmu == mmu10, "\(t): mmu 10 ms")
        let gcFinding = d.findings.first { $0.title.hasPrefix("GC: ") }
        if let gcFinding, let mmu10 {
            #expect(gcFinding.detail.contains("minimum mutator utilization over 10 ms windows \(HumanFormat.percent(fraction: mmu10))."), "\(t): \(gcFinding.detail)")
        } else if let gcFinding {
            #expect(!gcFinding.detail.contains("mutator utilization"), "\(t): an MMU without the query's value: \(gcFinding.detail)")
        }

        // Ps idle while runnable: idle-ps-while-runnable and its worst episode.
        let idle = try Self.one(c, "idle-ps-while-runnable")
        #expect(d.idleWhileRunnable.totalNs == Self.int(idle["total_ns"]), "\(t): idle total")
        #expect(d.idleWhileRunnable.episodes == Self.int(idle["episodes"]), "\(t): idle episodes")
        #expect(d.idleWhileRunnable.pctOfTrace == Self.double(idle["pct_of_trace"]), "\(t): idle share")
        let worst = try Self.all(c, "idle-ps-while-runnable-worst", ["top": .int(1)]).first
        #expect(d.idleWhileRunnable.longestStartNs == Self.int(worst?["start_ns"]) ?? 0, "\(t): idle longest start")
        #expect(d.idleWhileRunnable.longestNs == Self.int(worst?["duration_ns"]) ?? 0, "\(t): idle longest")
        #expect(d.idleWhileRunnable.longestNs == Self.int(idle["max_ns"]) ?? 0, "\(t): idle longest = max_ns")
        if d.idleWhileRunnable.totalNs > 0 {
            let f = try #require(d.findings.first { $0.title.hasPrefix("Ps idle") })
            #expect(f.title.contains("\(HumanFormat.percent(fraction: Self.double(idle["pct_of_trace"])! / 100)) of the trace"))
            #expect(f.detail.hasPrefix("\(HumanFormat.duration(d.idleWhileRunnable.totalNs)) in total over \(HumanFormat.count(d.idleWhileRunnable.episodes)) stretches; the longest lasted \(HumanFormat.duration(d.idleWhileRunnable.longestNs)) from \(HumanFormat.duration(d.idleWhileRunnable.longestStartNs))."), "\(t): \(f.detail)")
        }

        // Goroutine peak: goroutine-peak.
        let peak = try Self.one(c, "goroutine-peak")
        #expect(d.goroutinePeak.peakAlive == Self.int(peak["peak_alive"]), "\(t): peak")
        #expect(d.goroutinePeak.peakAliveAtNs == Self.int(peak["peak_alive_at_ns"]) ?? 0, "\(t): peak at")
        #expect(d.findings.contains { $0.title == "Peak of \(HumanFormat.count(d.goroutinePeak.peakAlive)) goroutines alive at once, at \(HumanFormat.duration(d.goroutinePeak.peakAliveAtNs))" }, "\(t): peak finding")

        // Context switching: context-switching with its default 10 µs.
        let cs = try Self.one(c, "context-switching")
        #expect(d.contextSwitching.slices == Self.int(cs["slices"]), "\(t): slices")
        #expect(d.contextSwitching.shortSlices == Self.int(cs["short_slices"]), "\(t): short slices")
        #expect(d.contextSwitching.shortPct == Self.double(cs["short_pct"]), "\(t): short share")
        #expect(d.contextSwitching.switchesPerS == Self.double(cs["switches_per_s"]), "\(t): switches per s")
        if d.contextSwitching.slices > 0 {
            #expect(d.findings.contains { $0.title == "Context switching: \(HumanFormat.percent(fraction: d.contextSwitching.shortPct / 100)) of running slices are shorter than 10 µs" }, "\(t): context-switching finding")
        }

        // GC: gc-summary (the overview card's cycle count too).
        let gc = try Self.one(c, "gc-summary")
        #expect(d.gcSummary.cycles == Self.int(gc["cycles"]), "\(t): GC cycles")
        #expect(d.info.gcCount == Self.int(gc["cycles"]), "\(t): GC cycles card")
        #expect(d.gcSummary.cyclesPerS == Self.double(gc["cycles_per_s"]), "\(t): GC rate")
        #expect(d.gcSummary.stwNs == Self.int(gc["stw_ns"]), "\(t): STW total")
        #expect(d.gcSummary.stwMaxNs == Self.int(gc["stw_max_ns"]), "\(t): STW max")
        #expect(d.gcSummary.assistNs == Self.int(gc["assist_ns"]), "\(t): assists")
        if let gcFinding {
            #expect(gcFinding.title.hasPrefix("GC: \(d.gcSummary.cycles) cycles"))
            #expect(gcFinding.title.hasSuffix("longest pause \(HumanFormat.duration(d.gcSummary.stwMaxNs ?? 0))"))
            #expect(gcFinding.detail.hasPrefix("Stop-the-world pauses total \(HumanFormat.duration(d.gcSummary.stwNs)) ("), "\(t): \(gcFinding.detail)")
        }

        // Blocking by reason: blocking-by-reason (reasons with time), in its order.
        let br = try Self.all(c, "blocking-by-reason").filter { (Self.int($0["total_ns"]) ?? 0) > 0 }
        #expect(d.blocking.map(\.reason) == br.map { if case .text(let s)? = $0["reason"] { return s } else { return "" } }, "\(t): blocking reasons")
        #expect(d.blocking.map(\.ns) == br.map { Self.int($0["total_ns"])! }, "\(t): blocking time")
        #expect(d.blocking.map(\.count) == br.map { Self.int($0["count"])! }, "\(t): blocking waits")

        // The goroutine table: goroutine-analysis; syscall time: trace-summary and goroutine-analysis.
        let ga = try Self.all(c, "goroutine-analysis")
        #expect(d.groups.count == min(ga.count, 500), "\(t): goroutine groups")
        for (g, r) in zip(d.groups, ga) {
            let want: [Int64?] = ["goroutines", "exec_ns", "sched_wait_ns", "block_ns", "syscall_ns", "syscall_block_ns", "unknown_ns", "total_ns"].map { Self.int(r[$0]) }
            #expect([g.count, g.exec, g.schedWait, g.block, g.syscall, g.syscallBlock, g.unknown, g.total] == want, "\(t): group \(g.name)")
        }
        let ts = try Self.one(c, "trace-summary")
        #expect(d.syscallNs + d.syscallBlockNs == Self.int(ts["syscall_ns"]), "\(t): syscall time")
        #expect(d.syscallBlockNs == ga.reduce(Int64(0)) { $0 + (Self.int($1["syscall_block_ns"]) ?? 0) }, "\(t): blocked syscall time")

        // The time overview: goroutines-over-time and utilization-over-time, bucket by bucket.
        let gt = try Self.all(c, "goroutines-over-time"), ut = try Self.all(c, "utilization-over-time")
        #expect(d.bucketCount == gt.count && gt.count == ut.count && d.bucketCount <= 100, "\(t): buckets")
        #expect(d.bucketNs == Self.int(gt.first?["bucket_ns"]), "\(t): bucket length")
        for (k, col) in ["running", "runnable", "waiting", "syscall"].enumerated() {
            #expect(d.states[k] == gt.map { Self.double($0[col]) ?? 0 }, "\(t): \(col) over time")
        }
        #expect(d.procsRunning == ut.map { Self.double($0["running_procs"]) ?? 0 }, "\(t): Ps running over time")
    }

    /// tracegolden's sample trace: the figures `tracedb query sched-latency` and `mmu` print, in the report.
    @Test("exact figures on sample-gc")
    func sample() throws {
        guard let t = Self.traces.first(where: { $0.name == "sample-gc" }), let c = try QueryCheck(t) else { return }
        let d = try ReportData(db: c.db, traceID: c.id)
        #expect(d.latency.count == 309 && d.latency.p50 == 1984 && d.latency.p90 == 764224 && d.latency.p99 == 12160064
                && d.latency.p999 == 14661056 && d.latency.max == 14661056 && d.latency.total == 167504898)
        let f = try #require(d.findings.first { $0.title.hasPrefix("Scheduling latency") })
        #expect(f.title == "Scheduling latency p99 12.16 ms (max 14.66 ms)")
        #expect(f.detail.hasPrefix("309 waits for a P (first runs not counted); p50 2.0 µs, p90 764.2 µs, p99.9 14.66 ms."), "\(f.detail)")
        let html = HTMLReport.render(d)
        #expect(html.contains("<th>waits</th><td>309</td><th>total</th><td>167.50 ms</td><th>p50</th><td>2.0 µs</td><th>p90</th><td>764.2 µs</td>"))
        let gc = try #require(d.findings.first { $0.title.hasPrefix("GC: ") })
        #expect(d.mmuFinding?.window == 10_000_000 && d.mmuFinding?.mmu == 0.6061728)
        #expect(gc.detail.contains("minimum mutator utilization over 10 ms windows 60.6%."), "\(gc.detail)")
        #expect(d.idleWhileRunnable.totalNs == 2951871 && d.idleWhileRunnable.episodes == 70 && d.idleWhileRunnable.longestNs == 849408)
        #expect(d.goroutinePeak.peakAlive == 20 && d.goroutinePeak.peakAliveAtNs == 878976)
        #expect(d.contextSwitching.slices == 570 && d.contextSwitching.shortSlices == 481)
    }

    /// Without a 10 ms row the finding quotes the nearest window that has one, and names it.
    @Test("MMU finding: the nearest window when 10 ms is missing")
    func mmuNearest() throws {
        guard let t = Self.traces.first(where: { $0.name == "sample-gc" }) else { return }
        let w = try TempWarehouse()
        let id = try w.ingest(t.trace).traceID
        try w.warehouse.db.execute("DELETE FROM mmu WHERE trace_id = \(id) AND window_ns = 10000000")
        let d = try ReportData(db: w.warehouse.db, traceID: id)
        // 1 ms and 100 ms are equally far from 10 ms (a factor of 10): the shorter one.
        #expect(d.mmuFinding?.window == 1_000_000 && d.mmuFinding?.mmu == 0.262144)
        let gc = try #require(d.findings.first { $0.title.hasPrefix("GC: ") })
        #expect(gc.detail.contains("minimum mutator utilization over 1 ms windows 26.2%."), "\(gc.detail)")
        try w.warehouse.db.execute("DELETE FROM mmu WHERE trace_id = \(id)")
        let none = try ReportData(db: w.warehouse.db, traceID: id)
        #expect(none.mmuFinding == nil)
        #expect(!(none.findings.first { $0.title.hasPrefix("GC: ") }?.detail.contains("mutator utilization") ?? true))
    }
}
