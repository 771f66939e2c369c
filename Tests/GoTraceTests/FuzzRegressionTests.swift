// Every input in FuzzRegressions/ is read without a trap: the crashes, hangs and oversized
// allocations the libFuzzer target (Tests/Fuzz) found, once fixed, plus the hostile traces of
// CorruptionTests (`hostile-*.trace`). The ingest tests load the same files into a database.

import Foundation
import Testing
import TestSupport
@testable import GoTrace

enum FuzzRegressions {
    static let dir = RepoPaths.root.appendingPathComponent("Tests/GoTraceTests/FuzzRegressions")
    static var files: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []).filter { !$0.hasPrefix(".") && $0 != "README.md" }.sorted()
    }
}

@Suite("Fuzz regressions")
struct FuzzRegressionTests {
    @Test("every committed fuzz finding and hostile trace reads to a clean end or a clean error")
    func regressions() throws {
        let files = FuzzRegressions.files
        #expect(files.count > 50, "\(files.count) files in \(FuzzRegressions.dir.path)")
        for f in files {
            let bytes = try #require(readBytes(FuzzRegressions.dir.appendingPathComponent(f)))
            expectCleanRead(bytes, f)  // also runs Go's analyses over the events, as ingest does
        }
    }
}

/// The GOMAXPROCS above which ingest refuses a trace (`TraceLoad.maxGomaxprocs`): Go's utilization
/// analysis allocates per-P state for GOMAXPROCS Ps (a corrupt 2^40 exhausts memory: fuzz finding
/// oom-f0d68cf1…), so the analyses are only run below it, as ingest does.
let analysisMaxGomaxprocs: UInt64 = 1 << 16

/// Runs Go's analyses (as ingest does) over whatever events the trace yields.
func analyse(_ bytes: [UInt8]) {
    guard let reader = try? TraceReader(bytes: bytes) else { return }
    let analyses = TraceAnalyses(utilizationFlags: [.default, .perProc], countWorkerRunsOnce: true)
    while let ev = (try? reader.next()) ?? nil {
        if let m = ev.metric, m.name == "/sched/gomaxprocs:threads", (m.value.uint64Value ?? 0) > analysisMaxGomaxprocs { return }
        analyses.feed(ev)
    }
    let r = analyses.finalize()
    for (_, series) in r.utilization where !(series.first?.isEmpty ?? true) {
        let curve = MMUCurve(series)
        for w: Int64 in [1_000, 1_000_000, 100_000_000] {
            _ = curve.mmu(window: w)
            _ = curve.examples(window: w, count: 2)
        }
    }
}
