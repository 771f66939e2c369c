import Foundation
import Testing

/// Helpers for the fault-injection, concurrency and safety tests.
enum Faults {
    /// Everything in the database, as `sqlite3 .dump` prints it (schema and every row, in order).
    static func dump(_ db: String) throws -> String { try CLI.sqlite(db, ".dump") }

    /// The per-trace tables (those with a trace_id column, besides traces).
    static func perTraceTables(_ db: String) throws -> [String] {
        try CLI.sqlite(db, """
            SELECT m.name FROM sqlite_schema m WHERE m.type = 'table' AND m.name <> 'traces'
              AND EXISTS (SELECT 1 FROM pragma_table_info(m.name) c WHERE c.name = 'trace_id') ORDER BY m.name
            """).split(separator: "\n").map(String.init)
    }

    /// Checks that the database is sound and holds only whole traces; returns a problem or nil.
    static func problems(_ db: String, tables: [String]) throws -> [String] {
        var out: [String] = []
        let ic = try CLI.sqlite(db, "PRAGMA integrity_check")
        if ic != "ok" { out.append("integrity_check: \(ic)") }
        let partial = try CLI.sqlite(db, """
            SELECT count(*) FROM traces t WHERE event_count IS NULL OR complete IS NULL
              OR event_count <> (SELECT count(*) FROM events e WHERE e.trace_id = t.trace_id)
            """)
        if partial != "0" { out.append("\(partial) traces whose events are not all there") }
        let orphans = tables.map { "(SELECT count(*) FROM \"\($0)\" WHERE trace_id NOT IN (SELECT trace_id FROM traces))" }
        let o = try CLI.sqlite(db, "SELECT " + orphans.joined(separator: " + "))
        if o != "0" { out.append("\(o) rows of traces that are not in traces") }
        return out
    }

    /// A small deterministic generator (so a failing kill point can be reproduced).
    struct LCG {
        var state: UInt64
        mutating func next(_ n: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(max(n, 1)))
        }
    }

    /// Runs `tracedb args…` as the unprivileged user `nobody` when the tests run as root (file
    /// permissions do not stop root), else as is. Nil if that is not possible here.
    static func runUnprivileged(_ args: [String]) throws -> CLI.Output? {
        guard getuid() == 0 else { return try CLI.run(args) }
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv") else { return nil }
        let dir = try CLI.tempDir(); defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("out"), err = dir.appendingPathComponent("err")
        FileManager.default.createFile(atPath: out.path, contents: nil)
        FileManager.default.createFile(atPath: err.path, contents: nil)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/setpriv")
        p.arguments = ["--reuid=65534", "--regid=65534", "--clear-groups", CLI.binary.path] + args
        p.standardOutput = try FileHandle(forWritingTo: out)
        p.standardError = try FileHandle(forWritingTo: err)
        try p.run()
        p.waitUntilExit()
        return CLI.Output(status: p.terminationStatus, stdout: try String(contentsOf: out, encoding: .utf8),
                          stderr: try String(contentsOf: err, encoding: .utf8))
    }

    static func fixture(_ name: String, _ version: String = "go1.27") -> String { CLI.fixture(name, version: version) }
}

@Suite("Fault injection (end to end)")
struct FaultInjectionCLITests {
    @Test("SIGKILL at seeded random points of real ingests (and of a --replace): sound database, earlier traces intact, no partial trace")
    func killAtRandomPoints() throws {
        let first = Faults.fixture("gcheavy"), a = Faults.fixture("explosion"), b = Faults.fixture("cpuio")
        guard [first, a, b].allSatisfy({ FileManager.default.fileExists(atPath: $0) }) else { return }
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
            let p = Process()
            p.executableURL = CLI.binary
            // Replaces explosion (old copy must survive a kill) and adds cpuio.
            p.arguments = ["ingest", "--db", db, "--replace", a, b]
            p.standardOutput = FileHandle.nullDevice
            p.standardError = FileHandle.nullDevice
            try p.run()
            usleep(useconds_t(delay * 1_000_000))
            kill(p.processIdentifier, SIGKILL)
            p.waitUntilExit()
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

    @Test("an export whose output cannot be written (full disk): exit 2, one clear line, no partial file")
    func exportDiskFull() throws {
        guard let full = FileHandle(forWritingAtPath: "/dev/full") else { return }
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
        guard let r = try Faults.runUnprivileged(["ingest", "--db", db, Faults.fixture("workers")]) else { return }
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

@Suite("Hostile traces under a memory limit (end to end)")
struct RobustMemoryLimitCLITests {
    /// Runs `tracedb args…` with its address space limited to `mib` MiB (`ulimit -v`): an allocation
    /// beyond it fails, and the process dies instead of exiting with 0, 1 or 2.
    static func runLimited(_ args: [String], mib: Int = 256) throws -> CLI.Output {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/sh")
        p.arguments = ["-c", "ulimit -v \(mib * 1024) && exec \"$0\" \"$@\"", CLI.binary.path] + args
        p.standardOutput = FileHandle.nullDevice
        let err = Pipe()
        p.standardError = err
        try p.run()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return CLI.Output(status: p.terminationStatus, stdout: "", stderr: String(decoding: e, as: UTF8.self))
    }

    @Test("huge declared lengths and endless varints: dump and ingest stay under 256 MiB and fail cleanly")
    func hostileUnderLimit() throws {
        let dir = try CLI.tempDir(); defer { try? FileManager.default.removeItem(at: dir) }
        let regressions = CLI.repo.appendingPathComponent("Tests/GoTraceTests/FuzzRegressions")
        var files = ((try? FileManager.default.contentsOfDirectory(atPath: regressions.path)) ?? []).filter {
            ["hostile-batch-size", "hostile-string-len", "hostile-stack-frames", "hostile-wire-", "hostile-experimental",
             "hostile-endless", "hostile-v1-", "crash-", "oom-", "timeout-"].contains(where: $0.hasPrefix)
        }.sorted().map { regressions.appendingPathComponent($0).path }
        // A megabyte of a varint that never ends.
        let endless = dir.appendingPathComponent("endless.trace").path
        try Data(Array("go 1.26 trace\0\0\0".utf8) + [1] + [UInt8](repeating: 0xff, count: 1 << 20)).write(to: URL(fileURLWithPath: endless))
        files.append(endless)
        #expect(files.count > 20)
        let db = dir.appendingPathComponent("t.db").path
        let ok = try Self.runLimited(["ingest", "--db", db, Faults.fixture("gcheavy")])
        #expect(ok.status == 0, "a real trace does not fit in the limit: \(ok.stderr)")
        for f in files {
            for args in [["dump", "--count", f], ["dump", "--wire", f], ["ingest", "--db", db, f]] {
                let r = try Self.runLimited(args)
                #expect([0, 1, 2].contains(r.status), "\(args.dropLast().joined(separator: " ")) \((f as NSString).lastPathComponent): exit \(r.status) \(r.stderr.prefix(300))")
                #expect(r.stderr.split(separator: "\n").count <= 1, "\(r.stderr)")
            }
        }
        #expect(try CLI.sqlite(db, "SELECT count(*) FROM traces") == "1")
    }
}

@Suite("Concurrency (end to end)")
struct ConcurrencyCLITests {
    @Test("parallel tracedb ingest processes into one database while queries run: all succeed, counts add up")
    func parallelIngestsAndQueries() throws {
        let names = ["workers", "tasks", "sequential", "cpuprof", "netfile", "contention", "explosion", "pool"]
        let files = names.map { Faults.fixture($0, "go1.26") }
        guard files.allSatisfy({ FileManager.default.fileExists(atPath: $0) }) else { return }
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
        #expect(try CLI.sqlite(db, "SELECT count(*) FROM traces") == "0")
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
