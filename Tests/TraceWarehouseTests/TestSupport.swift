import Foundation
import Testing
import TestSupport
@testable import TraceWarehouse

/// Paths of the repository and its test data.
enum Paths {
    static let repo: URL = RepoPaths.root
    static let fixtures: URL = RepoPaths.fixtures
}

/// A trace with Go's analyses of it (tracegolden TSVs).
struct GoldenTrace: CustomStringConvertible, Sendable {
    var name: String          // e.g. go1.27/tasks
    var trace: String         // path of the trace
    var golden: String        // folder with tracegolden *.tsv
    var description: String { name }

    /// The sample trace shipped with tracegolden plus every fixture with tracegolden output.
    static let all: [GoldenTrace] = {
        var out: [GoldenTrace] = []
        let sample = RepoPaths.tracegoldenSample
        out.append(GoldenTrace(name: "sample-gc", trace: sample.appendingPathComponent("gcsmall.out").path,
                               golden: sample.appendingPathComponent("output").path))
        let traces = Paths.fixtures.appendingPathComponent("traces")
        let fm = FileManager.default
        for version in ((try? fm.contentsOfDirectory(atPath: traces.path)) ?? []).sorted() {
            for file in ((try? fm.contentsOfDirectory(atPath: traces.appendingPathComponent(version).path)) ?? []).sorted()
            where file.hasSuffix(".trace") {
                let name = String(file.dropLast(".trace".count))
                let golden = Paths.fixtures.appendingPathComponent("golden/\(version)/\(name).tracegolden")
                guard fm.fileExists(atPath: golden.appendingPathComponent("meta.tsv").path) else { continue }
                out.append(GoldenTrace(name: "\(version)/\(name)", trace: traces.appendingPathComponent("\(version)/\(file)").path,
                                       golden: golden.path))
            }
        }
        return out
    }()

    func tsv(_ file: String) throws -> TSV { try TSV(path: golden + "/" + file) }
}

/// A tracegolden TSV file.
typealias TSV = TSVTable

extension TSVTable {
    /// Reads `path`, or `path.gz` (large goldens are gzipped); a missing file is an error naming it.
    init(path: String) throws {
        guard let t = TSVTable(contentsOf: URL(fileURLWithPath: path)) else { throw WarehouseError("missing golden file \(path)") }
        self = t
    }
    /// The rows restricted to `columns`, in that order.
    func project(_ columns: [String]) throws -> [[String]] {
        let idx = try columns.map { c -> Int in
            guard let i = header.firstIndex(of: c) else { throw WarehouseError("golden has no column \(c): \(header)") }
            return i
        }
        return rows.map { r in idx.map { $0 < r.count ? r[$0] : "" } }
    }
}

/// A fresh warehouse in a temporary folder.
final class TempWarehouse {
    let dir: URL
    let warehouse: Warehouse
    init() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("tracedb-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        warehouse = try Warehouse(path: dir.appendingPathComponent("t.db").path)
    }
    var path: String { warehouse.path }
    deinit { try? FileManager.default.removeItem(at: dir) }

    @discardableResult
    func ingest(_ path: String, labels: [(key: String, value: String)] = []) throws -> IngestResult {
        try TraceLoader(warehouse: warehouse).ingest(path: path, options: IngestOptions(labels: labels))
    }

    /// Rows of `sql` as strings in tracegolden's conventions (NULL → "", text escaped).
    func rows(_ sql: String, _ params: [SQLValue] = []) throws -> [[String]] {
        let s = try warehouse.db.prepare(sql)
        try s.bind(params)
        var out: [[String]] = []
        while try s.step() {
            out.append((0..<s.columnCount).map { i in
                switch s.value(i) {
                case .null: return ""
                case .int(let v): return String(v)
                case .double(let d): return String(d)
                case .text(let t): return Self.escape(t)
                case .blob: return "<blob>"
                }
            })
        }
        return out
    }

    static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\t", with: "\\t")
            .replacingOccurrences(of: "\n", with: "\\n").replacingOccurrences(of: "\r", with: "\\r")
    }
}

/// Expects two row sets to be equal, reporting the first differences readably.
func expectSameRows(_ got: [[String]], _ want: [[String]], sorted: Bool = true, _ what: String,
                    sourceLocation: SourceLocation = #_sourceLocation) {
    let g = sorted ? got.map { $0.joined(separator: "\t") }.sorted() : got.map { $0.joined(separator: "\t") }
    let w = sorted ? want.map { $0.joined(separator: "\t") }.sorted() : want.map { $0.joined(separator: "\t") }
    if g == w { return }
    let missing = w.filter { !g.contains($0) }.prefix(5)
    let extra = g.filter { !w.contains($0) }.prefix(5)
    Issue.record("\(what): \(g.count) rows, want \(w.count)\n missing (Go has, tracedb lacks):\n  \(missing.joined(separator: "\n  "))\n extra (tracedb has, Go lacks):\n  \(extra.joined(separator: "\n  "))",
                 sourceLocation: sourceLocation)
}
