import Foundation
import Testing
@testable import TraceWarehouse

/// Every saved query's output, with its default parameters, on every fixture, equals the snapshot
/// recorded before the derived tables of schema 1 replaced the whole-timeline sweeps in SQL
/// (`Golden/queries/<trace>.tsv`). A query that is rewritten must give exactly the same rows.
///
/// The snapshots are written only on purpose: `TRACEDB_WRITE_QUERY_SNAPSHOTS=1 swift test --filter
/// QueriesSnapshot` rewrites them from the current queries (then review the diff).
@Suite("Saved queries equal their recorded snapshots on every fixture")
struct QueriesSnapshotTests {
    static let traces = GoldenTrace.all
    static let folder = Paths.repo.appendingPathComponent("Tests/TraceWarehouseTests/Golden/queries")

    /// All saved queries' results on one trace, as text: a `## name` line, the header, then rows, tab-separated.
    static func snapshot(_ c: QueryCheck) throws -> String {
        var out = ""
        for q in QueryCheck.library.queries.sorted(by: { $0.name < $1.name }) {
            let r = try c.run(q.name)
            out += "## \(q.name)\n" + r.columns.joined(separator: "\t") + "\n"
            for row in r.rows { out += row.map(QueryCheck.cell).joined(separator: "\t") + "\n" }
        }
        return out
    }

    static func file(_ t: GoldenTrace) -> URL { folder.appendingPathComponent(t.name + ".tsv") }

    @Test("every saved query == its snapshot", arguments: traces)
    func snapshot(_ t: GoldenTrace) throws {
        let c = try #require(try QueryCheck(t))
        let got = try Self.snapshot(c)
        let url = Self.file(t)
        if ProcessInfo.processInfo.environment["TRACEDB_WRITE_QUERY_SNAPSHOTS"] == "1" {
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try got.write(to: url, atomically: true, encoding: .utf8)
            return
        }
        let want = try String(contentsOf: url, encoding: .utf8)
        if got == want { return }
        // Name the first query section that differs, with its first differing line.
        let g = Self.sections(got), w = Self.sections(want)
        for name in Set(g.keys).union(w.keys).sorted() where g[name] != w[name] {
            let gl = g[name] ?? [], wl = w[name] ?? []
            let i = (0..<min(gl.count, wl.count)).first { gl[$0] != wl[$0] } ?? min(gl.count, wl.count)
            Issue.record("\(t) \(name): line \(i + 1): got \(i < gl.count ? gl[i] : "<end>") want \(i < wl.count ? wl[i] : "<end>") (\(gl.count) vs \(wl.count) lines)")
        }
    }

    static func sections(_ text: String) -> [String: [String]] {
        var out: [String: [String]] = [:]
        var name = ""
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("## ") { name = String(line.dropFirst(3)); out[name] = [] } else { out[name, default: []].append(String(line)) }
        }
        return out
    }

    @Test("every fixture has a snapshot, and every snapshot a fixture")
    func coverage() throws {
        #expect(Self.traces.count >= 70, "fixtures found: \(Self.traces.count)")
        for t in Self.traces { #expect(FileManager.default.fileExists(atPath: Self.file(t).path), "no snapshot for \(t)") }
    }
}
