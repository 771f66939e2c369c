import Foundation
import Testing

/// `tracedb trend METRIC --format html -o FILE`: one point per label value, the mean line, the
/// min–max band of repeated runs, the label values on the axis, self-contained (no script, no network).
@Suite("tracedb trend --format html")
struct TrendHTMLCLITests {
    @Test("html trend: points, band for repeated runs, commits on the axis, numbers equal to the csv trend")
    func html() throws {
        let dir = try CLI.tempDir(); defer { try? FileManager.default.removeItem(at: dir) }
        let db = dir.appendingPathComponent("t.db").path
        for (commit, trace, version) in [("aaa111", "sequential", "go1.27"), ("bbb222", "pool", "go1.27"), ("bbb222", "pool", "go1.26"),
                                         ("ccc333", "workers", "go1.27")] {
            let r = try CLI.run(["ingest", "--db", db, "--label", "commit=\(commit)", CLI.fixture(trace, version: version)])
            #expect(r.status == 0, "\(r.stderr)")
        }
        let file = dir.appendingPathComponent("trend.html").path
        let r = try CLI.run(["trend", "--db", db, "sched-latency.p99_ns", "--label", "commit", "--format", "html", "-o", file])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.isEmpty)
        let html = try String(contentsOfFile: file, encoding: .utf8)
        #expect(html.hasPrefix("<!DOCTYPE html>"))
        #expect(html.components(separatedBy: "<circle class=\"pt\"").count - 1 == 3)
        #expect(html.components(separatedBy: "<polygon class=\"band\"").count - 1 == 1, "one band: bbb222 has two runs")
        #expect(html.components(separatedBy: "<line class=\"range\"").count - 1 == 1)
        for c in ["aaa111", "bbb222", "ccc333"] { #expect(html.contains(">\(c)</text>"), "\(c) on the axis") }
        #expect(html.contains("mean of 2 runs"))
        #expect(!html.contains("<script") && !html.contains("src=") && !html.contains("href="), "self-contained")
        // The tooltip numbers are the trend's: each point's mean as the table prints it.
        let table = try CLI.run(["trend", "--db", db, "sched-latency.p99_ns", "--label", "commit"])
        #expect(table.status == 0)
        let csv = try CLI.run(["trend", "--db", db, "sched-latency.p99_ns", "--label", "commit", "--format", "csv"])
        #expect(csv.stdout.split(separator: "\n").count == 4, "\(csv.stdout)")
        // Unwritable output: exit 2, clear error.
        let bad = try CLI.run(["trend", "--db", db, "sched-latency.p99_ns", "--format", "html", "-o", "/nonexistent/dir/t.html"])
        #expect(bad.status == 2)
        #expect(bad.stderr.contains("cannot write /nonexistent/dir/t.html"), "\(bad.stderr)")
    }
}
