import Foundation
import Testing
@testable import TraceWarehouse

/// Paths of the repository and the shared folder beside it.
enum Paths {
    static let repo: URL = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let shared: URL = repo.deletingLastPathComponent().appendingPathComponent("shared")
    static let fixtures: URL = repo.appendingPathComponent("Fixtures")
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
        let sample = Paths.shared.appendingPathComponent("tools/tracegolden/sample-gc")
        if FileManager.default.fileExists(atPath: sample.path) {
            out.append(GoldenTrace(name: "sample-gc", trace: sample.appendingPathComponent("gcsmall.out").path,
                                   golden: sample.appendingPathComponent("output").path))
        }
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
struct TSV {
    var header: [String]
    var rows: [[String]]
    /// Reads `path`, or `path.gz` (large goldens are gzipped) through the system gzip.
    init(path: String) throws {
        let text: String
        if FileManager.default.fileExists(atPath: path) {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } else {
            text = try gunzip(path + ".gz")
        }
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if lines.last == "" { lines.removeLast() }
        header = lines.first?.components(separatedBy: "\t") ?? []
        rows = lines.dropFirst().map { $0.components(separatedBy: "\t") }
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

/// The text of a gzipped file (via /bin/gzip, present on every Debian system).
func gunzip(_ path: String) throws -> String {
    guard FileManager.default.fileExists(atPath: path) else { throw WarehouseError("missing golden file \(path)") }
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/bin/gzip")
    p.arguments = ["-dc", path]
    let out = Pipe()
    p.standardOutput = out
    try p.run()
    let data = out.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return String(decoding: data, as: UTF8.self)
}
