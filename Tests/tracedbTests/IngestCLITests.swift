import Foundation
import Testing

@Suite("tracedb ingest (end to end)")
struct IngestCLITests {
    @Test("ingest prints a summary line per trace, labels are stored, a second ingest skips")
    func ingestAndSkip() throws {
        let trace = CLI.fixture("tasks")
        try #require(FileManager.default.fileExists(atPath: trace), "missing fixture \(trace)")
        let dir = try CLI.tempDir(); defer { try? FileManager.default.removeItem(at: dir) }
        let db = dir.appendingPathComponent("t.db").path
        let r = try CLI.run(["ingest", "--db", db, "--label", "commit=abc123", "--label", "host=ci", trace])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.hasPrefix("trace 1: "))
        #expect(r.stdout.contains("events") && r.stdout.contains("goroutines") && r.stdout.contains("GC cycles"))
        #expect(try CLI.sqlite(db, "SELECT key || '=' || value FROM trace_labels ORDER BY key") == "commit=abc123\nhost=ci")
        let again = try CLI.run(["ingest", "--db", db, trace])
        #expect(again.status == 0)
        #expect(again.stdout.contains("skipped"))
        #expect(try CLI.sqlite(db, "SELECT count(*) FROM traces") == "1")
    }

    @Test("TRACEDB_DB names the default database")
    func envDatabase() throws {
        let trace = CLI.fixture("workers")
        try #require(FileManager.default.fileExists(atPath: trace), "missing fixture \(trace)")
        let dir = try CLI.tempDir(); defer { try? FileManager.default.removeItem(at: dir) }
        let db = dir.appendingPathComponent("env.db").path
        let r = try CLI.run(["ingest", trace], env: ["TRACEDB_DB": db])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(try CLI.sqlite(db, "SELECT count(*) FROM traces") == "1")
    }

    @Test("a bad file: exit 2, one clear error line naming the file, database unchanged")
    func badFile() throws {
        let dir = try CLI.tempDir(); defer { try? FileManager.default.removeItem(at: dir) }
        let db = dir.appendingPathComponent("t.db").path
        let bad = dir.appendingPathComponent("bad file ü.trace").path
        try Data("go 1.22 trace\0\0\0garbage-garbage".utf8).write(to: URL(fileURLWithPath: bad))
        let r = try CLI.run(["ingest", "--db", db, bad])
        #expect(r.status == 2)
        #expect(r.stderr.contains("bad file ü.trace"))
        // The database did not exist: none is left (the new-database path writes it only when complete).
        #expect(!FileManager.default.fileExists(atPath: db))
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["bad file ü.trace"])
        // An existing database: unchanged.
        #expect(try CLI.run(["ingest", "--db", db, CLI.fixture("gcheavy")]).status == 0)
        let r2 = try CLI.run(["ingest", "--db", db, bad])
        #expect(r2.status == 2 && r2.stderr.contains("bad file ü.trace"))
        #expect(try CLI.sqlite(db, "SELECT count(*) FROM traces") == "1")
    }

    @Test("SIGKILL during an ingest leaves a valid database without half a trace")
    func killMidIngest() throws {
        let traces = ["gcheavy", "explosion", "cpuio"].map { CLI.fixture($0) }
        try #require(traces.allSatisfy { FileManager.default.fileExists(atPath: $0) }, "missing fixtures \(traces)")
        let dir = try CLI.tempDir(); defer { try? FileManager.default.removeItem(at: dir) }
        let db = dir.appendingPathComponent("t.db").path
        #expect(try CLI.run(["ingest", "--db", db, traces[0]]).status == 0)
        let before = try CLI.sqlite(db, "SELECT trace_id, event_count FROM traces")
        for delayMs in [5, 20, 60] {
            let p = Process()
            p.executableURL = CLI.binary
            p.arguments = ["ingest", "--db", db, "--replace", traces[1], traces[2]]
            p.standardOutput = FileHandle.nullDevice
            p.standardError = FileHandle.nullDevice
            try p.run()
            usleep(useconds_t(delayMs * 1000))
            kill(p.processIdentifier, SIGKILL)
            p.waitUntilExit()
            #expect(try CLI.sqlite(db, "PRAGMA integrity_check") == "ok")
            // Every trace that is visible is whole: its events are all there.
            #expect(try CLI.sqlite(db, """
                SELECT count(*) FROM traces t WHERE event_count <> (SELECT count(*) FROM events e WHERE e.trace_id = t.trace_id)
                """) == "0")
            #expect(try CLI.sqlite(db, "SELECT count(*) FROM events WHERE trace_id NOT IN (SELECT trace_id FROM traces)") == "0")
            #expect(try CLI.sqlite(db, "SELECT trace_id, event_count FROM traces WHERE trace_id = 1") == before)
        }
    }
}
