import Foundation
import Testing

@Suite("tracedb queries / query (end to end)")
struct QueryCLITests {
    @Test("queries lists the library with titles; queries NAME shows the header")
    func list() throws {
        let r = try CLI.run(["queries"])
        #expect(r.status == 0, "\(r.stderr)")
        let line = try #require(r.stdout.split(separator: "\n").first { $0.hasPrefix("sched-latency ") })
        #expect(line.contains("Scheduling latency (Runnable → Running), overall") && line.contains("(overall)") && line.contains("built-in"))
        #expect(r.stdout.contains("blocking-by-reason") && r.stdout.contains("reason"))
        let one = try CLI.run(["queries", "gc-pauses"])
        #expect(one.status == 0)
        #expect(one.stdout.hasPrefix("gc-pauses — Stop-the-world pauses by reason\n"))
        #expect(one.stdout.contains("keys (one row per): reason") && one.stdout.contains("p99_ns    ns     lower"))
        let json = try CLI.run(["queries", "--format", "json"])
        let list = try parseJSON(json.stdout) as! [[String: Any]]
        let sl = try #require(list.first { $0["name"] as? String == "sched-latency" })
        #expect((sl["metrics"] as! [[String: Any]]).contains { $0["column"] as? String == "p99_ns" && $0["unit"] as? String == "ns" })
        let missing = try CLI.run(["queries", "nosuch"])
        #expect(missing.status == 2 && missing.stderr.contains("no saved query named 'nosuch'"))
    }

    @Test("query runs a saved query on a trace: table with human units, csv and json raw")
    func query() throws {
        let db = try FixtureDB(); defer { db.remove() }
        let t = try db.run(["query", "sched-latency", "--trace", "commit=head"])
        #expect(t.status == 0, "\(t.stderr)")
        let lines = t.stdout.split(separator: "\n").map(String.init)
        #expect(lines[0].split(separator: " ", omittingEmptySubsequences: true) == ["count", "p50_ns", "p90_ns", "p99_ns", "p999_ns", "max_ns", "total_ns"])
        #expect(lines[2].contains("µs") && lines[2].contains("2,00"), "\(lines[2])")
        #expect(lines.last == "(1 row)")
        let csv = try db.run(["query", "sched-latency", "--trace", "2", "--format", "csv"])
        #expect(csv.status == 0 && csv.stderr.isEmpty)
        let rows = parseCSV(csv.stdout)
        #expect(rows.count == 2 && rows[0] == ["count", "p50_ns", "p90_ns", "p99_ns", "p999_ns", "max_ns", "total_ns"])
        #expect(rows[1].allSatisfy { Int($0) != nil }, "\(rows[1])")
        let json = try db.run(["query", "blocking-by-reason", "--trace", "2", "--format", "json"])
        let objs = try parseJSON(json.stdout) as! [[String: Any]]
        #expect(objs.contains { $0["reason"] as? String == "chan send" && ($0["total_ns"] as? Int ?? 0) > 0 })
        // The default trace is the latest (pool), parameters bind, sequential has no chan send.
        let latest = try db.run(["query", "sched-latency-by-function", "--param", "top=1", "--format", "csv"])
        #expect(parseCSV(latest.stdout).count == 2)
        let seq = try db.run(["query", "blocking-by-reason", "--trace", "commit=base", "--format", "csv"])
        #expect(!seq.stdout.contains("chan send"))
        let md = try db.run(["query", "gc-pauses", "--trace", "1", "--format", "markdown"])
        #expect(md.stdout.hasPrefix("| reason | is_gc | count | total_ns |"))
    }

    @Test("query on a trace file ingests it on the fly; errors exit 2")
    func traceFileAndErrors() throws {
        let dir = try CLI.tempDir(); defer { try? FileManager.default.removeItem(at: dir) }
        let r = try CLI.run(["query", "goroutine-peak", "--trace", CLI.fixture("explosion"), "--format", "json",
                             "--db", dir.appendingPathComponent("unused.db").path])
        #expect(r.status == 0, "\(r.stderr)")
        let rows = try parseJSON(r.stdout) as! [[String: Any]]
        #expect((rows.first?["created"] as? Int ?? 0) >= 1000)
        let db = try FixtureDB(); defer { db.remove() }
        for (args, message) in [(["query", "nosuch"], "no saved query named 'nosuch'"),
                                (["query", "sched-latency", "--param", "nope=1"], "unknown parameter 'nope'"),
                                (["query", "sched-latency", "--trace", "77"], "no trace with id 77"),
                                (["query", "sched-latency", "--param", "trace_id=1"], "--trace")] {
            let e = try db.run(args)
            #expect(e.status == 2, "\(args)")
            #expect(e.stderr.hasPrefix("tracedb query: ") && e.stderr.contains(message), "\(args): \(e.stderr)")
        }
        let nodb = try CLI.run(["query", "sched-latency", "--db", dir.appendingPathComponent("missing.db").path])
        #expect(nodb.status == 2 && nodb.stderr.contains("no tracedb database"))
    }

    @Test("user query folders: --queries and $TRACEDB_QUERIES; a broken file names its file and line")
    func userQueries() throws {
        let db = try FixtureDB(); defer { db.remove() }
        let qdir = db.dir.appendingPathComponent("my queries")
        try FileManager.default.createDirectory(at: qdir, withIntermediateDirectories: true)
        try """
            -- name: busiest
            -- title: The busiest goroutines
            -- description: Goroutines by execution time.
            -- param: trace_id = latest — the trace
            -- param: top = 3 — rows
            -- key: name
            -- metric: exec_ns ns none — running time
            SELECT name, sum(exec_ns) AS exec_ns FROM goroutines
            WHERE trace_id = coalesce(:trace_id, (SELECT max(trace_id) FROM traces))
            GROUP BY name ORDER BY exec_ns DESC LIMIT coalesce(:top, 3)
            """.write(to: qdir.appendingPathComponent("busiest.sql"), atomically: true, encoding: .utf8)
        let r = try db.run(["query", "busiest", "--queries", qdir.path, "--param", "top=2", "--format", "csv"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(parseCSV(r.stdout).count == 3 && r.stdout.hasPrefix("name,exec_ns\n"))
        let env = try db.run(["queries"], env: ["TRACEDB_QUERIES": qdir.path])
        #expect(env.stdout.contains("busiest") && env.stdout.contains("The busiest goroutines"))
        let cmp = try db.run(["compare", "1", "2", "--queries", qdir.path, "--query", "busiest", "--no-scorecard"])
        #expect(cmp.status == 0 && cmp.stdout.contains("busiest — The busiest goroutines"), "\(cmp.stderr)")
        // A query file path works too.
        let byPath = try db.run(["query", qdir.appendingPathComponent("busiest.sql").path, "--trace", "1"])
        #expect(byPath.status == 0 && byPath.stdout.contains("main.main"))
        // A broken header: the error names the file and the line.
        try """
            -- name: broken
            -- title: Broken
            -- description: Has a bad metric line.
            -- metric: n furlongs lower — bad unit
            SELECT 1 AS n
            """.write(to: qdir.appendingPathComponent("broken.sql"), atomically: true, encoding: .utf8)
        for args in [["queries", "--queries", qdir.path], ["query", "busiest", "--queries", qdir.path],
                     ["compare", "1", "2", "--queries", qdir.path]] {
            let e = try db.run(args)
            #expect(e.status == 2, "\(args)")
            #expect(e.stderr.contains(qdir.appendingPathComponent("broken.sql").path + ":4: unknown unit 'furlongs'"), "\(e.stderr)")
        }
        // Broken SQL in a good header: the error names the file and the statement's line.
        try FileManager.default.removeItem(at: qdir.appendingPathComponent("broken.sql"))
        try """
            -- name: badsql
            -- title: Bad SQL
            -- description: Refers to a missing table.
            -- metric: n count none — n

            SELECT count(*) AS n
            FROM no_such_table
            """.write(to: qdir.appendingPathComponent("badsql.sql"), atomically: true, encoding: .utf8)
        let bad = try db.run(["query", "badsql", "--queries", qdir.path])
        #expect(bad.status == 2)
        #expect(bad.stderr.contains("badsql.sql:6") || bad.stderr.contains("badsql.sql:7"), "\(bad.stderr)")
        #expect(bad.stderr.contains("no such table: no_such_table"))
    }
}
