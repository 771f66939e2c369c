import Foundation

/// A metric named by the user: `QUERY.COLUMN` (a column of a query's overall row) or
/// `QUERY[KEY=VALUE,…].COLUMN` (a column of the row of a keyed query with those key values), e.g.
/// `sched-latency.p99_ns`, `blocking-by-reason[reason=chan receive].total_ns`, `mmu[window_ns=10000000].mmu`.
public struct MetricPath: Sendable, Equatable, CustomStringConvertible {
    public var query: String
    /// Key column → value, for keyed queries.
    public var selector: [KeyValue]
    public var column: String

    public struct KeyValue: Sendable, Equatable {
        public var column: String
        public var value: String
        public init(column: String, value: String) { self.column = column; self.value = value }
    }

    public init(query: String, selector: [KeyValue] = [], column: String) {
        self.query = query; self.selector = selector; self.column = column
    }

    public var description: String {
        selector.isEmpty ? "\(query).\(column)"
            : "\(query)[\(selector.map { "\($0.column)=\($0.value)" }.joined(separator: ","))].\(column)"
    }

    /// Parses `QUERY.COLUMN` or `QUERY[K=V,…].COLUMN`.
    public static func parse(_ text: String) throws -> MetricPath {
        let s = text.trimmingCharacters(in: .whitespaces)
        let bad = InputError("cannot read the metric '\(text)': write QUERY.COLUMN (e.g. sched-latency.p99_ns) or QUERY[KEY=VALUE].COLUMN (e.g. blocking-by-reason[reason=chan receive].total_ns)")
        if let open = s.firstIndex(of: "[") {
            guard let close = s.lastIndex(of: "]"), close > open else { throw bad }
            let query = String(s[..<open])
            let inner = s[s.index(after: open)..<close]
            let rest = s[s.index(after: close)...]
            guard !query.isEmpty, rest.hasPrefix("."), rest.count > 1 else { throw bad }
            var sel: [KeyValue] = []
            for part in inner.split(separator: ",", omittingEmptySubsequences: false) {
                guard let eq = part.firstIndex(of: "="), eq != part.startIndex else { throw bad }
                sel.append(KeyValue(column: part[..<eq].trimmingCharacters(in: .whitespaces),
                                    value: String(part[part.index(after: eq)...])))
            }
            return MetricPath(query: query, selector: sel, column: String(rest.dropFirst()))
        }
        guard let dot = s.lastIndex(of: "."), dot != s.startIndex, s.index(after: dot) != s.endIndex else { throw bad }
        return MetricPath(query: String(s[..<dot]), column: String(s[s.index(after: dot)...]))
    }

    /// Checks the path against the library: the query exists, the column is one of its metrics and the
    /// selector names exactly its key columns. Returns the query and the metric.
    public func resolve(in library: QueryLibrary) throws -> (query: SavedQuery, metric: SavedQuery.Metric) {
        guard let q = library.query(named: query) else {
            throw InputError("no saved query named '\(query)' (in '\(self)'; tracedb queries lists them)")
        }
        guard let m = q.metric(column) else {
            let names = q.metrics.map(\.column).joined(separator: ", ")
            throw InputError("'\(column)' is not a metric of \(query) (in '\(self)'; its metrics: \(names.isEmpty ? "none" : names))")
        }
        if q.isOverall {
            guard selector.isEmpty else { throw InputError("\(query) has no key columns (one overall row): write \(query).\(column)") }
        } else {
            let keys = q.keys
            let given = selector.map(\.column)
            guard Set(given) == Set(keys), given.count == keys.count else {
                let example = keys.map { "\($0)=VALUE" }.joined(separator: ",")
                throw InputError("\(query) has one row per \(keys.joined(separator: ", ")): pick one as \(query)[\(example)].\(column)")
            }
        }
        return (q, m)
    }

    /// The row of `result` this path selects (the only row of an overall query), or nil.
    public func row(in result: QueryResult, query: SavedQuery) -> [SQLValue]? {
        if selector.isEmpty { return result.rows.first }
        let idx = selector.map { result.index(of: $0.column) }
        guard !idx.contains(nil) else { return nil }
        return result.rows.first { row in
            zip(idx, selector).allSatisfy { i, kv in KeyText.of(row[i!]) == kv.value }
        }
    }

    /// The value of the metric in `result`, or nil (no such row, NULL, or not a number).
    public func value(in result: QueryResult, query: SavedQuery) -> Double? {
        guard let row = row(in: result, query: query), let i = result.index(of: column) else { return nil }
        return NumericValue.of(row[i])
    }
}

/// The text of a key value as users write it (`chan receive`, `10000000`), also the join key.
public enum KeyText {
    public static func of(_ v: SQLValue) -> String {
        switch v {
        case .null: return ""
        case .int(let n): return String(n)
        case .double(let d): return d == d.rounded() && abs(d) < 1e15 ? String(Int64(d)) : String(d)
        case .text(let s): return s
        case .blob(let b): return b.map { String(format: "%02x", $0) }.joined()
        }
    }
}

/// Numbers from SQL values (text that reads as a number counts; NULL does not).
public enum NumericValue {
    public static func of(_ v: SQLValue) -> Double? {
        switch v {
        case .int(let n): return Double(n)
        case .double(let d): return d.isNaN ? nil : d
        case .text(let s): return Double(s)
        case .null, .blob: return nil
        }
    }
}

/// A metric's values over repeated runs of one side (one value for a single trace).
public struct RunStats: Sendable, Equatable {
    public var values: [Double]
    public init(_ values: [Double]) { self.values = values }

    public var n: Int { values.count }
    public var mean: Double { values.isEmpty ? 0 : values.reduce(0, +) / Double(values.count) }
    public var min: Double { values.min() ?? 0 }
    public var max: Double { values.max() ?? 0 }
    /// Sample standard deviation (0 for fewer than two values).
    public var stddev: Double {
        guard values.count > 1 else { return 0 }
        let m = mean
        return (values.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(values.count - 1)).squareRoot()
    }
}

/// Whether a change stands out from run-to-run variation.
///
/// Defined only when at least one side has two or more runs. A change is *beyond noise* when every run
/// of one side is beyond every run of the other (the two sides' min…max ranges do not overlap), or when
/// the difference of the means is more than three times its standard error (Welch: √(s²₁/n₁ + s²₂/n₂));
/// otherwise it is *within noise*.
public enum NoiseVerdict: String, Sendable, Equatable {
    case beyond = "beyond noise"
    case within = "within noise"

    public static func judge(base: RunStats, head: RunStats) -> NoiseVerdict? {
        guard base.n >= 2 || head.n >= 2, base.n > 0, head.n > 0 else { return nil }
        let overlap = base.min <= head.max && head.min <= base.max
        if !overlap { return .beyond }
        let se = (base.stddev * base.stddev / Double(base.n) + head.stddev * head.stddev / Double(head.n)).squareRoot()
        let d = abs(head.mean - base.mean)
        return d > 0 && d > 3 * se ? .beyond : .within
    }
}
