import Foundation
import Testing

@Suite("Fault injection (end to end)")
struct FaultInjectionCLITests {
    /// Runs tracedb with `args`, output discarded, and SIGKILLs it after `delay` seconds.
    static func killed(after delay: Double, _ args: [String]) throws {
        let p = Process()
        p.executableURL = CLI.binary
        p.arguments = args
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        usleep(useconds_t(delay * 1_000_000))
        kill(p.processIdentifier, SIGKILL)
        p.waitUntilExit()
    }

    @Test("SIGKILL at seeded random points of real ingests (and of a --replace): sound database, earlier traces intact, no partial trace")
    func killAtRandomPoints() throws {
        let first = Faults.fixture("gcheavy"), a = Faults.fixture("explosion"), b = Faults.fixture("cpuio")
        try #require([first, a, b].allSatisfy { FileManager.default.fileExists(atPath: $0) }, "missing fixtures")
        let dir = try CLI.tempDir(); defer { try? FileManager.default.removeItem(at: dir) }
        let db = dir.appendingPathComponent("t.db").path
        #expect(try CLI.run(["ingest", "--db", db, first, a]).status == 0)
        let tables = try Faults.perTraceTables(db)
        let earlier = "SELECT count(*), sum(ts_ns), sum(kind), sum(coalesce(goid, -1)) FROM events WHERE trace_id = 1"
        let before = try CLI.sqlite(db, earlier)
        let beforeGoroutines = try CLI.sqlite(db, "SELECT count(*), sum(exec_ns), sum(block_ns) FROM goroutines WHERE trace_id = 1")
        // How long the killed command takes when left alone, so the kill points span all of it.
        let scratch = dir.appendingPathComponent("scratch.db").path
        _ = try CLI.run(["ingest", "--db", scratch, a])
        let t0 = Date()
        _ = try CLI.run(["ingest", "--db", scratch, "--replace", a, b])
        let full = max(Date().timeIntervalSince(t0), 0.05)
        var rng = Faults.LCG(state: 20_261_129)
        let points = (0..<8).map { _ in Double(rng.next(1000)) / 1000 * full * 1.1 }
        for delay in points {
            // Replaces explosion (old copy must survive a kill) and adds cpuio.
            try Self.killed(after: delay, ["ingest", "--db", db, "--replace", a, b])
            let where_ = String(format: "killed after %.0f ms of %.0f", delay * 1000, full * 1000)
            #expect(try Faults.problems(db, tables: tables) == [], "\(where_)")
            #expect(try CLI.sqlite(db, earlier) == before, "\(where_): trace 1 changed")
            #expect(try CLI.sqlite(db, "SELECT count(*), sum(exec_ns), sum(block_ns) FROM goroutines WHERE trace_id = 1") == beforeGoroutines)
            // The replaced trace is there exactly once, old or new, never half.
            #expect(try CLI.sqlite(db, "SELECT count(*) FROM traces WHERE file_name = 'explosion.trace'") == "1", "\(where_)")
        }
        // The database is still fully usable.
        let r = try CLI.run(["ingest", "--db", db, "--replace", a, b])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(try CLI.sqlite(db, "SELECT group_concat(file_name, ',') FROM (SELECT file_name FROM traces ORDER BY file_name)")
                == "cpuio.trace,explosion.trace,gcheavy.trace")
        #expect(try Faults.problems(db, tables: tables) == [])
    }

    @Test("SIGKILL at seeded random points of an ingest into a new database: no database or a whole one, never a partial one; the next ingest cleans up")
    func killNewDatabaseIngest() throws {
        let a = Faults.fixture("explosion"), b = Faults.fixture("cpuio")
        try #require([a, b].allSatisfy { FileManager.default.fileExists(atPath: $0) }, "missing fixtures")
        let dir = try CLI.tempDir(); defer { try? FileManager.default.removeItem(at: dir) }
        let scratch = dir.appendingPathComponent("scratch.db").path
        let t0 = Date()
        #expect(try CLI.run(["ingest", "--db", scratch, a, b]).status == 0)
        let full = max(Date().timeIntervalSince(t0), 0.05)
        let tables = try Faults.perTraceTables(scratch)
        var rng = Faults.LCG(state: 20_261_203)
        for (k, delay) in (0..<8).map({ _ in Double(rng.next(1000)) / 1000 * full * 1.1 }).enumerated() {
            let db = dir.appendingPathComponent("new-\(k).db").path
            try Self.killed(after: delay, ["ingest", "--db", db, a, b])
            let where_ = String(format: "killed after %.0f ms of %.0f", delay * 1000, full * 1000)
            if FileManager.default.fileExists(atPath: db) {
                // Put in place only once whole: the first trace at least, every trace in it complete.
                #expect(try Faults.problems(db, tables: tables) == [], "\(where_)")
                #expect(try CLI.sqlite(db, "SELECT count(*) >= 1 FROM traces") == "1", "\(where_)")
                #expect(try CLI.sqlite(db, "PRAGMA journal_mode") == "wal", "\(where_)")
            }
            // The next ingest into it succeeds and removes the killed one's temporary file.
            let r = try CLI.run(["ingest", "--db", db, a, b])
            #expect(r.status == 0, "\(where_): \(r.stderr)")
            #expect(try CLI.sqlite(db, "SELECT group_concat(file_name, ',') FROM (SELECT file_name FROM traces ORDER BY file_name)")
                    == "cpuio.trace,explosion.trace", "\(where_)")
            #expect(try Faults.problems(db, tables: tables) == [], "\(where_)")
        }
        let left = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.contains(".tracedb-tmp-") }
        #expect(left == [], "temporary files left: \(left)")
    }

    @Test("two tracedb ingest processes creating the same new database at once: both succeed, both traces in it")
    func concurrentNewDatabase() throws {
        let a = Faults.fixture("explosion"), b = Faults.fixture("cpuio")
        let dir = try CLI.tempDir(); defer { try? FileManager.default.removeItem(at: dir) }
        let db = dir.appendingPathComponent("new.db").path
        var procs: [(Process, URL)] = []
        for (i, f) in [a, b].enumerated() {
            let p = Process()
            p.executableURL = CLI.binary
            p.arguments = ["ingest", "--db", db, f]
            let err = dir.appendingPathComponent("err-\(i)")
            FileManager.default.createFile(atPath: err.path, contents: nil)
            p.standardOutput = FileHandle.nullDevice
            p.standardError = try FileHandle(forWritingTo: err)
            try p.run()
            procs.append((p, err))
        }
        for (p, err) in procs {
            p.waitUntilExit()
            #expect(p.terminationStatus == 0, "\((try? String(contentsOf: err, encoding: .utf8)) ?? "")")
        }
        #expect(try CLI.sqlite(db, "SELECT group_concat(file_name, ',') FROM (SELECT file_name FROM traces ORDER BY file_name)")
                == "cpuio.trace,explosion.trace")
        #expect(try Faults.problems(db, tables: Faults.perTraceTables(db)) == [])
        let left = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.contains(".tracedb-tmp-") }
        #expect(left == [], "temporary files left: \(left)")
    }

    @Test("a full disk: exit 2, one clear line, the database unchanged")
    func diskFull() throws {
        let dir = try CLI.tempDir(); defer { try? FileManager.default.removeItem(at: dir) }
        let db = dir.appendingPathComponent("t.db").path
        #expect(try CLI.run(["ingest", "--db", db, Faults.fixture("tasks")]).status == 0)
        let before = try Faults.dump(db)
        let pages = try #require(Int(try CLI.sqlite(db, "PRAGMA page_count")))
        // Room for a few more pages only (a full file system gives the same SQLITE_FULL; see .notes).
        let r = try CLI.run(["ingest", "--db", db, Faults.fixture("gcheavy")], env: ["TRACEDB_MAX_PAGE_COUNT": String(pages + 4)])
        #expect(r.status == 2)
        #expect(r.stderr.contains("gcheavy.trace") && r.stderr.contains("full") && r.stderr.contains("nothing was written"), "\(r.stderr)")
        #expect(!r.stderr.contains("SQLite error"), "\(r.stderr)")
        #expect(r.stderr.split(separator: "\n").count == 1, "\(r.stderr)")
        #expect(try Faults.dump(db) == before)
        // A new database on a disk too full for the schema.
        let fresh = dir.appendingPathComponent("fresh.db").path
        let f = try CLI.run(["ingest", "--db", fresh, Faults.fixture("tasks")], env: ["TRACEDB_MAX_PAGE_COUNT": "3"])
        #expect(f.status == 2 && f.stderr.contains("full") && !f.stderr.contains("SQLite error"), "\(f.stderr)")
    }

    // /dev/full (always full) exists on Linux, where CI runs; macOS has no such device.
    @Test("an export whose output cannot be written (full disk): exit 2, one clear line, no partial file",
          .enabled(if: FileManager.default.fileExists(atPath: "/dev/full"), "no /dev/full on this system (Linux has it)"))
    func exportDiskFull() throws {
        let full = try #require(FileHandle(forWritingAtPath: "/dev/full"))
        let dir = try CLI.tempDir(); defer { try? FileManager.default.removeItem(at: dir) }
        let db = dir.appendingPathComponent("t.db").path
        #expect(try CLI.run(["ingest", "--db", db, Faults.fixture("tasks")]).status == 0)
        // Standard output on a full device.
        let e = try CLI.run(["export", "folded", "--profile", "sched", "--db", db], stdout: full)
        #expect(e.status == 2, "\(e.stderr)")
        #expect(e.stderr == "tracedb: cannot write the output: No space left on device\n", "\(e.stderr)")
        // tracedb dump: never exit 0 with a cut output.
        let d = try CLI.run(["dump", Faults.fixture("gcheavy")], stdout: full)
        #expect(d.status == 2 && d.stderr.hasSuffix("gcheavy.trace: cannot write the output: No space left on device\n"), "\(d.stderr)")
    }

    @Test("a read-only database file or folder: exit 2, a clear error, the database unchanged")
    func readOnly() throws {
        let fm = FileManager.default
        let dir = try CLI.tempDir(); defer {
            try? fm.setAttributes([.posixPermissions: 0o755], ofItemAtPath: dir.appendingPathComponent("ro").path)
            try? fm.removeItem(at: dir)
        }
        try fm.setAttributes([.posixPermissions: 0o777], ofItemAtPath: dir.path)
        let db = dir.appendingPathComponent("t.db").path
        #expect(try CLI.run(["ingest", "--db", db, Faults.fixture("tasks")]).status == 0)
        _ = try CLI.sqlite(db, "PRAGMA wal_checkpoint(TRUNCATE)")
        let before = try Faults.dump(db)
        // 1. The file is read-only (its folder is writable).
        try fm.setAttributes([.posixPermissions: 0o444], ofItemAtPath: db)
        guard let r = try Faults.runUnprivileged(["ingest", "--db", db, Faults.fixture("workers")]) else {
            // Root ignores file permissions; without setpriv the test cannot drop them.
            try Test.cancel("running as root without /usr/bin/setpriv: cannot test file permissions")
        }
        #expect(r.status == 2)
        #expect(r.stderr.contains("t.db") && r.stderr.contains("read-only") && !r.stderr.contains("SQLite error"), "\(r.stderr)")
        #expect(try Faults.dump(db) == before)
        // Reading it still works.
        let q = try #require(try Faults.runUnprivileged(["sql", "--db", db, "SELECT count(*) AS n FROM traces", "--format", "csv"]))
        #expect(q.status == 0 && q.stdout == "n\n1\n", "\(q.stdout) \(q.stderr)")

        // 2. The folder is read-only (the file is writable): SQLite cannot create t.db-wal and t.db-shm.
        let ro = dir.appendingPathComponent("ro")
        try fm.createDirectory(at: ro, withIntermediateDirectories: true)
        let db2 = ro.appendingPathComponent("t.db").path
        try fm.copyItem(atPath: db, toPath: db2)
        try fm.setAttributes([.posixPermissions: 0o666], ofItemAtPath: db2)
        try fm.setAttributes([.posixPermissions: 0o555], ofItemAtPath: ro.path)
        let r2 = try #require(try Faults.runUnprivileged(["ingest", "--db", db2, Faults.fixture("workers")]))
        #expect(r2.status == 2)
        #expect(r2.stderr.contains("read-only") && r2.stderr.contains("-wal") && !r2.stderr.contains("SQLite error"), "\(r2.stderr)")
        // Reading it works (opened immutable: no -wal holds changes, and nobody can write there).
        let q2 = try #require(try Faults.runUnprivileged(["sql", "--db", db2, "SELECT count(*) AS n FROM traces", "--format", "csv"]))
        #expect(q2.status == 0 && q2.stdout == "n\n1\n", "\(q2.stdout) \(q2.stderr)")
        // 3. A new database in a read-only folder.
        let r3 = try #require(try Faults.runUnprivileged(["ingest", "--db", ro.appendingPathComponent("new.db").path, Faults.fixture("workers")]))
        #expect(r3.status == 2)
        #expect(r3.stderr.contains("cannot create the database") && r3.stderr.contains("not writable"), "\(r3.stderr)")
        try fm.setAttributes([.posixPermissions: 0o755], ofItemAtPath: ro.path)
        #expect(try Faults.dump(db2) == before)
        #expect(!fm.fileExists(atPath: ro.appendingPathComponent("new.db").path))
    }
}
