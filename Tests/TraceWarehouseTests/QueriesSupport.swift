import Foundation
import Testing
@testable import TraceWarehouse

/// One warehouse holding every golden trace (ingested once per test process), so that every saved
/// query is also exercised on a database with many traces: each test selects its trace with
/// `:trace_id` and opens its own read-only connection.
final class QueryWarehouse: @unchecked Sendable {
    let dir: URL
    let path: String
    /// GoldenTrace.name → trace_id (traces that failed to ingest are missing; see `failures`).
    let ids: [String: Int64]
    let failures: [String: String]

    static let shared: QueryWarehouse = QueryWarehouse()

    private init() {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("tracedb-queries-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        path = dir.appendingPathComponent("all.db").path
        var ids: [String: Int64] = [:]
        var failures: [String: String] = [:]
        do {
            let w = try Warehouse(path: path)
            for t in GoldenTrace.all {
                do {
                    ids[t.name] = try TraceLoader(warehouse: w).ingest(path: t.trace).traceID
                } catch {
                    failures[t.name] = "\(error)"
                }
            }
        } catch {
            failures["*"] = "\(error)"
        }
        self.ids = ids
        self.failures = failures
    }

    deinit { try? FileManager.default.removeItem(at: dir) }

    /// The trace id of a golden trace; records an issue and returns nil if it did not ingest.
    func id(_ t: GoldenTrace, sourceLocation: SourceLocation = #_sourceLocation) -> Int64? {
        if let id = ids[t.name] { return id }
        Issue.record("\(t) did not ingest: \(failures[t.name] ?? failures["*"] ?? "?")", sourceLocation: sourceLocation)
        return nil
    }

    func db() throws -> Database { try Database(path: path, readOnly: true) }
}

/// Runs saved queries and raw SQL on the shared warehouse for one trace.
struct QueryCheck {
    let trace: GoldenTrace
    let id: Int64
    let db: Database
    static let library: QueryLibrary = try! QueryLibrary.builtIn()

    init?(_ t: GoldenTrace, sourceLocation: SourceLocation = #_sourceLocation) throws {
        guard let id = QueryWarehouse.shared.id(t, sourceLocation: sourceLocation) else { return nil }
        trace = t
        self.id = id
        db = try QueryWarehouse.shared.db()
    }

    /// Runs the saved query `name` on this trace.
    func run(_ name: String, _ params: [String: SQLValue] = [:]) throws -> QueryResult {
        guard let q = Self.library.query(named: name) else { throw WarehouseError("no saved query \(name)") }
        var p = params
        p["trace_id"] = .int(id)
        return try QueryRunner.run(q, db: db, params: p)
    }

    /// Columns of a query's result as strings (tracegolden conventions: NULL → "", text escaped).
    func rows(_ name: String, _ columns: [String], _ params: [String: SQLValue] = [:]) throws -> [[String]] {
        try Self.cells(run(name, params), columns)
    }

    /// Raw SQL with `?1` bound to this trace's id.
    func sql(_ text: String) throws -> [[String]] {
        let s = try db.prepare(text)
        try s.bind(1, id)
        var out: [[String]] = []
        while try s.step() { out.append((0..<s.columnCount).map { Self.cell(s.value($0)) }) }
        return out
    }

    static func cell(_ v: SQLValue) -> String {
        switch v {
        case .null: return ""
        case .int(let i): return String(i)
        case .double(let d): return String(d)
        case .text(let t): return TempWarehouse.escape(t)
        case .blob: return "<blob>"
        }
    }

    static func cells(_ r: QueryResult, _ columns: [String]) throws -> [[String]] {
        let idx = try columns.map { c -> Int in
            guard let i = r.index(of: c) else { throw WarehouseError("result has no column \(c): \(r.columns)") }
            return i
        }
        return r.rows.map { row in idx.map { cell(row[$0]) } }
    }
}

/// Nearest-rank percentile: the smallest value v such that at least p/d of the values are ≤ v
/// (the method the saved queries' headers define), on integer-rounded ranks: rank = ceil(n·p/d).
func nearestRank(_ values: [Int64], _ p: Int, of d: Int = 100) -> Int64? {
    guard !values.isEmpty else { return nil }
    let s = values.sorted()
    let rank = (s.count * p + d - 1) / d
    return s[max(rank, 1) - 1]
}

func str(_ v: Int64?) -> String { v.map { String($0) } ?? "" }

extension TSV {
    /// Rows as dictionaries by column name.
    var records: [[String: String]] {
        rows.map { r in Dictionary(uniqueKeysWithValues: header.enumerated().map { ($1, $0 < r.count ? r[$0] : "") }) }
    }
}

extension Dictionary where Key == String, Value == String {
    func int(_ k: String) -> Int64 { Int64(self[k] ?? "") ?? 0 }
}
