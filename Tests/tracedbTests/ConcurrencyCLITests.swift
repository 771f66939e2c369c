import Foundation
import Testing

@Suite("Concurrency (end to end)")
struct ConcurrencyCLITests {
    @Test("parallel tracedb ingest processes into one database while queries run: all succeed, counts add up")
    func parallelIngestsAndQueries() throws {
        let names = ["workers", "tasks", "sequential", "cpuprof", "netfile", "contention", "explosion", "pool"]
        let files = names.map { Faults.fixture($0, "go1.26") }
        try #require(files.allSatisfy { FileManager.default.fileExists(atPath: $0) }, "missing fixtures")
        let dir = try CLI.tempDir(); defer { try? FileManager.default.removeItem(at: dir) }
        let db = dir.appendingPathComponent("t.db").path
        let shared = Faults.fixture("gcheavy", "go1.26")   // every process also ingests this one: loaded once
        #expect(try CLI.run(["ingest", "--db", db, Faults.fixture("workers", "go1.25")]).status == 0)
        let n = 4
        var procs: [(Process, URL)] = []
        for i in 0..<n {
            let p = Process()
            p.executableURL = CLI.binary
            p.arguments = ["ingest", "--db", db, files[2 * i], shared, files[2 * i + 1]]
            let err = dir.appendingPathComponent("err-\(i)")
            FileManager.default.createFile(atPath: err.path, contents: nil)
            p.standardOutput = FileHandle.nullDevice
            p.standardError = try FileHandle(forWritingTo: err)
            try p.run()
            procs.append((p, err))
        }
        // Readers during the ingests: tracedb sql (read-only) and the sqlite3 shell; never a partial trace.
        var queries = 0, failures: [String] = []
        while procs.contains(where: { $0.0.isRunning }) || queries < 3 {
            let r = try CLI.run(["sql", "--db", db, "--format", "csv",
                                 "SELECT count(*) AS n FROM traces t WHERE event_count <> (SELECT count(*) FROM events e WHERE e.trace_id = t.trace_id)"])
            if r.status != 0 || r.stdout != "n\n0\n" { failures.append("\(r.status) \(r.stdout) \(r.stderr)") }
            queries += 1
        }
        for (p, err) in procs {
            p.waitUntilExit()
            let stderr = (try? String(contentsOf: err, encoding: .utf8)) ?? ""
            #expect(p.terminationStatus == 0, "\(stderr)")
        }
        #expect(failures == [], "\(queries) queries")
        #expect(try CLI.sqlite(db, "SELECT count(*) FROM traces") == String(2 * n + 2))
        #expect(try CLI.sqlite(db, "SELECT count(*) FROM traces WHERE file_path LIKE '%go1.26/gcheavy.trace'") == "1")
        #expect(try CLI.sqlite(db, "SELECT sum(event_count) = (SELECT count(*) FROM events) FROM traces") == "1")
        #expect(try Faults.problems(db, tables: Faults.perTraceTables(db)) == [])
    }
}
