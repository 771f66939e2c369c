import Foundation
import Testing
@testable import TraceWarehouse

/// The saved query library: headers, the README index, the stock sqlite3 shell.
@Suite("Saved queries: library and headers")
struct QueriesLibraryTests {
    static let queryFiles: [String] = {
        let dir = Paths.repo.appendingPathComponent("Queries")
        return ((try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? [])
            .filter { $0.hasSuffix(".sql") }.sorted()
    }()

    @Test("every Queries/*.sql header parses, its name is the file name, and it is embedded in the binary")
    func headersParse() throws {
        #expect(Self.queryFiles.count >= 20)
        let lib = try QueryLibrary.builtIn()
        for file in Self.queryFiles {
            let path = Paths.repo.appendingPathComponent("Queries/\(file)").path
            let text = try String(contentsOfFile: path, encoding: .utf8)
            let q = try SavedQuery.parse(text, sourcePath: "Queries/\(file)")
            #expect(q.name + ".sql" == file)
            #expect(!q.title.isEmpty && q.description.count > 80, "\(file): title and a real description")
            #expect(q.params.first?.name == "trace_id", "\(file): first param is trace_id")
            #expect(lib.query(named: q.name)?.sql == text, "\(file): the embedded copy is stale (rebuild)")
        }
        #expect(lib.names == Self.queryFiles.map { String($0.dropLast(4)) }.sorted())
        for name in ["sched-latency", "sched-profile", "net-profile", "block-profile", "syscall-profile", "mmu",
                     "goroutine-analysis", "blocking-by-reason", "gc-cycles", "gc-pauses", "tasks", "regions"] {
            #expect(lib.query(named: name) != nil, "missing required query \(name)")
        }
    }

    @Test("every query is one statement; its parameters are declared; its keys and metrics are result columns")
    func statementsMatchHeaders() throws {
        let w = try TempWarehouse()
        for q in try QueryLibrary.builtIn().queries {
            let s = try w.warehouse.db.prepare(q.sql)
            let used = Set(s.parameterNames.map { String($0.dropFirst()) })
            #expect(s.parameterNames.allSatisfy { $0.hasPrefix(":") }, "\(q.name): use :name parameters")
            #expect(used == Set(q.params.map(\.name)), "\(q.name): SQL uses \(used.sorted()), header declares \(q.params.map(\.name))")
            #expect(s.isReadOnly, "\(q.name) must not write")
            let cols = (0..<s.columnCount).map { s.columnName($0) }
            for k in q.keys { #expect(cols.contains(k), "\(q.name): key \(k) is not a column of \(cols)") }
            for m in q.metrics { #expect(cols.contains(m.column), "\(q.name): metric \(m.column) is not a column of \(cols)") }
            // Keys come first, in column order.
            #expect(Array(cols.prefix(q.keys.count)) == q.keys, "\(q.name): keys \(q.keys) should be the leading columns \(cols)")
            // Exactly one statement: nothing but whitespace/comments after the first one.
            #expect(Self.statementCount(q.sql) == 1, "\(q.name): one statement per file")
            // No trace-mixing: every query names :trace_id.
            #expect(q.sql.contains("coalesce(:trace_id, (SELECT max(trace_id) FROM traces))"), "\(q.name): default trace")
        }
    }

    /// Counts statements by splitting on `;` outside quotes and comments.
    static func statementCount(_ sql: String) -> Int {
        var count = 0, pending = false
        var i = sql.startIndex
        while i < sql.endIndex {
            let c = sql[i]
            if c == "-" && sql[i...].hasPrefix("--") {
                i = sql[i...].firstIndex(of: "\n") ?? sql.endIndex; continue
            }
            if c == "'" || c == "\"" {
                var j = sql.index(after: i)
                while j < sql.endIndex && sql[j] != c { j = sql.index(after: j) }
                i = j < sql.endIndex ? sql.index(after: j) : j; pending = true; continue
            }
            if c == ";" { if pending { count += 1 }; pending = false } else if !c.isWhitespace { pending = true }
            i = sql.index(after: i)
        }
        return count + (pending ? 1 : 0)
    }

    @Test("Queries/README.md lists every query (generated from the headers)")
    func readmeUpToDate() throws {
        let expected = try QueryLibrary.builtIn().readme()
        let path = Paths.repo.appendingPathComponent("Queries/README.md").path
        let actual = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        if actual != expected && ProcessInfo.processInfo.environment["TRACEDB_UPDATE_README"] == "1" {
            try expected.write(toFile: path, atomically: true, encoding: .utf8)
            return
        }
        #expect(actual == expected, "Queries/README.md is out of date; run `TRACEDB_UPDATE_README=1 swift test --filter QueriesLibraryTests` or write this:\n\(expected)")
    }

    // Needs the stock shell (Debian: apt install sqlite3), which CI installs; without it, skipped.
    @Test("every Queries/*.sql runs in the stock sqlite3 shell on a fresh ingest",
          .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/sqlite3"), "no /usr/bin/sqlite3 (apt install sqlite3)"),
          arguments: ["go1.27/tasks", "sample-gc", "go1.27/gcheavy", "go1.27/cpuprof"])
    func sqliteShell(_ name: String) throws {
        let shell = "/usr/bin/sqlite3"
        let t = try #require(GoldenTrace.all.first(where: { $0.name == name }), "no golden trace \(name)")
        let w = try TempWarehouse()
        try w.ingest(t.trace)
        for file in Self.queryFiles {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: shell)
            p.arguments = ["-bail", w.path]
            p.standardInput = try FileHandle(forReadingFrom: Paths.repo.appendingPathComponent("Queries/\(file)"))
            let out = Pipe(), err = Pipe()
            p.standardOutput = out; p.standardError = err
            try p.run()
            let o = out.fileHandleForReading.readDataToEndOfFile()
            let e = err.fileHandleForReading.readDataToEndOfFile()
            p.waitUntilExit()
            #expect(p.terminationStatus == 0 && e.isEmpty, "\(name) \(file): sqlite3 exit \(p.terminationStatus): \(String(decoding: e, as: UTF8.self))")
            #expect(!o.isEmpty || ["cpu-profile.sql", "task-logs.sql", "tasks-slowest.sql", "critical-path.sql",
                                   "critical-path-region.sql", "regions-slowest.sql", "gc-assist.sql", "regions.sql", "tasks.sql",
                                   "idle-ps-while-runnable-worst.sql", "gc-cycles.sql", "gc-pauses.sql",
                                   "syscalls-by-stack.sql", "syscall-profile.sql", "net-profile.sql", "block-profile.sql",
                                   "goroutine-creation.sql", "wakeups.sql", "sched-delay-causes.sql"].contains(file),
                    "\(name) \(file): no output")
        }
    }

    @Test("header errors name the file and line")
    func headerErrors() {
        func err(_ text: String, _ file: String = "Queries/x.sql") -> QueryFileError? {
            do { _ = try SavedQuery.parse(text, sourcePath: file); return nil } catch let e as QueryFileError { return e } catch { return nil }
        }
        let good = "-- name: x\n-- title: T\n-- description: d\n--   more\n-- param: trace_id = latest — the trace\n-- key: k\n-- metric: m ns lower — help\nSELECT 1 AS k, 2 AS m;\n"
        #expect(err(good) == nil)
        #expect(err(good, "Queries/y.sql") == QueryFileError(file: "Queries/y.sql", line: 1, message: "query name 'x' does not match the file name 'y.sql'"))
        #expect(err(good.replacingOccurrences(of: "m ns lower", with: "m seconds lower"))?.line == 7)
        #expect(err(good.replacingOccurrences(of: "m ns lower", with: "m ns smaller"))?.line == 7)
        #expect(err(good.replacingOccurrences(of: "trace_id = latest — the trace", with: "trace_id latest"))?.line == 5)
        #expect(err(good.replacingOccurrences(of: "-- key: k", with: "-- keys: k"))?.message.contains("unknown tag 'keys'") == true)
        #expect(err(good.replacingOccurrences(of: "-- title: T\n", with: ""))?.message.contains("title") == true)
        #expect(err(good.replacingOccurrences(of: "SELECT 1 AS k, 2 AS m;\n", with: ""))?.message.contains("no SQL") == true)
        #expect(err("-- name: x\n-- title: T\n-- description: d\n-- key: k\n--   stray continuation\nSELECT 1;")?.line == 5)
        #expect(err(good.replacingOccurrences(of: "-- key: k", with: "-- key: k\n-- compare: maybe"))?.line == 7)
        #expect((try? SavedQuery.parse(good.replacingOccurrences(of: "-- key: k", with: "-- key: k\n-- compare: no"), sourcePath: "x.sql"))?.compare == false)
        let q = try? SavedQuery.parse(good, sourcePath: "Queries/x.sql")
        #expect(q?.compare == nil)
        #expect(q?.description == "d more")
        #expect(q?.params == [SavedQuery.Param(name: "trace_id", defaultValue: "latest", help: "the trace")])
        #expect(q?.metrics == [SavedQuery.Metric(column: "m", unit: .ns, direction: .lower, help: "help")])
    }

    @Test("user query directories add and override queries; broken files name file and line")
    func userDirectories() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tracedb-userq-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try "-- name: mine\n-- title: Mine\n-- description: mine\n-- param: trace_id = latest — t\nSELECT coalesce(:trace_id, 7) AS v;\n"
            .write(to: dir.appendingPathComponent("mine.sql"), atomically: true, encoding: .utf8)
        let lib = try QueryLibrary.load(directories: [dir.path])
        #expect(lib.query(named: "mine") != nil && lib.query(named: "sched-latency") != nil)
        #expect(QueryLibrary.environmentDirectories(["TRACEDB_QUERIES": "/a:/b"]) == ["/a", "/b"])
        let w = try TempWarehouse()
        let q = try #require(lib.query(named: "mine"))
        #expect(try QueryRunner.run(q, db: w.warehouse.db).rows == [[.int(7)]])
        #expect(try QueryRunner.run(q, db: w.warehouse.db, params: ["trace_id": .int(3)]).rows == [[.int(3)]])
        // Parameters are bound, never spliced: a hostile value is just a value.
        #expect(try QueryRunner.run(q, db: w.warehouse.db, params: ["trace_id": .text("1); DROP TABLE traces; --")]).rows
                == [[.text("1); DROP TABLE traces; --")]])
        #expect(throws: QueryParameterError.self) { try QueryRunner.run(q, db: w.warehouse.db, params: ["nope": .int(1)]) }
        try "-- name: bad\n-- title: Bad\n-- description: d\n-- metric: v lightyears lower — x\nSELECT 1 AS v;\n"
            .write(to: dir.appendingPathComponent("bad.sql"), atomically: true, encoding: .utf8)
        do {
            _ = try QueryLibrary.load(directories: [dir.path])
            Issue.record("a broken query file must be an error")
        } catch let e as QueryFileError {
            #expect(e.file.hasSuffix("bad.sql") && e.line == 4, "\(e)")
        }
    }

    @Test("on a warehouse with many traces, the default is the latest trace and :trace_id selects one")
    func manyTraces() throws {
        let shared = QueryWarehouse.shared
        let db = try shared.db()
        let lib = try QueryLibrary.builtIn()
        let maxID = try db.scalarInt("SELECT max(trace_id) FROM traces")
        let latest = try #require(maxID)
        let q = try #require(lib.query(named: "trace-summary"))
        #expect(try QueryRunner.run(q, db: db).rows.first?.first == .int(latest))
        #expect(try QueryRunner.run(q, db: db, params: ["trace_id": .int(1)]).rows.first?.first == .int(1))
        // The same query on the one-trace database and on the shared one gives the same rows.
        for t in GoldenTrace.all.filter({ ["go1.27/workers", "sample-gc"].contains($0.name) }) {
            guard let id = shared.id(t) else { continue }
            let solo = try TempWarehouse()
            try solo.ingest(t.trace)
            for name in ["sched-latency", "blocking-by-reason", "goroutine-analysis", "sched-profile", "gc-cycles", "regions"] {
                let q = try #require(lib.query(named: name))
                #expect(try QueryRunner.run(q, db: db, params: ["trace_id": .int(id)]).rows == QueryRunner.run(q, db: solo.warehouse.db).rows,
                        "\(t) \(name) differs between a shared and a one-trace warehouse")
            }
        }
    }
}
