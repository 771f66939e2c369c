import Foundation

/// One metric of one row compared between base and head.
public struct MetricChange: Sendable {
    public enum Assessment: String, Sendable {
        /// Same value on both sides.
        case unchanged
        /// Changed in the good direction of the metric (lower or higher is better).
        case better
        /// Changed in the bad direction.
        case worse
        /// Changed; the metric has no better direction.
        case changed
        /// The row exists only in head.
        case added = "new"
        /// The row exists only in base.
        case removed = "gone"
    }

    /// Where the metric lives (`query[key=value].column`).
    public var path: MetricPath
    /// The scorecard's name for it (nil outside the scorecard).
    public var label: String?
    public var unit: SavedQuery.Unit
    public var direction: SavedQuery.Direction
    /// The values over the runs of each side (nil: the row or value is absent on that side).
    public var base: RunStats?
    public var head: RunStats?

    public init(path: MetricPath, label: String? = nil, unit: SavedQuery.Unit, direction: SavedQuery.Direction,
                base: RunStats?, head: RunStats?) {
        self.path = path; self.label = label; self.unit = unit; self.direction = direction
        self.base = base; self.head = head
    }

    /// The side's value: the mean over its runs.
    public var baseValue: Double? { base?.mean }
    public var headValue: Double? { head?.mean }

    /// head − base.
    public var delta: Double? {
        guard let b = baseValue, let h = headValue else { return nil }
        return h - b
    }

    /// (head − base) / |base|; 0 when both are 0; ±∞ when only base is 0.
    public var relative: Double? {
        guard let b = baseValue, let h = headValue else { return nil }
        if b == 0 { return h == 0 ? 0 : (h > 0 ? .infinity : -.infinity) }
        return (h - b) / abs(b)
    }

    public var assessment: Assessment {
        guard base != nil else { return .added }
        guard head != nil else { return .removed }
        guard let d = delta, d != 0 else { return .unchanged }
        switch direction {
        case .lower: return d > 0 ? .worse : .better
        case .higher: return d < 0 ? .worse : .better
        case .none: return .changed
        }
    }

    /// Whether the change stands out from run-to-run variation (nil: a single run on each side).
    public var noise: NoiseVerdict? {
        guard let base, let head, assessment != .unchanged else { return nil }
        return NoiseVerdict.judge(base: base, head: head)
    }

    /// How big the change is, for sorting: rows on one side only first, then |relative change|.
    public var size: Double {
        switch assessment {
        case .added, .removed: return .infinity
        default: return abs(relative ?? 0)
        }
    }

    /// The key values as text (`chan receive`, `main.worker / chan send`), empty for an overall row.
    public var keyText: String { path.selector.map { $0.value.isEmpty ? "(empty)" : $0.value }.joined(separator: " / ") }
}

/// One saved query compared between base and head.
public struct QueryComparison: Sendable {
    public var query: SavedQuery
    /// Every metric of every row, largest change first.
    public var changes: [MetricChange]
    /// Rows per run on each side.
    public var baseRows: [Int]
    public var headRows: [Int]
    /// Things worth knowing (duplicate keys, missing columns).
    public var warnings: [String]

    public var changed: [MetricChange] { changes.filter { $0.assessment != .unchanged } }
}

/// The headline numbers compared first.
public struct ScorecardItem: Sendable {
    public var label: String
    public var path: MetricPath
    /// Expand into one line per value of this key column (e.g. block time per reason).
    public var perKey: String?

    /// The scorecard, each line taken from a saved query's row:
    /// wall duration (`trace-summary.duration_ns`), goroutines created (`goroutine-peak.created`),
    /// sched latency p50/p99/max (`sched-latency`), block time per reason (`blocking-by-reason.total_ns`),
    /// syscall time (`syscalls.total_ns`), GC cycles (`gc-summary.cycles`), total and max stop-the-world
    /// pause (`gc-summary.stw_ns`, `stw_max_ns`), MMU at 10 ms (`mmu[window_ns=10000000].mmu`) and peak
    /// goroutines (`goroutine-peak.peak_alive`).
    public static let standard: [ScorecardItem] = [
        .init(label: "wall duration", path: .init(query: "trace-summary", column: "duration_ns")),
        .init(label: "goroutines created", path: .init(query: "goroutine-peak", column: "created")),
        .init(label: "sched latency p50", path: .init(query: "sched-latency", column: "p50_ns")),
        .init(label: "sched latency p99", path: .init(query: "sched-latency", column: "p99_ns")),
        .init(label: "sched latency max", path: .init(query: "sched-latency", column: "max_ns")),
        .init(label: "block time", path: .init(query: "blocking-by-reason", column: "total_ns"), perKey: "reason"),
        .init(label: "syscall time", path: .init(query: "syscalls", column: "total_ns")),
        .init(label: "GC cycles", path: .init(query: "gc-summary", column: "cycles")),
        .init(label: "STW pause total", path: .init(query: "gc-summary", column: "stw_ns")),
        .init(label: "STW pause max", path: .init(query: "gc-summary", column: "stw_max_ns")),
        .init(label: "MMU at 10 ms", path: .init(query: "mmu", selector: [.init(column: "window_ns", value: "10000000")], column: "mmu")),
        .init(label: "peak goroutines", path: .init(query: "goroutine-peak", column: "peak_alive")),
    ]
}

/// Which side of a comparison.
public enum Side: String, Sendable { case base, head }

/// Compares saved-query results between two trace sources (each one trace or several repeated runs).
///
/// Query results are computed once per (side, query, trace) and shared by the scorecard, the query
/// sections and the gate.
public final class Comparer {
    public let library: QueryLibrary
    public let base: TraceSource
    public let head: TraceSource
    /// Parameters applied to every query that takes them (`:trace_id` is always the run's).
    public let params: [String: SQLValue]
    private var cache: [String: [QueryResult]] = [:]

    public init(library: QueryLibrary, base: TraceSource, head: TraceSource, params: [String: SQLValue] = [:]) {
        self.library = library; self.base = base; self.head = head; self.params = params
    }

    /// Key column names that identify instances within one trace (ranks, sequence numbers, time buckets,
    /// thread ids …), not things that survive a rebuild; queries keyed by them are not compared by default.
    public static let instanceKeys: Set<String> = ["rank", "link", "cycle", "n", "m", "seq", "bucket_start_ns", "goid", "g", "pc", "id"]

    /// Whether `compare` includes the query when no `--query` is given: it has metrics, and its header
    /// says `-- compare: yes`, or (no `compare:` tag) its key columns survive a rebuild — function names,
    /// file:line, reasons, task and region types, window lengths, P numbers — never ranks, cycle numbers,
    /// time buckets, goroutine or thread ids, PCs.
    public static func isComparableByDefault(_ q: SavedQuery) -> Bool {
        guard !q.metrics.isEmpty else { return false }
        if let c = q.compare { return c }
        return !q.keys.contains { instanceKeys.contains($0) || $0.hasSuffix("_id") || $0.hasSuffix("_pc") }
    }

    /// The queries compared by default, in name order.
    public var defaultQueries: [SavedQuery] { library.queries.filter(Self.isComparableByDefault) }

    func source(_ side: Side) -> TraceSource { side == .base ? base : head }

    /// The results of `query` for each run of `side` (cached).
    public func results(_ query: SavedQuery, _ side: Side) throws -> [QueryResult] {
        let k = side.rawValue + "\u{0}" + query.name
        if let r = cache[k] { return r }
        let src = source(side)
        let r = try src.traceIDs.map { try QueryRunner.run(query, db: src.db, traceID: $0, params: params, strict: false) }
        cache[k] = r
        return r
    }

    /// Runs the queries not cached yet for both sides on `workers` threads at once, each thread with its
    /// own read-only connections (a connection serves one thread at a time), so that a comparison of two
    /// large traces waits for its heaviest queries in parallel. A query that fails here is left uncached:
    /// ``results(_:_:)`` runs it again and reports the error where it is asked for.
    public func prefetch(_ queries: [SavedQuery], workers: Int = min(ProcessInfo.processInfo.activeProcessorCount, 4)) {
        struct Job { var query: SavedQuery, side: Side }
        var jobs: [Job] = []
        for q in queries { for side in [Side.base, .head] where cache[side.rawValue + "\u{0}" + q.name] == nil { jobs.append(Job(query: q, side: side)) } }
        guard workers > 1, jobs.count > 1 else { return }
        final class Shared: @unchecked Sendable {   // guarded by `lock`
            let lock = NSLock()
            var next = 0
            var done: [String: [QueryResult]] = [:]
        }
        let shared = Shared()
        let params = self.params, base = self.base, head = self.head
        let todo = jobs
        DispatchQueue.concurrentPerform(iterations: min(workers, jobs.count)) { w in
            // Worker 0 uses the sources' own connections; the others open their own, once per file.
            var own: [String: Database] = [:]
            func db(_ src: TraceSource) -> Database? {
                if w == 0 { return src.db }
                if let d = own[src.databasePath] { return d }
                guard let d = try? Warehouse.openForReading(src.databasePath) else { return nil }
                own[src.databasePath] = d
                return d
            }
            while true {
                shared.lock.lock()
                let i = shared.next; shared.next += 1
                shared.lock.unlock()
                guard i < todo.count else { return }
                let job = todo[i], src = job.side == .base ? base : head
                guard let conn = db(src),
                      let r = try? src.traceIDs.map({ try QueryRunner.run(job.query, db: conn, traceID: $0, params: params, strict: false) })
                else { continue }
                shared.lock.lock()
                shared.done[job.side.rawValue + "\u{0}" + job.query.name] = r
                shared.lock.unlock()
            }
        }
        let done = shared.done
        cache.merge(done) { a, _ in a }
    }

    /// One metric (a path resolved against the library) compared.
    public func change(_ path: MetricPath, label: String? = nil) throws -> MetricChange {
        let (q, m) = try path.resolve(in: library)
        func stats(_ side: Side) throws -> RunStats? {
            let vals = try results(q, side).compactMap { path.value(in: $0, query: q) }
            return vals.isEmpty ? nil : RunStats(vals)
        }
        return MetricChange(path: path, label: label, unit: m.unit, direction: m.direction, base: try stats(.base), head: try stats(.head))
    }

    /// The scorecard lines (items whose query or column the library lacks are left out).
    public func scorecard(_ items: [ScorecardItem] = ScorecardItem.standard) throws -> [MetricChange] {
        var out: [MetricChange] = []
        for item in items {
            guard let q = library.query(named: item.path.query), q.metric(item.path.column) != nil else { continue }
            if let keyColumn = item.perKey {
                guard q.keys == [keyColumn] else { continue }
                // One line per key value seen on either side, largest first.
                var values: [String] = []
                for side in [Side.base, .head] {
                    for r in try results(q, side) {
                        guard let i = r.index(of: keyColumn) else { continue }
                        for row in r.rows {
                            let v = KeyText.of(row[i])
                            if !values.contains(v) { values.append(v) }
                        }
                    }
                }
                var lines = try values.map { v in
                    try change(MetricPath(query: item.path.query, selector: [.init(column: keyColumn, value: v)], column: item.path.column),
                               label: "\(item.label) (\(v.isEmpty ? "no reason" : v))")
                }
                lines.sort { Swift.max($0.baseValue ?? 0, $0.headValue ?? 0) > Swift.max($1.baseValue ?? 0, $1.headValue ?? 0) }
                out += lines
            } else {
                if !item.path.selector.isEmpty || q.isOverall {
                    guard (try? item.path.resolve(in: library)) != nil else { continue }
                    out.append(try change(item.path, label: item.label))
                }
            }
        }
        return out
    }

    /// Every metric of every row of `query`, rows joined on the key columns, largest change first.
    public func compare(_ query: SavedQuery) throws -> QueryComparison {
        var warnings: [String] = []
        // key text → (selector, per-side values per metric)
        var order: [String] = []
        var selectors: [String: [MetricPath.KeyValue]] = [:]
        var values: [String: [Side: [String: [Double]]]] = [:]
        var rowCounts: [Side: [Int]] = [.base: [], .head: []]
        var missingColumns = Set<String>()
        for side in [Side.base, .head] {
            for r in try results(query, side) {
                rowCounts[side]!.append(r.rows.count)
                let keyIdx = query.keys.map { r.index(of: $0) }
                if keyIdx.contains(nil) {
                    let missing = zip(query.keys, keyIdx).filter { $0.1 == nil }.map(\.0)
                    warnings.append("\(query.name): the result has no key column \(missing.joined(separator: ", ")); not compared")
                    return QueryComparison(query: query, changes: [], baseRows: rowCounts[.base]!, headRows: rowCounts[.head]!, warnings: warnings)
                }
                var seen = Set<String>()
                var duplicates = 0
                for row in r.rows {
                    let sel = zip(query.keys, keyIdx).map { MetricPath.KeyValue(column: $0, value: KeyText.of(row[$1!])) }
                    let k = sel.map(\.value).joined(separator: "\u{1}")
                    if !seen.insert(k).inserted { duplicates += 1; continue }
                    if selectors[k] == nil { selectors[k] = sel; order.append(k) }
                    for m in query.metrics {
                        guard let i = r.index(of: m.column) else { missingColumns.insert(m.column); continue }
                        if let v = NumericValue.of(row[i]) { values[k, default: [:]][side, default: [:]][m.column, default: []].append(v) }
                    }
                    // Make sure the row is known on this side even if all its metrics are NULL.
                    if values[k]?[side] == nil { values[k, default: [:]][side] = [:] }
                }
                if duplicates > 0 {
                    warnings.append("\(query.name): \(duplicates) row(s) of a \(side.rawValue) run repeat a key (\(query.keys.joined(separator: ", "))); the first is compared")
                }
            }
        }
        if !missingColumns.isEmpty {
            warnings.append("\(query.name): the result has no column \(missingColumns.sorted().joined(separator: ", ")) declared as a metric")
        }
        var changes: [MetricChange] = []
        for k in order {
            let sides = values[k] ?? [:]
            for m in query.metrics where !missingColumns.contains(m.column) {
                let b = sides[.base].map { RunStats($0[m.column] ?? []) }
                let h = sides[.head].map { RunStats($0[m.column] ?? []) }
                // A row present on a side whose value is NULL in every run counts as absent for this metric.
                let bs = (b?.n ?? 0) > 0 ? b : nil
                let hs = (h?.n ?? 0) > 0 ? h : nil
                if bs == nil && hs == nil { continue }
                changes.append(MetricChange(path: MetricPath(query: query.name, selector: selectors[k]!, column: m.column),
                                            unit: m.unit, direction: m.direction, base: bs, head: hs))
            }
        }
        changes = Self.sorted(changes)
        return QueryComparison(query: query, changes: changes, baseRows: rowCounts[.base]!, headRows: rowCounts[.head]!, warnings: warnings)
    }

    /// Largest change first: by ``MetricChange/size``, then by the magnitude of the change (the value itself
    /// for a row on one side only), then in row order.
    static func sorted(_ changes: [MetricChange]) -> [MetricChange] {
        func magnitude(_ c: MetricChange) -> Double { abs(c.delta ?? c.headValue ?? c.baseValue ?? 0) }
        return changes.enumerated().sorted { a, b in
            if a.element.size != b.element.size { return a.element.size > b.element.size }
            let ma = magnitude(a.element), mb = magnitude(b.element)
            if ma != mb { return ma > mb }
            return a.offset < b.offset
        }.map(\.element)
    }
}

/// The whole comparison: both sides, the scorecard, the compared queries and the gate.
public struct ComparisonReport: Sendable {
    public struct SideInfo: Sendable {
        public var reference: String
        public var description: String
        public var databasePath: String
        public var traceIDs: [Int64]
    }
    public var base: SideInfo
    public var head: SideInfo
    public var scorecard: [MetricChange]
    public var queries: [QueryComparison]
    public var gate: GateReport?

    /// True if any side has several runs.
    public var hasRepeatedRuns: Bool { base.traceIDs.count > 1 || head.traceIDs.count > 1 }

    /// Compares `base` and `head`: the scorecard (unless `scorecard` is false), then `queries` (nil: the
    /// default set, ``Comparer/isComparableByDefault(_:)``), then the gate rules.
    public static func build(library: QueryLibrary, base: TraceSource, head: TraceSource, queries: [String]? = nil,
                             scorecard: Bool = true, rules: [GateRule] = [], ignoreNoise: Bool = false,
                             params: [String: SQLValue] = [:]) throws -> ComparisonReport {
        let comparer = Comparer(library: library, base: base, head: head, params: params)
        var selected: [SavedQuery]
        if let queries {
            selected = try queries.map { name in
                guard let q = library.query(named: name) else {
                    throw InputError("no saved query named '\(name)' (tracedb queries lists them)")
                }
                guard !q.metrics.isEmpty else { throw InputError("\(name) declares no metric columns: nothing to compare") }
                return q
            }
        } else {
            selected = comparer.defaultQueries
        }
        // Check the gate's metrics before running anything.
        for r in rules { _ = try r.path.resolve(in: library) }
        // Every query the report reads, run in parallel first: the scorecard's, the sections', the gate's.
        var needed: [SavedQuery] = selected
        var names = Set(selected.map(\.name))
        let paths = (scorecard ? ScorecardItem.standard.map(\.path) : []) + rules.map(\.path)
        for path in paths where !names.contains(path.query) {
            if let q = library.query(named: path.query) { needed.append(q); names.insert(q.name) }
        }
        comparer.prefetch(needed)
        let card = scorecard ? try comparer.scorecard() : []
        let sections = try selected.map { try comparer.compare($0) }
        let gate = rules.isEmpty ? nil : try GateReport.evaluate(rules, comparer: comparer, ignoreNoise: ignoreNoise)
        func info(_ s: TraceSource) -> SideInfo {
            SideInfo(reference: s.reference, description: s.describe(), databasePath: s.databasePath, traceIDs: s.traceIDs)
        }
        return ComparisonReport(base: info(base), head: info(head), scorecard: card, queries: sections, gate: gate)
    }
}
