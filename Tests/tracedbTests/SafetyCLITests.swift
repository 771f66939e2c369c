import Foundation
import Testing

@Suite("Safety of user input (end to end)")
struct SafetyCLITests {
    static let injection = "1; DROP TABLE traces; --"

    @Test("saved-query parameters are bound, never spliced into the SQL")
    func queryParametersAreBound() throws {
        let dir = try CLI.tempDir(); defer { try? FileManager.default.removeItem(at: dir) }
        let db = dir.appendingPathComponent("t.db").path
        #expect(try CLI.run(["ingest", "--db", db, Faults.fixture("tasks")]).status == 0)
        let before = try Faults.dump(db)
        // A text parameter compared with a column: nothing matches the hostile value, no error.
        for value in [Self.injection, "x' OR '1'='1", "x\" OR \"1\"=\"1", "'); DELETE FROM events; --"] {
            let r = try CLI.run(["query", "--db", db, "tasks-slowest", "--param", "task=\(value)", "--format", "csv"])
            #expect(r.status == 0, "\(value): \(r.stderr)")
            #expect(r.stdout.split(separator: "\n").count == 1, "\(value): rows came back: \(r.stdout)")
        }
        // A numeric parameter given text: a clean error, not an injection.
        let top = try CLI.run(["query", "--db", db, "blocking-by-stack", "--param", "top=\(Self.injection)"])
        #expect(top.status != 0 || !top.stdout.isEmpty)
        #expect(!top.stderr.contains("Fatal error"))
        // tracedb sql binds --param values too: the value comes back as text.
        let s = try CLI.run(["sql", "--db", db, "--format", "csv", "SELECT :x AS x, typeof(:x) AS t", "--param", "x=\(Self.injection)"])
        #expect(s.status == 0 && s.stdout == "x,t\n\(Self.injection),text\n", "\(s.stdout) \(s.stderr)")
        // A hostile trace reference is not SQL either.
        let t = try CLI.run(["query", "--db", db, "gc-pauses", "--trace", "x=1' OR '1'='1"])
        #expect(t.status == 2, "\(t.stdout)")
        #expect(try Faults.dump(db) == before)
    }

    @Test("tracedb sql cannot write without --write, whatever the statement")
    func sqlIsReadOnly() throws {
        let dir = try CLI.tempDir(); defer { try? FileManager.default.removeItem(at: dir) }
        let db = dir.appendingPathComponent("t.db").path
        #expect(try CLI.run(["ingest", "--db", db, Faults.fixture("tasks")]).status == 0)
        let before = try Faults.dump(db)
        let outside = dir.appendingPathComponent("outside.db").path
        for stmt in ["ATTACH DATABASE '\(outside)' AS x; CREATE TABLE x.t(a)", "VACUUM INTO '\(outside)'", "VACUUM",
                     "PRAGMA user_version = 7", "PRAGMA journal_mode = DELETE", "REINDEX", "ANALYZE",
                     "REPLACE INTO trace_labels VALUES (1, 'k', 'v')", "WITH x AS (SELECT 1) DELETE FROM events",
                     "SELECT 1; UPDATE traces SET file_name = 'x'", "DROP VIEW IF EXISTS nothing_here"] {
            let r = try CLI.run(["sql", "--db", db, stmt])
            #expect(r.status == 2, "\(stmt): \(r.stdout)")
            #expect(!r.stderr.isEmpty && !r.stderr.contains("Fatal error"), "\(stmt)")
        }
        #expect(!FileManager.default.fileExists(atPath: outside), "a statement wrote a file outside the database")
        #expect(try Faults.dump(db) == before)
        #expect(try CLI.sqlite(db, "PRAGMA user_version") != "7")
    }

    @Test("ingest refuses what is not a trace file, quickly and clearly: a folder, a missing, empty or huge non-trace file")
    func notTraceFiles() throws {
        let dir = try CLI.tempDir(); defer { try? FileManager.default.removeItem(at: dir) }
        let db = dir.appendingPathComponent("t.db").path
        let empty = dir.appendingPathComponent("empty.trace").path
        FileManager.default.createFile(atPath: empty, contents: nil)
        // 2 GiB (sparse) that is not a trace: refused from its header, not hashed first.
        let huge = dir.appendingPathComponent("huge.trace")
        FileManager.default.createFile(atPath: huge.path, contents: nil)
        let h = try FileHandle(forWritingTo: huge)
        try h.truncate(atOffset: 2 << 30)
        try h.close()
        for (file, message) in [(dir.path, "is a folder"), (dir.appendingPathComponent("missing.trace").path, "cannot read the file"),
                                (empty, "not a Go execution trace"), (huge.path, "not a Go execution trace")] {
            let t0 = Date()
            let r = try CLI.run(["ingest", "--db", db, file])
            #expect(r.status == 2 && r.stderr.contains(message) && r.stderr.split(separator: "\n").count == 1, "\(file): \(r.stderr)")
            #expect(Date().timeIntervalSince(t0) < 10, "\(file)")
        }
        // Nothing ingested: the database, which did not exist, is not made (the new-database path writes
        // it only when a trace has loaded).
        #expect(!FileManager.default.fileExists(atPath: db), "a database was made with nothing in it")
    }

    @Test("exports write only the file asked for; file names with spaces, quotes and non-ASCII work")
    func exportPathsAndFileNames() throws {
        let fm = FileManager.default
        let dir = try CLI.tempDir(); defer { try? fm.removeItem(at: dir) }
        // A trace whose name has spaces, quotes (both kinds) and non-ASCII, in a folder like that too.
        let odd = dir.appendingPathComponent("it's a \"trace\" dir ü")
        try fm.createDirectory(at: odd, withIntermediateDirectories: true)
        let trace = odd.appendingPathComponent("run 1 'Grüße' \"日本\".trace").path
        try fm.copyItem(atPath: Faults.fixture("tasks"), toPath: trace)
        let db = odd.appendingPathComponent("my \"db\" ü.db").path
        let ing = try CLI.run(["ingest", "--db", db, trace])
        #expect(ing.status == 0, "\(ing.stderr)")
        #expect(try CLI.sqlite(db, "SELECT file_name FROM traces") == "run 1 'Grüße' \"日本\".trace")
        let dump = try CLI.run(["dump", trace])
        let original = try CLI.run(["dump", Faults.fixture("tasks")])
        #expect(dump.status == 0 && dump.stdout == original.stdout)
        #expect(try CLI.run(["dump", "--wire", trace]).status == 0)
        // A bad trace with such a name: the error names it exactly.
        let bad = odd.appendingPathComponent("bad 'x' \"y\" ü.trace").path
        try Data("go 1.22 trace\0\0\0\u{1}garbage".utf8).write(to: URL(fileURLWithPath: bad))
        let b = try CLI.run(["ingest", "--db", db, bad])
        #expect(b.status == 2 && b.stderr.contains("bad 'x' \"y\" ü.trace"), "\(b.stderr)")

        // Exports: only the named files appear, in a working folder that is otherwise untouched.
        let work = dir.appendingPathComponent("work")
        try fm.createDirectory(at: work, withIntermediateDirectories: true)
        let outDir = odd.appendingPathComponent("out 'x' ü")
        try fm.createDirectory(at: outDir, withIntermediateDirectories: true)
        let chrome = outDir.appendingPathComponent("timeline \"1\" ü.json").path
        let folded = outDir.appendingPathComponent("sched 'x'.folded").path
        let pprof = outDir.appendingPathComponent("prof ü.pb.gz").path
        let otlp = outDir.appendingPathComponent("spans \"ü\".json").path
        for args in [["export", "chrome", "-o", chrome], ["export", "folded", "--profile", "sched", "-o", folded],
                     ["export", "pprof", "--profile", "sync", "-o", pprof], ["export", "otlp", "-o", otlp]] {
            let r = try CLI.run(args + ["--db", db], cwd: work)
            #expect(r.status == 0, "\(args): \(r.stderr)")
        }
        #expect(try fm.contentsOfDirectory(atPath: work.path) == [], "an export wrote into the working folder")
        #expect(Set(try fm.contentsOfDirectory(atPath: outDir.path)) == Set([chrome, folded, pprof, otlp].map { ($0 as NSString).lastPathComponent }))
        // An output in a folder that does not exist: a clear error, nothing written anywhere.
        let missing = dir.appendingPathComponent("no such dir/x.json").path
        let m = try CLI.run(["export", "chrome", "-o", missing, "--db", db], cwd: work)
        #expect(m.status != 0 && !m.stderr.isEmpty && !m.stderr.contains("Fatal error"), "\(m.stderr)")
        let workAfter = try fm.contentsOfDirectory(atPath: work.path)
        #expect(!fm.fileExists(atPath: missing) && workAfter == [])
    }
}
