// Independent checks of MutatorUtilization and MMUCurve: a ground-truth model of GC work per P, a
// brute-force MMU, and the GOMAXPROCS-change case where tracedb deliberately differs from Go.

import Foundation
import Testing
import TestSupport
@testable import GoTrace

// MARK: - Independent models

/// A direct model of mutator utilization, written independently of ``MutatorUtilization``: at every
/// event it looks at what is executing where and counts a P as doing GC work when it runs a
/// goroutine inside a mark assist, or a background worker whose label *for the current run* is a
/// counted `GC …` mode, or (with `.sweep`) a sweep; during a GC stop-the-world every P counts.
///
/// This is what the utilization means. Go's algorithm (and ``MutatorUtilization`` by default)
/// differs in its worker double count and in ignoring a stop-the-world that began before the first
/// GOMAXPROCS metric (on v1 traces: every GC STW); ``MutatorUtilization`` with
/// `countWorkerRunsOnce: true` (which also counts those STWs) must give exactly this model's function. First-generation RangeActive back-dating of assists
/// and sweeps is not modelled (``backdated`` counts the events that would need it).
struct ReferenceUtilization {
    let flags: UtilFlags
    var gomaxprocs = 0
    var stw = 0
    var nSync = 0
    /// Executing goroutines that hold a P, and that P.
    var executing: [GoID: ProcID] = [:]
    /// The label of each goroutine's current run.
    var runLabel: [GoID: String] = [:]
    var assisting = Set<GoID>()
    var sweeps: [ProcID: Int] = [:]
    var out: [MutatorUtil] = []
    var lastTime: Int64?
    var backdated = 0

    init(flags: UtilFlags) {
        precondition(!flags.contains(.perProc))
        self.flags = flags
    }

    /// GC work per P right now (before any STW), for Ps 0..<n.
    func gcWork(_ n: Int) -> [Int] {
        var counts = [Int](repeating: 0, count: n)
        for (g, p) in executing where p >= 0 && p < n {
            let label = runLabel[g] ?? ""
            let worker = flags.contains(.background) && label.hasPrefix("GC ") && label != "GC (idle)"
            if assisting.contains(g) || worker { counts[Int(p)] += 1 }
        }
        for (p, k) in sweeps where k > 0 && p >= 0 && p < n { counts[Int(p)] += k }
        return counts
    }

    mutating func feed(_ ev: Event) {
        lastTime = ev.time
        switch ev.payload {
        case .sync(let s):
            nSync = s.n
        case .metric(let m) where m.name == "/sched/gomaxprocs:threads":
            let n = Int(m.value.uint64Value ?? 0)
            if gomaxprocs == 0 && n > 0 { out.append(MutatorUtil(time: ev.time, util: 1)) }
            gomaxprocs = n
        case .range(let r, _):
            var delta = 0
            switch ev.kind {
            case .rangeBegin: delta = 1
            case .rangeEnd: delta = -1
            case .rangeActive: delta = nSync <= 1 ? 1 : 0
            default: break
            }
            if flags.contains(.stw) && r.name.hasPrefix("stop-the-world") && r.name.contains("GC") {
                stw += delta
            } else if flags.contains(.sweep) && r.name == "GC incremental sweep" {
                if ev.kind == .rangeActive && delta != 0 { backdated += 1 }
                sweeps[ev.proc >= 0 ? ev.proc : r.scope.id, default: 0] += delta
            } else if flags.contains(.assist) && r.name == "GC mark assist" {
                if ev.kind == .rangeActive && delta != 0 { backdated += 1 }
                if delta > 0 { assisting.insert(r.scope.id) } else if delta < 0 { assisting.remove(r.scope.id) }
            }
        case .stateTransition(let st) where st.resource.kind == .goroutine:
            let g = st.resource.id
            let (from, to) = st.goroutine
            if to.isExecuting {
                if !from.isExecuting { runLabel[g] = nil }
                if ev.proc >= 0 { executing[g] = ev.proc } else if !from.isExecuting { executing[g] = nil }
            } else {
                executing[g] = nil
                runLabel[g] = nil
            }
        case .label(let l):
            runLabel[ev.goroutine] = l.label
        default:
            break
        }
        guard gomaxprocs > 0 else { return }
        let busy = stw > 0 ? gomaxprocs : gcWork(gomaxprocs).filter { $0 > 0 }.count
        append(MutatorUtil(time: ev.time, util: 1 - Double(busy) / Double(gomaxprocs)))
    }

    private mutating func append(_ mu: MutatorUtil) {
        if let last = out.last {
            if last.util == mu.util { return }
            if last.time == mu.time {
                if mu.util < last.util { out[out.count - 1] = mu }
                return
            }
        }
        out.append(mu)
    }

    mutating func finalize() -> [MutatorUtil] {
        if let lastTime, gomaxprocs > 0 { append(MutatorUtil(time: lastTime, util: 0)) }
        return out
    }
}

/// The MMU of one utilization function by brute force: the windowed mean is piecewise linear, so
/// its minimum is at a window whose left or right edge is at a change; evaluate them all.
func bruteForceMMU(_ util: [MutatorUtil], window w0: Int64) -> (mmu: Double, at: Int64)? {
    guard let first = util.first, let last = util.last, last.time > first.time else { return nil }
    let w = min(w0, last.time - first.time)
    // cum[i] = integral from first.time to util[i].time.
    var cum = [Double](repeating: 0, count: util.count)
    for i in 1..<util.count { cum[i] = cum[i - 1] + util[i - 1].util * Double(util[i].time - util[i - 1].time) }
    func integral(_ x: Int64) -> Double {
        var lo = 0, hi = util.count - 1 // last index with time <= x
        while lo < hi {
            let mid = (lo + hi + 1) / 2
            if util[mid].time <= x { lo = mid } else { hi = mid - 1 }
        }
        return cum[lo] + util[lo].util * Double(x - util[lo].time)
    }
    var best = (mmu: Double.infinity, at: Int64(0))
    var candidates = Set<Int64>()
    for u in util {
        for t in [u.time, u.time - w] where t >= first.time && t + w <= last.time { candidates.insert(t) }
    }
    for t in candidates.sorted() {
        let mu = (integral(t + w) - integral(t)) / Double(w)
        if mu < best.mmu { best = (mu, t) }
    }
    return best
}

/// `f(t)` of a step function (nil before its first point).
func utilAt(_ f: [MutatorUtil], _ t: Int64) -> Double? {
    var v: Double?
    for u in f {
        if u.time > t { break }
        v = u.util
    }
    return v
}

// MARK: - Checks run on every golden trace

/// tracedb's own correctness check of the utilization machinery on a trace:
/// - `countWorkerRunsOnce: true` equals the ground-truth model exactly (so the per-P bookkeeping,
///   including the GOMAXPROCS recomputation and the P fallbacks, tracks real GC work);
/// - ``MMUCurve`` equals a brute-force MMU on the Go-compatible function.
func checkUtilizationAgainstReference(_ c: GoldenCase, events: AnalysisEventSource) throws {
    let flagSets: [UtilFlags] = [.default, UtilFlags.default.union(.sweep), .stw]
    var refs = flagSets.map { ReferenceUtilization(flags: $0) }
    let fixed = flagSets.map { MutatorUtilization(flags: $0, countWorkerRunsOnce: true) }
    let goCompatible = MutatorUtilization(flags: .default)
    try events { ev in
        for i in refs.indices { refs[i].feed(ev) }
        for m in fixed { m.feed(ev) }
        goCompatible.feed(ev)
    }
    for (i, flags) in flagSets.enumerated() {
        let expected = refs[i].finalize()
        guard refs[i].backdated == 0 else { continue } // Not modelled.
        // (Go ≤1.21 traces included: tracedb counts the GC STWs that Go's utilization misses there.)
        let actual = fixed[i].finalize().first ?? []
        #expect(actual == expected, "\(c.name) [\(flags.name)]: countWorkerRunsOnce differs from the ground-truth model (\(actual.count) vs \(expected.count) points)")
    }
    if let util = goCompatible.finalize().first {
        let curve = MMUCurve([util])
        for w in goldenWindows {
            guard let brute = bruteForceMMU(util, window: w) else { continue }
            let mmu = curve.mmu(window: w)
            #expect(abs(mmu - brute.mmu) <= 1e-9, "\(c.name): MMU(\(w)) = \(mmu), brute force \(brute.mmu)")
        }
    }
}

/// The MMU files of a trace whose GOMAXPROCS changes (the `lockthread` fixture).
///
/// Here tracedb's utilization is deliberately not Go's. Go 1.27.3 keeps its per-P GC counts across a
/// GOMAXPROCS change; those counts are stale because of Go's worker double count (each run of a
/// background worker after its first leaves +1 on its P), so after a change the surviving Ps
/// still look busy with GC although nothing runs on them, while the Ps that come back start from 0.
/// tracedb recomputes the counts from the GC work in progress at each change (at a GOMAXPROCS
/// change the world is stopped, so that is normally none). This checks, without trusting the fix:
/// 1. with the recomputation switched off, our port gives Go's mmu_util.tsv and mmu.tsv exactly,
///    so the recomputation is the only difference;
/// 2. up to the first change our function is Go's, point for point;
/// 3. at every change, the recomputed counts equal the GC work per P of the independent
///    ground-truth model, and Go's counts are at least that (its extra counts are stale residue);
/// 4. hence our utilization is ≥ Go's at every instant where Go's function is defined (the MMU can
///    still be lower: Go's function ends where it last changed, so when stale counts pin it at 0
///    Go simply stops looking, while ours goes on to the end of the trace);
/// 5. our MMU values equal a brute-force MMU of our functions.
func checkMMUWithGOMAXPROCSChanges(_ c: GoldenCase, _ run: AnalysisRun, events: AnalysisEventSource) throws {
    let goldenUtil = try #require(try GoldenTSV.load(c.golden, "mmu_util.tsv"), "\(c.name): mmu_util.tsv")
    let goldenMMU = try #require(try GoldenTSV.load(c.golden, "mmu.tsv"), "\(c.name): mmu.tsv")

    // 1. Go's behaviour reproduced when asked to.
    let literal = goldenFlagSets.map { flags -> MutatorUtilization in
        let m = MutatorUtilization(flags: flags)
        m.rebuildCountsOnGOMAXPROCSChange = false
        return m
    }
    var ref = ReferenceUtilization(flags: .default)
    var changes: [(time: Int64, go: [Int], recomputed: [Int], truth: [Int])] = []
    literal[0].onGOMAXPROCSChange = { time, goCounts, recomputed in
        changes.append((time, goCounts, recomputed, ref.gcWork(recomputed.count)))
    }
    try events { ev in
        ref.feed(ev)
        for m in literal { m.feed(ev) }
    }
    var literalRun = run
    for m in literal { literalRun.utilization[m.flags] = m.finalize() }
    expectRows(literalRun.mmuUtilRows, goldenUtil, file: "mmu_util.tsv (Go's algorithm, no recomputation)", case: c)
    expectRows(literalRun.mmuRows(), goldenMMU, file: "mmu.tsv (Go's algorithm, no recomputation)", case: c)

    // 2. Identical before the first change.
    let ours = try #require(run.utilization[.default]?.first)
    let goSeries = try #require(literalRun.utilization[.default]?.first)
    let firstChange = try #require(changes.first?.time, "\(c.name): no GOMAXPROCS change seen")
    #expect(ours.filter { $0.time < firstChange } == goSeries.filter { $0.time < firstChange },
            "\(c.name): utilization differs from Go's before the first GOMAXPROCS change")

    // 3. The recomputed counts are the real GC work; Go's are that plus stale residue.
    var staleTotal = 0
    for ch in changes {
        #expect(ch.recomputed == ch.truth, "\(c.name) @\(ch.time): recomputed \(ch.recomputed), ground truth \(ch.truth)")
        #expect(zip(ch.go, ch.recomputed).allSatisfy { $0 >= $1 }, "\(c.name) @\(ch.time): Go \(ch.go) < real \(ch.recomputed)")
        staleTotal += zip(ch.go, ch.recomputed).map { $0 - $1 }.reduce(0, +)
    }

    // 4. Never below Go's utilization, series by series, wherever Go's function is defined (Go's
    //    functions end where they last change: a function pinned at 0 by stale counts ends early).
    for flags in goldenFlagSets {
        let mine = try #require(run.utilization[flags], "\(c.name) [\(flags.name)]: no utilization"), go = try #require(literalRun.utilization[flags])
        #expect(mine.count == go.count, "\(c.name) [\(flags.name)]: series")
        for (a, b) in zip(mine, go) {
            guard let end = b.last?.time else { continue }
            for t in Set(a.map(\.time) + b.map(\.time)) where t < end {
                if let x = utilAt(a, t), let y = utilAt(b, t) {
                    #expect(x >= y, "\(c.name) [\(flags.name)] @\(t): utilization \(x) below Go's \(y)")
                }
            }
        }
    }
    // 5. Our MMU values, independently (brute force, per series, windows clipped per series).
    var summary: [String] = []
    for flags in goldenFlagSets {
        let mine = try #require(run.utilization[flags], "\(c.name) [\(flags.name)]: no utilization"), go = try #require(literalRun.utilization[flags])
        let ours = MMUCurve(mine), theirs = MMUCurve(go)
        for w in goldenWindows {
            let m = ours.mmu(window: w)
            if flags == .default { summary.append("\(w / 1_000_000)ms: Go \(theirs.mmu(window: w)) → tracedb \(m)") }
            let brute = mine.compactMap { bruteForceMMU($0, window: w)?.mmu }.min() ?? 1
            #expect(abs(m - brute) <= 1e-9, "\(c.name) [\(flags.name)] window \(w): MMU \(m), brute force \(brute)")
        }
    }
    print("\(c.name): \(changes.count) GOMAXPROCS changes, \(staleTotal) stale per-P GC counts dropped; default MMU \(summary.joined(separator: ", "))")
}

// MARK: - Synthetic traces

/// A tiny event builder for synthetic traces.
struct SyntheticTrace {
    var events: [Event] = []
    var time: Int64 = 1000

    mutating func add(_ kind: EventKind, g: GoID = noGoroutine, p: ProcID = noProc, dt: Int64 = 10,
                      stack: Stack = .empty, _ payload: EventPayload = .none) {
        time += dt
        events.append(Event(kind: kind, time: time, goroutine: g, proc: p, thread: 1, stack: stack, payload: payload))
    }
    mutating func sync(_ n: Int) { add(.sync, dt: 1, .sync(Sync(n: n, clockSnapshot: nil, experimentalBatches: [:]))) }
    mutating func gomaxprocs(_ n: UInt64, p: ProcID = 0) {
        add(.metric, p: p, .metric(Metric(name: "/sched/gomaxprocs:threads", value: .uint64(n))))
    }
    mutating func go(_ id: GoID, _ from: GoState, _ to: GoState, reason: String = "", by: GoID = noGoroutine,
                     p: ProcID = noProc, dt: Int64 = 10, stack: Stack = .empty, stStack: Stack = .empty) {
        add(.stateTransition, g: by, p: p, dt: dt, stack: stack,
            .stateTransition(StateTransition(resource: .goroutine(id), reason: reason, stack: stStack,
                                             oldState: from.rawValue, newState: to.rawValue)))
    }
    mutating func proc(_ id: ProcID, _ from: ProcState, _ to: ProcState, dt: Int64 = 10) {
        add(.stateTransition, p: id, dt: dt,
            .stateTransition(StateTransition(resource: .proc(id), reason: "", stack: .empty,
                                             oldState: from.rawValue, newState: to.rawValue)))
    }
    mutating func label(_ g: GoID, _ label: String, p: ProcID) {
        add(.label, g: g, p: p, .label(Label(label: label, resource: .goroutine(g))))
    }
    mutating func range(_ kind: EventKind, _ name: String, scope: ResourceID, g: GoID = noGoroutine, p: ProcID = noProc,
                        dt: Int64 = 10) {
        add(kind, g: g, p: p, dt: dt, .range(Range(name: name, scope: scope), attributes: []))
    }

    func utilization(_ flags: UtilFlags = .default, countWorkerRunsOnce: Bool = false,
                     literal: Bool = false) -> (MutatorUtilization, [[MutatorUtil]]) {
        let m = MutatorUtilization(flags: flags, countWorkerRunsOnce: countWorkerRunsOnce)
        if literal { m.rebuildCountsOnGOMAXPROCSChange = false }
        for e in events { m.feed(e) }
        return (m, m.finalize())
    }
}

@Suite("Analysis: mutator utilization")
struct AnalysisMMUTests {
    /// A GC worker whose start/stop events carry no P: Go 1.27.3 panics (ps[-1]); tracedb counts the
    /// work on the P the worker runs on.
    @Test func eventsWithoutP() throws {
        var t = SyntheticTrace()
        t.sync(1)
        t.gomaxprocs(2)
        t.go(10, .runnable, .running, p: 1)          // worker starts on P1
        t.label(10, "GC (dedicated)", p: noProc)     // label with no P: counts on P1
        let busy = t.time
        t.go(10, .running, .waiting, p: noProc)      // stops with no P: P1 is released
        let idle = t.time
        t.label(11, "GC (fractional)", p: noProc)    // a goroutine running nowhere: no P to charge
        t.add(.log, .log(Log(task: 0, category: "", message: "")))
        let (m, util) = t.utilization()
        #expect(m.eventsWithoutValidP == 3)
        #expect(utilAt(util[0], busy) == 0.5)
        #expect(utilAt(util[0], idle) == 1)
        #expect(util[0].last?.util == 0)
        // Mark assist ranges and sweeps without a P fall back the same way.
        var a = SyntheticTrace()
        a.sync(1)
        a.gomaxprocs(2)
        a.go(5, .runnable, .running, p: 0)
        a.range(.rangeBegin, "GC mark assist", scope: .goroutine(5), g: 5, p: noProc)
        let assisting = a.time
        a.range(.rangeEnd, "GC mark assist", scope: .goroutine(5), g: 5, p: noProc)
        a.range(.rangeBegin, "GC incremental sweep", scope: .proc(1), g: 5, p: noProc)
        let sweeping = a.time
        a.range(.rangeEnd, "GC incremental sweep", scope: .proc(1), g: 5, p: noProc)
        let done = a.time
        a.add(.log, .log(Log(task: 0, category: "", message: "")))
        let (_, au) = a.utilization(UtilFlags.default.union(.sweep))
        #expect(utilAt(au[0], assisting) == 0.5)
        #expect(utilAt(au[0], sweeping) == 0.5)
        #expect(utilAt(au[0], done) == 1)
    }

    /// Go's worker double count and what happens to it at a GOMAXPROCS change.
    @Test func gomaxprocsChangeDropsStaleCounts() throws {
        var t = SyntheticTrace()
        t.sync(1)
        t.gomaxprocs(2)
        for _ in 0..<2 { // Two runs of a worker on P0: Go counts the second run twice.
            t.go(7, .runnable, .running, p: 0)
            t.label(7, "GC (dedicated)", p: 0)
            t.go(7, .running, .waiting, reason: "GC worker (idle)", p: 0)
        }
        let residue = t.time
        t.gomaxprocs(2)                       // a repeat: not a change
        let beforeChange = t.time
        t.gomaxprocs(3)                       // a change
        let afterChange = t.time
        t.add(.log, .log(Log(task: 0, category: "", message: "")))

        let (go, goUtil) = t.utilization(literal: true)
        #expect(go.gomaxprocsChanges == 1)
        #expect(utilAt(goUtil[0], residue) == 0.5)            // Go: P0 still "in GC" after the worker stopped
        #expect(utilAt(goUtil[0], beforeChange) == 0.5)
        #expect(utilAt(goUtil[0], afterChange) == 1 - 1.0 / 3) // …and after the change, stale

        let (_, ours) = t.utilization()
        #expect(utilAt(ours[0], residue) == 0.5)              // Go's number while GOMAXPROCS is constant
        #expect(utilAt(ours[0], afterChange) == 1)            // recomputed: nothing runs, no GC

        let (_, once) = t.utilization(countWorkerRunsOnce: true)
        #expect(utilAt(once[0], residue) == 1)
    }

    /// Per-P series: removed Ps end with 0, re-added Ps get a new series (as in Go).
    @Test func perProcSeries() throws {
        var t = SyntheticTrace()
        t.sync(1)
        t.gomaxprocs(2)
        t.gomaxprocs(1)
        t.gomaxprocs(2)
        t.add(.log, .log(Log(task: 0, category: "", message: "")))
        let (_, util) = t.utilization(UtilFlags.default.union(.perProc))
        #expect(util.count == 3)
        #expect(util[1].last?.util == 0)
        #expect(util[2].first?.util == 1)
    }

    @Test func mmuCurveSmall() throws {
        let util = [MutatorUtil(time: 0, util: 1), MutatorUtil(time: 10, util: 0), MutatorUtil(time: 20, util: 1),
                    MutatorUtil(time: 100, util: 0)]
        let curve = MMUCurve([util])
        #expect(curve.mmu(window: 0) == 0)
        #expect(curve.mmu(window: 5) == 0)
        #expect(curve.mmu(window: 10) == 0)
        #expect(curve.mmu(window: 20) == 0.5)
        #expect(curve.mmu(window: 1000) == 0.9) // clipped to the 100 ns function
        let ex = curve.examples(window: 20, count: 1)
        #expect(ex.count == 1 && ex[0].mutatorUtil == 0.5)
        for w: Int64 in [1, 3, 7, 15, 33, 64, 99, 100] {
            let brute = try #require(bruteForceMMU(util, window: w))
            #expect(abs(curve.mmu(window: w) - brute.mmu) <= 1e-12, "window \(w)")
        }
        #expect(MMUCurve([]).mmu(window: 10) == 1)
        // The distribution: quantile 0 is the MMU, quantile 1 the best window.
        let q = curve.mud(window: 20, quantiles: [0, 1])
        #expect(q[0] == curve.mmu(window: 20))
        #expect(q[1] <= 1 && q[1] >= q[0])
    }
}
