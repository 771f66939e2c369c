import Foundation
import Testing

@Suite("tracedb sql (end to end)")
struct SQLCLITests {
    @Test("sql runs read-only SQL: table, csv, json; :trace_id from --trace; -f FILE")
    func select() throws {
        let db = try FixtureDB(); defer { db.remove() }
        let t = try db.run(["sql", "SELECT trace_id, file_name, duration_ns FROM traces ORDER BY trace_id"])
        #expect(t.status == 0, "\(t.stderr)")
        #expect(t.stdout.contains("sequential.trace") && t.stdout.contains("pool.trace") && t.stdout.contains(" ms"))
        #expect(t.stdout.hasSuffix("(2 rows)\n"))
        let csv = try db.run(["sql", "--trace", "commit=head", "--format", "csv",
                              "SELECT key, value FROM trace_labels WHERE trace_id = :trace_id ORDER BY key"])
        #expect(csv.status == 0 && csv.stdout == "key,value\ncommit,head\ngo,go1.27\n", "\(csv.stdout) \(csv.stderr)")
        let json = try db.run(["sql", "--format", "json", "SELECT count(*) AS n, max(duration_ns) AS d FROM traces"])
        let rows = try parseJSON(json.stdout) as! [[String: Any]]
        #expect(rows.count == 1 && rows[0]["n"] as? Int == 2 && (rows[0]["d"] as? Int ?? 0) > 1_000_000)
        let file = db.dir.appendingPathComponent("q.sql")
        try "-- two statements\nSELECT 1 AS one;\nSELECT :x AS x;\n".write(to: file, atomically: true, encoding: .utf8)
        let f = try db.run(["sql", "-f", file.path, "--param", "x=7", "--format", "json"])
        #expect(f.status == 0, "\(f.stderr)")
        let sets = try parseJSON(f.stdout) as! [[[String: Any]]]
        #expect(sets.count == 2 && sets[1][0]["x"] as? Int == 7)
    }

    @Test("sql refuses a statement that writes unless --write; the database is unchanged")
    func refusesWrites() throws {
        let db = try FixtureDB(); defer { db.remove() }
        for stmt in ["DELETE FROM trace_labels", "UPDATE traces SET file_name = 'x'", "CREATE TABLE t(x)",
                     "SELECT 1; DROP TABLE trace_labels", "INSERT INTO trace_labels VALUES (1, 'k', 'v')"] {
            let r = try db.run(["sql", stmt])
            #expect(r.status == 2, "\(stmt)")
            #expect(r.stderr.contains("refusing to run a statement that writes to the database without --write"), "\(r.stderr)")
        }
        #expect(try CLI.sqlite(db.path, "SELECT count(*) FROM trace_labels") == "4")
        let w = try db.run(["sql", "--write", "DELETE FROM trace_labels WHERE key = 'go'"])
        #expect(w.status == 0, "\(w.stderr)")
        #expect(w.stdout.contains("(2 rows changed)"))
        #expect(try CLI.sqlite(db.path, "SELECT count(*) FROM trace_labels") == "2")
    }

    @Test("sql errors name the line; usage errors exit 2")
    func errors() throws {
        let db = try FixtureDB(); defer { db.remove() }
        let file = db.dir.appendingPathComponent("bad.sql")
        try "SELECT 1;\n\nSELECT *\n  FROM nosuch_table;\n".write(to: file, atomically: true, encoding: .utf8)
        let r = try db.run(["sql", "-f", file.path])
        #expect(r.status == 2)
        #expect(r.stderr.contains("bad.sql:3") || r.stderr.contains("bad.sql:4"), "\(r.stderr)")
        #expect(r.stderr.contains("no such table: nosuch_table") && r.stdout.isEmpty)
        let syntax = try db.run(["sql", "SELECT 1,\n  2 FROMM traces"])
        #expect(syntax.status == 2 && syntax.stderr.contains("line 2"), "\(syntax.stderr)")
        #expect(try db.run(["sql"]).status == 2)
        #expect(try db.run(["sql", "SELECT :x"]).stderr.contains("--param x=VALUE"))
    }
}
