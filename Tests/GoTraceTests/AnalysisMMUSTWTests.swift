import Foundation
import Testing
import TestSupport
@testable import GoTrace

/// Go 1.11–1.21 traces: Go's conversion emits the first GOMAXPROCS metric inside the first
/// stop-the-world, so Go's utilization (`go_mmu`) never counts a GC STW on them; tracedb's (the
/// `mmu` column and `mutator_util`) counts every one.
@Suite("Analysis: mutator utilization counts every GC stop-the-world on v1 traces")
struct AnalysisMMUSTWTests {
    /// The v1 shape by hand: a GC STW begins, GOMAXPROCS (2) is reported inside it, it ends; then a
    /// second GC STW. Go: the first STW is never seen begun, its end takes the count to −1, and the
    /// second STW only brings it back to 0, so utilization stays 1 throughout. tracedb: 0 from the
    /// GOMAXPROCS metric to the first STW's end, 1, then 0 over the second STW.
    @Test func stwAroundFirstGOMAXPROCS() {
        var t = SyntheticTrace()
        t.sync(1)                                                                         // 1001
        t.range(.rangeBegin, "stop-the-world (GC sweep termination)", scope: .goroutine(1), g: 1, p: 0) // 1011
        t.gomaxprocs(2)                                                                   // 1021
        t.range(.rangeEnd, "stop-the-world (GC sweep termination)", scope: .goroutine(1), g: 1, p: 0)   // 1031
        t.add(.log, .log(Log(task: 0, category: "", message: "")))                        // 1041
        t.range(.rangeBegin, "stop-the-world (GC mark termination)", scope: .goroutine(1), g: 1, p: 0)  // 1051
        t.range(.rangeEnd, "stop-the-world (GC mark termination)", scope: .goroutine(1), g: 1, p: 0)    // 1061
        t.add(.log, .log(Log(task: 0, category: "", message: "")))                        // 1071
        #expect(t.time == 1071)
        let (_, go) = t.utilization()
        #expect(go == [[MutatorUtil(time: 1021, util: 1), MutatorUtil(time: 1071, util: 0)]])
        let (_, mine) = t.utilization(countWorkerRunsOnce: true)
        #expect(mine == [[MutatorUtil(time: 1021, util: 0), MutatorUtil(time: 1031, util: 1),
                          MutatorUtil(time: 1051, util: 0), MutatorUtil(time: 1061, util: 1),
                          MutatorUtil(time: 1071, util: 0)]])
        // The two corrections are independent.
        let onlySTW = MutatorUtilization(countWorkerRunsOnce: false, countSTWBeforeGOMAXPROCS: true)
        for e in t.events { onlySTW.feed(e) }
        #expect(onlySTW.finalize() == mine)
        // MMU over 10 ns: 0 (a whole STW); Go's: 1.
        #expect(MMUCurve(mine).mmu(window: 10) == 0)
        #expect(MMUCurve(go).mmu(window: 10) == 1)
    }

    /// The GC stop-the-world ranges of a trace, as (begin, end) times.
    static func gcSTWs(_ path: String) throws -> (stws: [(Int64, Int64)], firstGOMAXPROCS: Int64?) {
        let reader = try TraceReader(path: path)
        var open: [Int64] = [], stws: [(Int64, Int64)] = [], first: Int64?
        while let ev = try reader.next() {
            switch ev.payload {
            case .range(let r, _) where r.name.hasPrefix("stop-the-world") && r.name.contains("GC"):
                if ev.kind == .rangeBegin { open.append(ev.time) }
                if ev.kind == .rangeEnd, let b = open.popLast() { stws.append((b, ev.time)) }
            case .metric(let m) where m.name == "/sched/gomaxprocs:threads" && first == nil:
                first = ev.time
            default: break
            }
        }
        return (stws, first)
    }

    static func utilization(_ path: String, tracedb: Bool) throws -> [MutatorUtil] {
        let m = MutatorUtilization(flags: .default, countWorkerRunsOnce: tracedb)
        let reader = try TraceReader(path: path)
        while let ev = try reader.next() { m.feed(ev) }
        return m.finalize().first ?? []
    }

    /// The go1.21 fixtures whose programs run a GC: gcheavy, cpuprof, lockthread.
    static let withGC = V1Paths.fixtures.filter { ["gcheavy", "cpuprof", "lockthread"].contains($0.name) }

    /// An old trace without a GC has no stop-the-world and no GOMAXPROCS metric (Go's conversion
    /// emits it at an EvGomaxprocs, written at a stop-the-world): no utilization, in Go or tracedb.
    @Test("go1.21 fixtures without a GC: no GOMAXPROCS, no utilization")
    func v1FixturesWithoutGC() throws {
        let others = V1Paths.fixtures.filter { t in !Self.withGC.contains { $0.name == t.name } }
        #expect(Self.withGC.count == 3 && others.count == 8)
        for t in others {
            let (stws, first) = try Self.gcSTWs(t.url.path)
            #expect(stws.isEmpty && first == nil, "\(t.testDescription)")
            #expect(try Self.utilization(t.url.path, tracedb: true).isEmpty, "\(t.testDescription)")
        }
    }

    /// The go1.21 fixtures with a GC: tracedb's utilization is 0 over every GC stop-the-world (its
    /// first point is the GOMAXPROCS metric inside the first one, at 0); Go's is not.
    @Test("go1.21 fixtures: utilization 0 over every GC STW", arguments: withGC)
    func v1Fixtures(_ t: FixtureTrace) throws {
        let (stws, firstMetric) = try Self.gcSTWs(t.url.path)
        let first = try #require(firstMetric)
        #expect(stws.count >= 2, "\(t.testDescription): \(stws.count) GC STWs")
        // The v1 shape: the first GOMAXPROCS metric lies inside the first GC STW.
        let firstSTW = try #require(stws.first)
        #expect(firstSTW.0 < first && first < firstSTW.1, "\(t.testDescription): first STW \(firstSTW), GOMAXPROCS at \(first)")
        let mine = try Self.utilization(t.url.path, tracedb: true)
        #expect(mine.first == MutatorUtil(time: first, util: 0), "\(t.testDescription)")
        var goCountsSTW = true
        let go = try Self.utilization(t.url.path, tracedb: false)
        for (b, e) in stws {
            // Every change inside [b, e), and the value at b, is 0.
            let points = [max(b, first)] + mine.map(\.time).filter { $0 > b && $0 < e }
            for p in points { #expect(utilAt(mine, p) == 0, "\(t.testDescription): utilization at \(p) in STW \(b)…\(e)") }
            if !([max(b, first)] + go.map(\.time).filter { $0 > b && $0 < e }).allSatisfy({ utilAt(go, $0) == 0 }) { goCountsSTW = false }
        }
        // The longest STW is a window of utilization 0.
        let longest = try #require(stws.map { $0.1 - $0.0 }.max())
        #expect(MMUCurve([mine]).mmu(window: longest) == 0)
        #expect(!goCountsSTW, "\(t.testDescription): Go's utilization is 0 over every GC STW too (then the correction is moot)")
    }

    /// go1.21/gcheavy, values read off its dump (Fixtures/golden/go1.21/gcheavy.parsed.txt.gz): the
    /// first GC STW (sweep termination) runs 52563…3406304 with GOMAXPROCS reported at 3404078; the
    /// second (mark termination) runs 27672283…35675767, 8003484 ns.
    @Test func gcheavyValues() throws {
        let path = RepoPaths.fixtures.appendingPathComponent("traces/go1.21/gcheavy.trace").path
        let (stws, first) = try Self.gcSTWs(path)
        #expect(first == 3_404_078)
        #expect(stws.prefix(2).map { [$0.0, $0.1] } == [[52_563, 3_406_304], [27_672_283, 35_675_767]])
        let mine = try Self.utilization(path, tracedb: true)
        #expect(mine.first == MutatorUtil(time: 3_404_078, util: 0))
        #expect(mine.dropFirst().first?.time == 3_406_304)
        #expect(utilAt(mine, 27_672_283) == 0 && utilAt(mine, 35_675_766) == 0)
        #expect(mine.filter { $0.time > 27_672_283 && $0.time < 35_675_767 }.allSatisfy { $0.util == 0 })
        #expect(MMUCurve([mine]).mmu(window: 8_003_484) == 0)
    }
}
