import Foundation
import Testing
import TestSupport

/// Runs the built `tracedb` binary (next to the test bundle in .build/<config>/).
enum CLI {
    static let repo = RepoPaths.root

    static var binary: URL {
        // The test bundle lives in the products directory, which also holds the tracedb executable.
        for bundle in Bundle.allBundles where bundle.bundlePath.hasSuffix(".xctest") {
            let dir = bundle.bundleURL.deletingLastPathComponent()
            let candidate = dir.appendingPathComponent("tracedb")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        let exe = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("tracedb")
        return exe
    }

    struct Output { var status: Int32; var stdout: String; var stderr: String }

    /// Runs `tracedb args…` to completion.
    @discardableResult
    /// Runs tracedb; `stdout`, if given, receives its standard output (e.g. `/dev/full`) and the
    /// returned stdout is empty.
    static func run(_ args: [String], env: [String: String] = [:], cwd: URL? = nil, stdout: FileHandle? = nil,
                    stdin: FileHandle? = nil) throws -> Output {
        let p = Process()
        p.executableURL = binary
        p.arguments = args
        var environment = ProcessInfo.processInfo.environment
        for (k, v) in env { environment[k] = v }
        p.environment = environment
        if let cwd { p.currentDirectoryURL = cwd }
        if let stdin { p.standardInput = stdin }
        let out = Pipe(), err = Pipe()
        p.standardOutput = stdout ?? out
        p.standardError = err
        try p.run()
        // Read both pipes concurrently so a large output cannot block the child.
        let errData = Locked<Data?>(nil)
        let t = Thread { let d = err.fileHandleForReading.readDataToEndOfFile(); errData.withLock { $0 = d } }
        t.start()
        if stdout != nil { try? out.fileHandleForWriting.close() }
        let o = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        while errData.withLock({ $0 == nil }) { usleep(1000) }
        return Output(status: p.terminationStatus, stdout: String(decoding: o, as: UTF8.self),
                      stderr: String(decoding: errData.withLock { $0 } ?? Data(), as: UTF8.self))
    }

    /// A fresh temporary folder, removed by the caller.
    static func tempDir() throws -> URL {
        let d = FileManager.default.temporaryDirectory.appendingPathComponent("tracedb-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: d, withIntermediateDirectories: true)
        return d
    }

    /// Fixture traces of one Go version.
    static func fixture(_ name: String, version: String = "go1.27") -> String {
        repo.appendingPathComponent("Fixtures/traces/\(version)/\(name).trace").path
    }

    static func sqlite(_ db: String, _ sql: String) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["sqlite3", "-batch", db, sql]
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return String(decoding: o, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

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
