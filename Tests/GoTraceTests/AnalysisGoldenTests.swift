// The Analysis types against Go's own numbers (tracegolden output), row by row, column by column.

import Foundation
import Testing
import TestSupport
@testable import GoTrace

/// Compares every analysis of `c` with its tracegolden files. For a trace whose GOMAXPROCS changes,
/// the MMU files are checked by ``checkMMUWithGOMAXPROCSChanges`` instead (tracedb is deliberately
/// different from Go there); everything else must be identical.
func checkAgainstGolden(_ c: GoldenCase, events: AnalysisEventSource? = nil) throws {
    let events = events ?? analysisTraceEvents(c.trace)
    let run = try AnalysisRun.run(events)
    let g = { (name: String) in try GoldenTSV.load(c.golden, name) }

    // The trace bounds the golden files are relative to.
    do {
        let meta = try #require(try g("meta.tsv"), "\(c.name): meta.tsv missing")
        let kv = Dictionary(meta.rows.map { ($0[0], $0.count > 1 ? $0[1] : "") }, uniquingKeysWith: { a, _ in a })
        #expect(kv["trace_start"] == String(run.start), "\(c.name): trace_start")
        #expect(kv["trace_end"] == String(run.end), "\(c.name): trace_end")
        #expect(kv["events_read"] == String(run.eventCount), "\(c.name): events_read")
        #expect(kv["n_goroutines"] == String(run.summary.goroutines.count), "\(c.name): n_goroutines")
        #expect(kv["n_tasks"] == String(run.summary.tasks.count), "\(c.name): n_tasks")
    }

    // Summarizer.
    expectRows(run.goroutineRows, try g("goroutines.tsv"), file: "goroutines.tsv", case: c)
    expectRows(run.goroutineBlockRows, try g("goroutine_block.tsv"), file: "goroutine_block.tsv", case: c)
    expectRows(run.goroutineRangeRows, try g("goroutine_ranges.tsv"), file: "goroutine_ranges.tsv", case: c)
    expectRows(run.regionRows, try g("regions.tsv"), file: "regions.tsv", case: c)
    expectRows(run.taskRows, try g("tasks.tsv"), file: "tasks.tsv", case: c)
    expectRows(run.logRows, try g("logs.tsv"), file: "logs.tsv", case: c)

    // Profiles: totals for all stacks, then the records tracegolden lists (its top N per profile).
    expectRows(run.profileTotalRows, try g("profile_totals.tsv"), file: "profile_totals.tsv", case: c)
    if let golden = try g("profiles.tsv") {
        let mine = run.profileRecordRows
        for kind in ProfileKind.allCases {
            let rows = golden.rows.filter { $0.first == kind.name }
            expectRows(mine[kind] ?? [], GoldenTSV(header: golden.header, rows: rows),
                       file: "profiles.tsv (\(kind.name))", case: c, prefixOnly: true)
        }
    } else {
        Issue.record("\(c.name): profiles.tsv missing")
    }

    // Ranges.
    expectRows(run.rangeRows, try g("ranges.tsv"), file: "ranges.tsv", case: c)
    expectRows(run.gcRows, try g("gc.tsv"), file: "gc.tsv", case: c)
    expectRows(run.stwRows, try g("stw.tsv"), file: "stw.tsv", case: c)

    // MMU.
    let changes = run.utilizationDiagnostics[.default]?.gomaxprocsChanges ?? 0
    let withoutP = run.utilizationDiagnostics.values.map(\.withoutP).reduce(0, +)
    #expect(withoutP == 0, "\(c.name): events without a P (Go would panic; no golden to compare)")
    if changes == 0 {
        expectRows(run.mmuRows(), try g("mmu.tsv"), file: "mmu.tsv", case: c)
        expectRows(run.mmuUtilRows, try g("mmu_util.tsv"), file: "mmu_util.tsv", case: c)
    } else {
        #expect(c.changesGOMAXPROCS, "\(c.name): unexpected GOMAXPROCS changes (\(changes))")
        try checkMMUWithGOMAXPROCSChanges(c, run, events: events)
    }

    // tracedb's own correctness check of the utilization function, on every trace.
    try checkUtilizationAgainstReference(c, events: events)
}

@Suite("Analysis: tracegolden")
struct AnalysisGoldenTests {
    /// tracegolden's own sample: 8 GC cycles, mark assists, sweeps, network I/O, select, syscalls,
    /// nested tasks, a "forever" block and a region open at trace end.
    @Test func sampleGC() throws {
        _ = try requireBytes(URL(fileURLWithPath: GoldenCase.sample.trace))
        try checkAgainstGolden(.sample)
    }

    @Test("every fixture trace has tracegolden output")
    func fixturesPresent() {
        #expect(GoldenCase.fixtures().count == 69, "\(GoldenCase.fixtures().count) fixtures with tracegolden output")
    }

    /// Every fixture trace with tracegolden output (Fixtures/traces/go1.N/NAME.trace).
    @Test(arguments: GoldenCase.fixtures())
    func fixture(_ c: GoldenCase) throws {
        try checkAgainstGolden(c)
    }
}
