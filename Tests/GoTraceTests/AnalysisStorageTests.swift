// The analyses' compact per-goroutine storage, and the streamed goroutine summaries of
// TraceAnalyses(collectGoroutines: false), which must equal the collected ones.

import Testing
@testable import GoTrace

@Suite("Analysis: compact storage")
struct AnalysisStorageTests {
    @Test("DenseIDMap agrees with a dictionary for dense, negative, huge and late ids")
    func denseIDMap() {
        var rng = SplitMix64(state: 11)
        var map = DenseIDMap<Int>()
        var reference: [Int64: Int] = [:]
        // Huge and negative ids first (sparse), then ids the dense part grows over later.
        var ids: [Int64] = [-1, -7, Int64.min, Int64.max, 1 << 40, 5000, 20_000, 3]
        ids += (1...30_000).map { Int64($0) }.shuffled(using: &rng)
        ids += [40_000, 1 << 33, -2, 5000, 3, 29_999]
        for (n, id) in ids.enumerated() {
            map.set(id, n)
            reference[id] = n
            if n % 997 == 0 {
                for (k, v) in reference { #expect(map[k] == v) }
            }
        }
        #expect(map.count == reference.count)
        for (k, v) in reference { #expect(map[k] == v) }
        for k: Int64 in [0, 30_001, 39_999, -3, 1 << 41] { #expect(map[k] == nil) }
        var visited: [Int64] = []
        map.forEachSorted { k, v in
            visited.append(k)
            #expect(reference[k] == v)
        }
        #expect(visited == reference.keys.sorted())
    }

    @Test("ChunkedArray keeps every element across chunks")
    func chunkedArray() {
        var a = ChunkedArray<Int64>()
        for i in 0..<10_000 { a.append(Int64(i)) }
        #expect(a.count == 10_000)
        for i in a.indices where i % 3 == 0 { a[i] &+= 1_000_000 }
        for i in a.indices { #expect(a[i] == Int64(i) + (i % 3 == 0 ? 1_000_000 : 0)) }
        a.removeAll()
        #expect(a.count == 0)
    }

    /// Every fixture trace: the goroutines handed over one at a time by
    /// `consumeGoroutineSummaries` (ids increasing) render exactly as the collected dictionary's,
    /// and the profiles (which need the goroutines' lifetimes) are the same.
    @Test(arguments: GoldenCase.fixtures())
    func streamedSummaries(_ c: GoldenCase) throws {
        let events = analysisTraceEvents(c.trace)
        let collected = try AnalysisRun.run(events)

        let analyses = TraceAnalyses(utilizationFlags: goldenFlagSets, collectGoroutines: false)
        let span = try AnalysisRun.feed(events, into: analyses)
        var r = analyses.finalize()
        #expect(r.summary.goroutines.isEmpty)
        var byID: [GoID: GoroutineSummary] = [:]
        var order: [GoID] = []
        let n = analyses.consumeGoroutineSummaries { g in
            byID[g.id] = g
            order.append(g.id)
        }
        #expect(n == collected.summary.goroutines.count, "\(c.name)")
        #expect(order == collected.summary.goroutines.keys.sorted(), "\(c.name)")

        r.summary.goroutines = byID
        let streamed = AnalysisRun(r, start: span.start, end: span.end)
        func text(_ rows: [[GoldenField]]) -> [[String]] { rows.map { $0.map(\.description) } }
        #expect(text(streamed.goroutineRows) == text(collected.goroutineRows), "\(c.name): goroutines")
        #expect(text(streamed.goroutineBlockRows) == text(collected.goroutineBlockRows), "\(c.name): blocks")
        #expect(text(streamed.goroutineRangeRows) == text(collected.goroutineRangeRows), "\(c.name): ranges")
        #expect(text(streamed.regionRows) == text(collected.regionRows), "\(c.name): regions")
        #expect(text(streamed.taskRows) == text(collected.taskRows), "\(c.name): tasks")
        #expect(text(streamed.profileTotalRows) == text(collected.profileTotalRows), "\(c.name): profiles")
        for kind in ProfileKind.allCases {
            #expect(text(streamed.profileRecordRows[kind] ?? []) == text(collected.profileRecordRows[kind] ?? []),
                    "\(c.name): \(kind.name) profile")
        }
    }

    /// Every fixture trace: the start stacks ``RangeTracker`` keeps (detached from the generation
    /// tables) have the id, generation and frames of the stack of the event that started the range.
    @Test(arguments: GoldenCase.fixtures())
    func rangeStartStacks(_ c: GoldenCase) throws {
        struct Key: Hashable { var time: Int64; var name: String; var scope: Int64 }
        var starts: [Key: [Stack]] = [:]
        let tracker = RangeTracker()
        let events = analysisTraceEvents(c.trace)
        try events { ev in
            tracker.feed(ev)
            if ev.kind == .rangeBegin || ev.kind == .rangeActive, case .range(let r, _) = ev.payload {
                starts[Key(time: ev.time, name: r.name, scope: r.scope.kind == .none ? -1 : r.scope.id), default: []]
                    .append(ev.stack)
            }
        }
        var checked = 0
        for r in tracker.finalize() where r.startKind != .none {
            let time = r.startKind == .active ? r.activeEventTime! : r.startTime!
            guard let candidates = starts[Key(time: time, name: r.name, scope: r.scopeID)] else {
                Issue.record("\(c.name): no start event for \(r.name) at \(time)")
                continue
            }
            let s = r.startStack
            #expect(candidates.contains { $0.id == s.id && $0.generation == s.generation && $0.frames == s.frames
                        && $0.isEmpty == s.isEmpty && $0.isGoNoStack == s.isGoNoStack }, "\(c.name): \(r.name) at \(time)")
            checked += 1
        }
        #expect(checked > 0 || tracker.finalize().allSatisfy { $0.startKind == .none }, "\(c.name)")
    }
}
