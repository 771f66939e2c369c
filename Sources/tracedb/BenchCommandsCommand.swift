import ArgumentParser
import Foundation
import TraceWarehouse

/// `tracedb bench-commands`: every user-facing command timed as a user runs it (one process each), on
/// one large trace, beside Go's own reader in the same run.
struct BenchCommandsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-commands",
        abstract: "Time every user-facing command on a trace: ingest, each saved query, report, compare, trend.",
        discussion: """
        Each command runs as its own `tracedb` process, as a user runs it; the table gives its wall time \
        and peak RSS (the child's, from wait4). Go's reader runs first when --go-reader names it (e.g. \
        the tracebench program of shared/tools, `tracebench FILE`). FILE is ingested into a fresh \
        database; --second FILE (another large trace) is the head of the compare (default: FILE again, \
        ingested under another label); trend runs over --trend-runs copies of FILE.

        Example:
          Fixtures/bench/make-large-trace.sh /tmp/large.trace
          tracedb bench-commands /tmp/large.trace --go-reader /tmp/tracebench --format markdown
        """
    )

    @Argument(help: "A (large) trace file.") var file: String
    @Option(help: "Another trace for the head side of the compare.") var second: String?
    @Option(name: .customLong("go-reader"), help: "Go's reader benchmark program, run as PROGRAM FILE.") var goReader: String?
    @Option(name: .customLong("trend-runs"), help: "Copies of FILE the trend runs over (0: no trend).") var trendRuns = 10
    @Option(help: "Folder for the scratch databases.") var dir: String = NSTemporaryDirectory()
    @Option(help: "Only these saved queries (repeatable; default: all).") var query: [String] = []
    @Option(help: "Output: table or markdown.") var format: String = "table"

    struct Row { var what: String; var seconds: Double; var rssKiB: Int; var note: String }

    func run() throws {
        let exe = Bundle.main.executablePath ?? URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL.path
        let size = (try FileManager.default.attributesOfItem(atPath: file)[.size] as? NSNumber)?.intValue ?? 0
        let db = (dir as NSString).appendingPathComponent("tracedb-benchcmd-\(getpid()).db")
        let trendDB = db + ".trend.db"
        func clean(_ p: String) { for s in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: p + s) } }
        clean(db); clean(trendDB)
        defer { clean(db); clean(trendDB) }
        var rows: [Row] = []
        func progress(_ s: String) { if isatty(2) != 0 { FileHandle.standardError.write(Data("\r\u{1B}[K\(s)".utf8)) } }

        if let goReader {
            for i in 1...3 {
                progress("Go's reader \(i)/3")
                let r = try Self.time(goReader, [file])
                // The events/s note is filled in once the ingest has counted the events.
                rows.append(Row(what: "Go's reader (run \(i))", seconds: r.seconds, rssKiB: r.rssKiB, note: ""))
            }
        }
        progress("ingest")
        let ing = try Self.time(exe, ["ingest", "--db", db, "--label", "side=base", file])
        guard ing.status == 0 else { throw ValidationError("tracedb ingest failed: \(ing.stderr)") }
        let events = try Self.events(db)
        rows.append(Row(what: "ingest", seconds: ing.seconds, rssKiB: ing.rssKiB,
                        note: String(format: "%.2fM events/s, database %.1f× the trace", Double(events) / ing.seconds / 1e6,
                                     Double((try? FileManager.default.attributesOfItem(atPath: db)[.size] as? NSNumber)??.intValue ?? 0) / Double(max(size, 1)))))
        if goReader != nil {
            for i in rows.indices where rows[i].what.hasPrefix("Go's reader") {
                rows[i].note = String(format: "%.2fM events/s", Double(events) / rows[i].seconds / 1e6)
            }
        }
        let names = query.isEmpty ? try QueryLibrary.builtIn().names : query
        for (i, q) in names.enumerated() {
            progress("query \(i + 1)/\(names.count) \(q)")
            let r = try Self.time(exe, ["query", q, "--db", db, "--format", "csv"])
            rows.append(Row(what: "query \(q)", seconds: r.seconds, rssKiB: r.rssKiB, note: r.status == 0 ? "" : "exit \(r.status)"))
        }
        progress("report")
        let html = db + ".html"
        defer { try? FileManager.default.removeItem(atPath: html) }
        let rep = try Self.time(exe, ["report", "--db", db, "--output", html])
        rows.append(Row(what: "report", seconds: rep.seconds, rssKiB: rep.rssKiB, note: rep.status == 0 ? "" : "exit \(rep.status)"))

        progress("compare")
        rows.append(contentsOf: try compareRows(exe: exe, db: db))
        if trendRuns > 0 { progress("trend"); rows.append(try trendRow(exe: exe, trendDB: trendDB)) }
        progress("")
        print(Self.render(rows, format: format, file: file, size: size, events: events))
    }

    /// The head (--second, or FILE again) is ingested into a database of its own (one file is one trace
    /// in a database); compare reads both: BASE side=base, HEAD HEADDB:latest.
    func compareRows(exe: String, db: String) throws -> [Row] {
        var out: [Row] = []
        let head = second ?? file
        let headDB = db + ".head.db"
        for s in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: headDB + s) }
        defer { for s in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: headDB + s) } }
        let ing = try Self.time(exe, ["ingest", "--db", headDB, "--label", "side=head", head])
        guard ing.status == 0 else { throw ValidationError("tracedb ingest \(head) failed: \(ing.stderr)") }
        let c = try Self.time(exe, ["compare", "--db", db, "side=base", "\(headDB):latest"])
        out.append(Row(what: "compare (all comparable queries)", seconds: c.seconds, rssKiB: c.rssKiB,
                       note: c.status <= 1 ? "" : "exit \(c.status): \(c.stderr.prefix(200))"))
        let again = try Self.time(exe, ["compare", "--db", db, "side=base", "\(headDB):latest"])
        out.append(Row(what: "compare again", seconds: again.seconds, rssKiB: again.rssKiB, note: ""))
        return out
    }

    /// `trend` over `trendRuns` traces: FILE ingested once, then its rows copied under new trace ids.
    func trendRow(exe: String, trendDB: String) throws -> Row {
        let ing = try Self.time(exe, ["ingest", "--db", trendDB, "--label", "commit=c1", file])
        guard ing.status == 0 else { throw ValidationError("tracedb ingest failed: \(ing.stderr)") }
        let w = try Warehouse(path: trendDB)
        let tables = try w.perTraceTables()
        for i in 2...max(trendRuns, 2) {
            try w.db.transaction {
                try w.db.execute("""
                    INSERT INTO traces SELECT NULL, file_name, file_path, file_size, sha256 || '-\(i)', go_version, ingested_at,
                      tracedb_version, start_abs_ns, end_abs_ns, duration_ns, event_count, goroutine_count, gc_count,
                      generation_count, gomaxprocs, max_gomaxprocs, wall_start, wall_start_unix_ns, complete, warning,
                      ingest_seconds FROM traces WHERE trace_id = 1
                    """)
                let id = w.db.lastInsertRowID
                for t in tables where t != "trace_labels" {
                    let cols = try Self.columns(w.db, t).map { $0 == "trace_id" ? "\(id)" : "\"\($0)\"" }.joined(separator: ", ")
                    try w.db.execute("INSERT INTO \"\(t)\" SELECT \(cols) FROM \"\(t)\" WHERE trace_id = 1")
                }
                try w.db.execute("INSERT INTO trace_labels VALUES (\(id), 'commit', 'c\(i)')")
            }
        }
        let r = try Self.time(exe, ["trend", "sched-latency.p99_ns", "--label", "commit", "--db", trendDB])
        return Row(what: "trend sched-latency.p99_ns over \(trendRuns) runs", seconds: r.seconds, rssKiB: r.rssKiB,
                   note: r.status == 0 ? "" : "exit \(r.status)")
    }

    static func columns(_ db: Database, _ table: String) throws -> [String] {
        let s = try db.prepare("SELECT name FROM pragma_table_info(?) ORDER BY cid")
        try s.bind(1, table)
        var out: [String] = []
        while try s.step() { out.append(s.text(0)) }
        return out
    }

    static func events(_ db: String) throws -> Int64 {
        let w = try Warehouse(path: db, readOnly: true)
        return try w.db.scalarInt("SELECT max(event_count) FROM traces") ?? 0
    }

    /// Runs a program to completion, output discarded but stderr kept: wall seconds, the child's peak RSS.
    /// Spawned with posix_spawn and reaped here with wait4 (Foundation's Process reaps its children on
    /// its own thread, which can take the child's resource usage before wait4 sees it: "0 MiB").
    static func time(_ program: String, _ args: [String]) throws -> (seconds: Double, rssKiB: Int, status: Int32, stderr: String) {
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { throw ValidationError("pipe failed: errno \(errno)") }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, fds[1], 2)
        posix_spawn_file_actions_addclose(&actions, fds[0])
        posix_spawn_file_actions_addclose(&actions, fds[1])
        let argv: [UnsafeMutablePointer<CChar>?] = ([program] + args).map { strdup($0) } + [nil]
        defer { for a in argv { free(a) } }
        var pid: pid_t = 0
        let start = Date()
        let rc = posix_spawn(&pid, program, &actions, nil, argv, environ)
        close(fds[1])
        guard rc == 0 else { close(fds[0]); throw ValidationError("cannot run \(program): errno \(rc)") }
        let errData = FileHandle(fileDescriptor: fds[0], closeOnDealloc: true).readDataToEndOfFile()
        var status: Int32 = 0
        var usage = rusage()
        while wait4(pid, &status, 0, &usage) < 0 && errno == EINTR {}
        let seconds = Date().timeIntervalSince(start)
        let code = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        return (seconds, Int(usage.ru_maxrss), code, String(decoding: errData, as: UTF8.self))
    }

    static func render(_ rows: [Row], format: String, file: String, size: Int, events: Int64) -> String {
        var out = String(format: "%@: %.1f MB, %d events\n", file, Double(size) / 1e6, events)
        if format == "markdown" {
            out += "| command | wall | peak RSS | |\n|---|---:|---:|---|\n"
            for r in rows { out += String(format: "| %@ | %.2f s | %d MiB | %@ |\n", r.what, r.seconds, r.rssKiB / 1024, r.note) }
        } else {
            let w = rows.map(\.what.count).max() ?? 10
            for r in rows {
                out += r.what.padding(toLength: w, withPad: " ", startingAt: 0)
                out += String(format: "  %7.2f s  %5d MiB  %@\n", r.seconds, r.rssKiB / 1024, r.note)
            }
            let q = rows.filter { $0.what.hasPrefix("query ") }
            out += String(format: "%d queries: %.1f s in all, slowest %.2f s, %d over 1 s\n", q.count, q.reduce(0) { $0 + $1.seconds },
                          q.map(\.seconds).max() ?? 0, q.filter { $0.seconds > 1 }.count)
        }
        return out
    }
}
