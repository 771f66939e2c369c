import Foundation
import Testing

@Suite("tracedb trend (end to end)")
struct TrendCLITests {
    @Test("trend follows a metric across labelled runs: table, sparkline, csv, json")
    func trend() throws {
        let db = try FixtureDB(repeated: true); defer { db.remove() }
        let r = try db.run(["trend", "goroutine-peak.peak_alive", "--label", "commit"])
        #expect(r.status == 0, "\(r.stderr)")
        let lines = r.stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines[0] == "goroutine-peak.peak_alive by commit (ingest order), lower is better")
        let base = try #require(lines.first { $0.hasPrefix("base ") }), head = try #require(lines.first { $0.hasPrefix("head ") })
        #expect(base.contains("1,2,3") && base.contains(" 8 ") && head.contains("4,5,6") && head.contains(" 11 ") && head.hasSuffix("+37.5%"))
        #expect(r.stdout.contains("trend  ▁█  8 … 11"))
        // One point per Go version among the head runs, sorted by label.
        let byGo = try db.run(["trend", "sched-latency.p99_ns", "--label", "go", "--order", "label", "--filter", "commit=head", "--format", "csv"])
        #expect(byGo.status == 0, "\(byGo.stderr)")
        let rows = parseCSV(byGo.stdout)
        #expect(rows.map { $0[0] } == ["go", "go1.25", "go1.26", "go1.27"] && rows.dropFirst().allSatisfy { Int($0[3]) != nil })
        // Without a label: one point per trace.
        let json = try db.run(["trend", "trace-summary.events", "--format", "json", "--last", "3"])
        let doc = try parseJSON(json.stdout) as! [String: Any]
        let points = doc["points"] as! [[String: Any]]
        #expect(points.map { $0["label"] as! String } == ["4", "5", "6"] && doc["unit"] as? String == "count")
        // A keyed metric.
        let keyed = try db.run(["trend", "blocking-by-reason[reason=chan receive].total_ns", "--label", "commit"])
        #expect(keyed.status == 0 && keyed.stdout.contains(" ms"), "\(keyed.stderr)")
        for (args, message) in [(["trend", "sched-latency"], "cannot read the metric"),
                                (["trend", "sched-latency.p99_ns", "--label", "nosuch"], "no traces with a 'nosuch' label"),
                                (["trend", "nosuch.x"], "no saved query named 'nosuch'")] {
            let e = try db.run(args)
            #expect(e.status == 2 && e.stderr.contains(message), "\(args): \(e.stderr)")
        }
    }
}
