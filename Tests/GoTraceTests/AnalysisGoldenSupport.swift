// Support for the Analysis golden tests: locating tracegolden outputs, running every analysis over a
// trace in one pass, and rendering the results as tracegolden's TSV rows for an exact comparison.

import Foundation
import Testing
import TestSupport
@testable import GoTrace

// MARK: - Locations

enum AnalysisPaths {
    /// tracegolden's own sample (Fixtures/tracegolden-sample).
    static let sampleTrace = RepoPaths.tracegoldenSample.appendingPathComponent("gcsmall.out")
    static let sampleGolden = RepoPaths.tracegoldenSample.appendingPathComponent("output")
    static let fixtures = RepoPaths.fixtures
}

/// A trace with its tracegolden output directory.
struct GoldenCase: Sendable, CustomTestStringConvertible, Hashable {
    var name: String
    var trace: String
    var golden: String
    var testDescription: String { name }

    /// Is this the lockthread fixture (GOMAXPROCS changes during GC work)?
    var changesGOMAXPROCS: Bool { name.hasSuffix("/lockthread") }

    static let sample = GoldenCase(name: "sample-gc/gcsmall", trace: AnalysisPaths.sampleTrace.path,
                                   golden: AnalysisPaths.sampleGolden.path)

    /// Every Fixtures/traces/go1.N/NAME.trace with a Fixtures/golden/go1.N/NAME.tracegolden directory.
    static func fixtures() -> [GoldenCase] {
        let fm = FileManager.default
        let traces = AnalysisPaths.fixtures.appendingPathComponent("traces")
        let golden = AnalysisPaths.fixtures.appendingPathComponent("golden")
        var out: [GoldenCase] = []
        for version in ((try? fm.contentsOfDirectory(atPath: traces.path)) ?? []).sorted() {
            let dir = traces.appendingPathComponent(version)
            for file in ((try? fm.contentsOfDirectory(atPath: dir.path)) ?? []).sorted() where file.hasSuffix(".trace") {
                let name = String(file.dropLast(".trace".count))
                let g = golden.appendingPathComponent(version).appendingPathComponent(name + ".tracegolden")
                guard fm.fileExists(atPath: g.appendingPathComponent("goroutines.tsv").path)
                    || fm.fileExists(atPath: g.appendingPathComponent("goroutines.tsv.gz").path) else { continue }
                out.append(GoldenCase(name: "\(version)/\(name)", trace: dir.appendingPathComponent(file).path,
                                      golden: g.path))
            }
        }
        return out
    }
}

// MARK: - TSV files

/// A tracegolden TSV file: a header and rows of raw (escaped) fields.
typealias GoldenTSV = TSVTable

extension TSVTable {
    /// Reads `dir/name`, or `dir/name.gz`; nil if neither exists.
    static func load(_ dir: String, _ name: String) throws -> TSVTable? {
        TSVTable(contentsOf: URL(fileURLWithPath: dir).appendingPathComponent(name))
    }
}

/// tracegolden's `esc`: escapes backslash, TAB, LF and CR.
func goldenEscape(_ s: String) -> String {
    guard s.contains(where: { $0 == "\\" || $0 == "\t" || $0 == "\n" || $0 == "\r" }) else { return s }
    var out = ""
    for c in s.unicodeScalars {
        switch c {
        case "\\": out += "\\\\"
        case "\t": out += "\\t"
        case "\n": out += "\\n"
        case "\r": out += "\\r"
        default: out.unicodeScalars.append(c)
        }
    }
    return out
}

/// A rendered field: text compared exactly, or a float compared by value (Go writes `%.17g`).
enum GoldenField: CustomStringConvertible {
    case text(String)
    case float(Double)

    var description: String {
        switch self {
        case .text(let s): s
        case .float(let d): "\(d)"
        }
    }

    func matches(_ golden: String) -> Bool {
        switch self {
        case .text(let s): return s == golden
        case .float(let d):
            guard let g = Double(golden) else { return false }
            return g == d || (g.isNaN && d.isNaN)
        }
    }
}

/// Builds rows of ``GoldenField``s with tracegolden's conventions.
struct GoldenRowBuilder {
    var fields: [GoldenField] = []
    mutating func s(_ v: String) { fields.append(.text(goldenEscape(v))) }
    mutating func i<T: BinaryInteger>(_ v: T) { fields.append(.text(String(v))) }
    mutating func b(_ v: Bool) { fields.append(.text(v ? "1" : "0")) }
    mutating func f(_ v: Double) { fields.append(.float(v)) }
    /// An optional time or number: empty when nil.
    mutating func o<T: BinaryInteger>(_ v: T?) { fields.append(.text(v.map { String($0) } ?? "")) }
    mutating func hex(_ v: UInt64) { fields.append(.text("0x" + String(v, radix: 16))) }
    mutating func empty() { fields.append(.text("")) }
}

func goldenRow(_ build: (inout GoldenRowBuilder) -> Void) -> [GoldenField] {
    var b = GoldenRowBuilder()
    build(&b)
    return b.fields
}

/// Compares rendered rows with a golden file: same number of rows, every field equal. Records at
/// most a few issues per file (with the row) so a failure stays readable. Returns the number of
/// rows that matched.
@discardableResult
func expectRows(_ mine: [[GoldenField]], _ golden: GoldenTSV?, file: String, case c: GoldenCase,
                prefixOnly: Bool = false, sourceLocation: SourceLocation = #_sourceLocation) -> Int {
    guard let golden else {
        Issue.record("\(c.name): \(file) missing", sourceLocation: sourceLocation)
        return 0
    }
    var issues = 0
    var matched = 0
    if prefixOnly {
        if mine.count < golden.rows.count {
            Issue.record("\(c.name) \(file): \(mine.count) rows, golden has \(golden.rows.count) (prefix)",
                         sourceLocation: sourceLocation)
            issues += 1
        }
    } else if mine.count != golden.rows.count {
        Issue.record("\(c.name) \(file): \(mine.count) rows, golden has \(golden.rows.count)",
                     sourceLocation: sourceLocation)
        issues += 1
    }
    for (i, g) in golden.rows.enumerated() {
        guard i < mine.count else { break }
        let m = mine[i]
        var ok = m.count == g.count
        if ok {
            for (field, gf) in zip(m, g) where !field.matches(gf) {
                ok = false
                break
            }
        }
        if ok {
            matched += 1
        } else if issues < 8 {
            issues += 1
            var diffs: [String] = []
            for k in 0..<max(m.count, g.count) {
                let mv = k < m.count ? m[k].description : "<none>"
                let gv = k < g.count ? g[k] : "<none>"
                if k >= m.count || k >= g.count || !m[k].matches(gv) {
                    let col = k < golden.header.count ? golden.header[k] : "#\(k)"
                    diffs.append("\(col): mine=\(mv) golden=\(gv)")
                }
            }
            Issue.record("\(c.name) \(file) row \(i + 1) [\(g.joined(separator: " | "))]: \(diffs.joined(separator: "; "))",
                         sourceLocation: sourceLocation)
        }
    }
    return matched
}

// MARK: - Running every analysis in one pass

/// Something that passes every event of a trace, in order, to its argument.
typealias AnalysisEventSource = ((Event) -> Void) throws -> Void

/// The events of a trace file, read with ``TraceReader``.
func analysisTraceEvents(_ path: String) -> AnalysisEventSource {
    { feed in
        let reader = try TraceReader(path: path)
        while let ev = try reader.next() { feed(ev) }
    }
}

/// The flag sets tracegolden writes to mmu.tsv (the first is cmd/trace's default).
let goldenFlagSets: [UtilFlags] = [.default, UtilFlags.default.union(.sweep), UtilFlags.default.union(.perProc), .stw]
/// The windows of mmu.tsv.
let goldenWindows: [Int64] = [1_000_000, 10_000_000, 100_000_000, 1_000_000_000]

/// Every analysis of a trace, fed in a single pass as the warehouse will.
struct AnalysisRun {
    var summary: TraceSummary
    var utilization: [UtilFlags: [[MutatorUtil]]]
    var utilizationDiagnostics: [UtilFlags: (withoutP: Int, gomaxprocsChanges: Int)]
    var profiles: [Profile]
    var ranges: [RangeInterval]
    var eventCount: Int
    var start: Int64
    var end: Int64

    /// Runs everything over the events `produce` passes to its argument, through ``TraceAnalyses``.
    static func run(_ produce: AnalysisEventSource) rethrows -> AnalysisRun {
        let analyses = TraceAnalyses(utilizationFlags: goldenFlagSets)
        let span = try feed(produce, into: analyses)
        return AnalysisRun(analyses.finalize(), start: span.start, end: span.end)
    }

    /// Feeds the events `produce` passes to its argument into `analyses`; returns the first and last event times.
    static func feed(_ produce: AnalysisEventSource, into analyses: TraceAnalyses) rethrows -> (start: Int64, end: Int64) {
        var first: Int64?
        var last: Int64 = 0
        try produce { ev in
            analyses.feed(ev)
            if first == nil { first = ev.time }
            last = ev.time
        }
        return (first ?? 0, last)
    }

    /// Reads the trace file with ``TraceReader``.
    static func run(tracePath: String) throws -> AnalysisRun {
        try run(analysisTraceEvents(tracePath))
    }
}

extension AnalysisRun {
    /// The analyses' result over a trace that ran from `start` to `end` (in an extension, so the
    /// memberwise init stays).
    init(_ r: TraceAnalyses.Result, start: Int64, end: Int64) {
        self.init(summary: r.summary, utilization: r.utilization,
                  utilizationDiagnostics: r.utilizationDiagnostics.mapValues { ($0.eventsWithoutValidP, $0.gomaxprocsChanges) },
                  profiles: r.profiles, ranges: r.ranges, eventCount: r.eventCount, start: start, end: end)
    }
}

// MARK: - Rendering tracegolden's files

extension AnalysisRun {
    private func rel(_ t: Int64?) -> Int64? { t.map { $0 - start } }

    var goroutineRows: [[GoldenField]] {
        summary.goroutinesByID.map { g in
            goldenRow {
                $0.i(g.id); $0.s(g.name); $0.hex(g.pc); $0.b(g.isSystem)
                $0.i(g.creationTime); $0.o(g.startTime); $0.o(g.endTime); $0.o(g.lastStartTime)
                $0.s(g.finalState.name)
                $0.i(g.totalTime); $0.i(g.execTime); $0.i(g.schedWaitTime); $0.i(g.syscallTime)
                $0.i(g.syscallBlockTime); $0.i(g.blockTime); $0.i(g.unknownTime); $0.i(g.totalRangeTime)
                $0.i(g.regions.count)
                $0.o(rel(g.creationTime)); $0.o(rel(g.startTime)); $0.o(rel(g.endTime)); $0.o(rel(g.lastStartTime))
            }
        }
    }

    var goroutineBlockRows: [[GoldenField]] {
        summary.goroutinesByID.flatMap { g in
            g.blockTimeByReason.keys.sorted(by: goStringLess).map { reason in
                goldenRow { $0.i(g.id); $0.s(reason); $0.i(g.blockTimeByReason[reason]!) }
            }
        }
    }

    var goroutineRangeRows: [[GoldenField]] {
        summary.goroutinesByID.flatMap { g in
            g.rangeTime.keys.sorted(by: goStringLess).map { name in
                goldenRow { $0.i(g.id); $0.s(name); $0.i(g.rangeTime[name]!) }
            }
        }
    }

    var regionRows: [[GoldenField]] {
        summary.goroutinesByID.flatMap { g in
            g.regions.enumerated().map { idx, r in
                let iv = r.interval(traceStart: start, traceEnd: end)
                let frame = r.topStackFrame
                return goldenRow {
                    $0.i(g.id); $0.i(idx); $0.i(r.taskID); $0.s(r.name); $0.b(r.isSynthetic)
                    $0.s(r.start?.kind.name ?? "none"); $0.s(r.end?.kind.name ?? "none")
                    $0.o(r.start?.time); $0.o(r.end?.time)
                    $0.i(iv.start); $0.i(iv.end); $0.i(iv.end - iv.start)
                    $0.i(r.stats.totalTime); $0.i(r.stats.execTime); $0.i(r.stats.schedWaitTime)
                    $0.i(r.stats.syscallTime); $0.i(r.stats.syscallBlockTime); $0.i(r.stats.blockTime)
                    $0.i(r.stats.unknownTime)
                    $0.s(goldenKeyValues(r.stats.blockTimeByReason)); $0.s(goldenKeyValues(r.stats.rangeTime))
                    $0.s(frame?.function ?? ""); $0.hex(frame?.pc ?? 0)
                    $0.o(rel(r.start?.time)); $0.o(rel(r.end?.time))
                }
            }
        }
    }

    var taskRows: [[GoldenField]] {
        summary.tasksByID.map { t in
            let iv = t.interval(traceStart: start, traceEnd: end)
            return goldenRow {
                $0.i(t.id); $0.s(t.name)
                if let p = t.parent { $0.i(p) } else { $0.empty() }
                $0.b(t.isComplete); $0.o(t.start?.time); $0.o(t.end?.time)
                $0.o(t.start?.goroutine); $0.o(t.end?.goroutine)
                $0.i(iv.start); $0.i(iv.end); $0.i(iv.end - iv.start)
                $0.i(t.goroutines.count); $0.s(t.goroutines.sorted().map(String.init).joined(separator: ","))
                $0.i(t.regions.count); $0.i(t.logs.count); $0.i(t.children.count)
                $0.o(rel(t.start?.time)); $0.o(rel(t.end?.time))
            }
        }
    }

    var logRows: [[GoldenField]] {
        summary.tasksByID.flatMap { t in
            t.logs.map { ev in
                let l = ev.log!
                return goldenRow {
                    $0.i(ev.time); $0.i(ev.goroutine); $0.i(l.task); $0.s(l.category); $0.s(l.message)
                    $0.o(rel(ev.time))
                }
            }
        }
    }

    /// mmu.tsv rows for the given flag sets, computed from this run's utilization functions.
    func mmuRows(_ flagSets: [UtilFlags] = goldenFlagSets) -> [[GoldenField]] {
        var rows: [[GoldenField]] = []
        for flags in flagSets {
            guard let util = utilization[flags], !util.isEmpty else { continue }
            let curve = MMUCurve(util)
            for w in goldenWindows {
                let mmu = curve.mmu(window: w)
                let ex = curve.examples(window: w, count: 1)
                rows.append(goldenRow {
                    $0.s(flags.name); $0.b(flags == .default); $0.i(w); $0.f(mmu); $0.b(w > end - start)
                    if let e = ex.first {
                        $0.i(e.time); $0.f(e.mutatorUtil); $0.i(e.time - start)
                    } else {
                        $0.empty(); $0.empty(); $0.empty()
                    }
                })
            }
        }
        return rows
    }

    var mmuUtilRows: [[GoldenField]] {
        (utilization[.default] ?? []).enumerated().flatMap { si, series in
            series.map { u in goldenRow { $0.i(si); $0.i(u.time); $0.f(u.util); $0.i(u.time - start) } }
        }
    }

    static let profileDefinitions: [ProfileKind: String] = [
        .sched: "Runnable until next transition (scheduler latency)",
        .io: "Waiting with reason == \"network\"",
        .block: "Waiting with reason containing chan|sync|select",
        .syscall: "Syscall until next transition",
    ]

    var profileTotalRows: [[GoldenField]] {
        profiles.map { p in
            goldenRow {
                $0.s(p.kind.name); $0.s(p.kind.pprofFlag); $0.i(p.totalTime); $0.i(p.totalCount)
                $0.i(p.records.count)
                $0.i(Set(p.records.map { $0.frames.map(\.function).joined(separator: ";") }).count)
                $0.i(p.samplesCounted); $0.i(p.samplesWithZeroOverlap); $0.i(p.samplesOpenAtEnd)
                $0.s(Self.profileDefinitions[p.kind]!)
            }
        }
    }

    /// profiles.tsv rows: every record of every profile (tracegolden may write only the top N).
    var profileRecordRows: [ProfileKind: [[GoldenField]]] {
        var out: [ProfileKind: [[GoldenField]]] = [:]
        for p in profiles {
            out[p.kind] = p.records.enumerated().map { i, r in
                goldenRow {
                    $0.s(p.kind.name); $0.i(i + 1); $0.i(r.time); $0.i(r.count); $0.i(r.frames.count)
                    $0.s(r.frames.map(\.function).joined(separator: ";"))
                    $0.s(r.frames.map { "\($0.function)@\($0.file):\($0.line)" }.joined(separator: ";"))
                    $0.s(r.frames.map { "0x" + String($0.pc, radix: 16) }.joined(separator: ";"))
                }
            }
        }
        return out
    }

    var rangeRows: [[GoldenField]] {
        ranges.map { r in
            goldenRow {
                $0.s(r.name); $0.s(r.scope.kind.name); $0.i(r.scopeID); $0.s(r.startKind.rawValue)
                $0.s(r.endKind.rawValue); $0.o(r.startTime); $0.i(r.endTime); $0.o(r.duration)
                $0.o(r.activeEventTime); $0.o(rel(r.startTime)); $0.i(r.endTime - start)
            }
        }
    }

    var gcRows: [[GoldenField]] {
        ranges.filter(\.isGCCycle).enumerated().map { i, r in
            goldenRow {
                $0.i(i); $0.s(r.startKind.rawValue); $0.s(r.endKind.rawValue); $0.o(r.startTime)
                $0.i(r.endTime); $0.o(r.duration); $0.o(rel(r.startTime)); $0.i(r.endTime - start)
            }
        }
    }

    var stwRows: [[GoldenField]] {
        ranges.filter { !$0.isGCCycle && $0.stopTheWorldReason != nil }.enumerated().map { i, r in
            goldenRow {
                $0.i(i); $0.i(r.scopeID); $0.s(r.stopTheWorldReason!); $0.b(r.isGCStopTheWorld)
                $0.s(r.startKind.rawValue); $0.s(r.endKind.rawValue); $0.o(r.startTime)
                $0.i(r.endTime); $0.o(r.duration); $0.o(rel(r.startTime)); $0.i(r.endTime - start)
            }
        }
    }
}

/// Go's string order (bytewise).
func goStringLess(_ a: String, _ b: String) -> Bool { a.utf8.lexicographicallyPrecedes(b.utf8) }

/// tracegolden's `kv`: `k=v;…` sorted by key.
func goldenKeyValues(_ m: [String: Int64]) -> String {
    m.keys.sorted(by: goStringLess).map { "\($0)=\(m[$0]!)" }.joined(separator: ";")
}

extension UtilFlags {
    /// tracegolden's name for the flag set, e.g. `perProc|stw|background|assist`.
    var name: String {
        var parts: [String] = []
        if contains(.perProc) { parts.append("perProc") }
        if contains(.stw) { parts.append("stw") }
        if contains(.background) { parts.append("background") }
        if contains(.assist) { parts.append("assist") }
        if contains(.sweep) { parts.append("sweep") }
        return parts.joined(separator: "|")
    }
}
