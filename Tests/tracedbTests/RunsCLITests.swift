import Foundation
import Testing

@Suite("tracedb runs (end to end)")
struct RunsCLITests {
    @Test("runs lists the traces with labels, duration and event counts")
    func runs() throws {
        let db = try FixtureDB(); defer { db.remove() }
        let r = try db.run(["runs"])
        #expect(r.status == 0, "\(r.stderr)")
        let lines = r.stdout.split(separator: "\n").map(String.init)
        #expect(lines[0].hasPrefix("trace_id  ingested_at") && lines[0].hasSuffix("labels"))
        #expect(lines[2].contains("sequential.trace") && lines[2].contains("commit=base go=go1.27") && lines[2].contains(" ms"))
        #expect(lines[3].contains("pool.trace") && lines[3].contains("commit=head"))
        let csv = try db.run(["runs", "--format", "csv", "--label", "commit=head"])
        let rows = parseCSV(csv.stdout)
        #expect(rows.count == 2 && rows[0].first == "trace_id" && rows[1][0] == "2" && rows[1][2] == "pool.trace")
        let events = try #require(rows[0].firstIndex(of: "events"))
        #expect(Int(rows[1][events])! > 1000)
        let json = try db.run(["runs", "--format", "json", "--label", "commit"])
        let list = try parseJSON(json.stdout) as! [[String: Any]]
        #expect(list.map { $0["trace_id"] as! Int } == [1, 2])
        #expect(list[0]["labels"] as? String == "commit=base go=go1.27")
        let none = try db.run(["runs", "--label", "commit=nope"])
        #expect(none.status == 0 && none.stdout.contains("no traces"))
        let last = try db.run(["runs", "--last", "1", "--format", "csv"])
        #expect(parseCSV(last.stdout).count == 2)
        let missing = try CLI.run(["runs", "--db", db.dir.appendingPathComponent("nope.db").path])
        #expect(missing.status == 2 && missing.stderr.contains("no tracedb database"))
    }
}
