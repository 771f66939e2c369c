import Foundation
import Testing
import TestSupport

/// `tracedb serve` as a process: prints its URL on a free port of 127.0.0.1, answers over HTTP (curl),
/// warns on stderr for `--listen` elsewhere, stops on SIGTERM, and never changes the database file.
@Suite("ServeCLITests", .serialized)
struct ServeCLITests {
    struct Running {
        var process: Process
        var url: String
        var stderr: Pipe
    }

    /// Starts `tracedb serve ARGS` and waits (up to 20 s) for the URL line on stdout.
    func start(_ args: [String]) throws -> Running {
        let p = Process()
        p.executableURL = CLI.binary
        p.arguments = ["serve"] + args
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let seen = Locked("")
        let reader = Thread {
            while true {
                let d = out.fileHandleForReading.availableData
                if d.isEmpty { break }
                seen.withLock { $0 += String(decoding: d, as: UTF8.self) }
            }
        }
        reader.start()
        for _ in 0..<400 {
            let text = seen.withLock { $0 }
            if let r = text.range(of: #"http://[0-9.]+:[0-9]+/"#, options: .regularExpression), text.contains("tracedb serve: ") {
                return Running(process: p, url: String(text[r]), stderr: err)
            }
            if !p.isRunning { break }
            usleep(50_000)
        }
        p.terminate()
        throw TestDataError("tracedb serve printed no URL: \(seen.withLock { $0 })")
    }

    func curl(_ url: String) throws -> (code: String, body: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["curl", "-s", "-w", "\n%{http_code}", url]
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        let d = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        let s = String(decoding: d, as: UTF8.self)
        let nl = s.lastIndex(of: "\n") ?? s.endIndex
        return (String(s[s.index(after: nl)...]), String(s[..<nl]))
    }

    @Test func servesTheDatabaseReadOnlyAndStopsOnSIGTERM() throws {
        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let db = dir.appendingPathComponent("t.db").path
        #expect(try CLI.run(["ingest", "--db", db, CLI.fixture("pool")]).status == 0)
        let stamp = { () throws -> String in
            let a = try FileManager.default.attributesOfItem(atPath: db)
            return "\(a[.size] ?? 0) \(a[.modificationDate] ?? 0)"
        }
        let before = try stamp()
        let s = try start(["--db", db])
        #expect(s.url.hasPrefix("http://127.0.0.1:"))
        let runs = try curl(s.url)
        #expect(runs.code == "200" && runs.body.contains("pool.trace"))
        #expect(try curl(s.url + "api/runs/1/timeline").code == "200")
        #expect(try curl(s.url + "runs/77").code == "404")
        #expect(try curl(s.url + "sql?q=DELETE%20FROM%20traces").code == "400")
        s.process.terminate()
        s.process.waitUntilExit()
        #expect(s.process.terminationReason == .exit || s.process.terminationStatus == SIGTERM)
        #expect(try stamp() == before, "the database file is unchanged")
    }

    @Test func listenElsewhereWarns() throws {
        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let db = dir.appendingPathComponent("t.db").path
        #expect(try CLI.run(["ingest", "--db", db, CLI.fixture("sequential")]).status == 0)
        let s = try start(["--db", db, "--listen", "0.0.0.0"])
        s.process.terminate()
        s.process.waitUntilExit()
        let err = String(decoding: s.stderr.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(err.contains("warning: listening on 0.0.0.0"))
    }

    @Test func badFlagsAndMissingDatabaseExit2() throws {
        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let missing = try CLI.run(["serve", "--db", dir.appendingPathComponent("none.db").path])
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("no tracedb database"))
        #expect(try CLI.run(["serve", "--port", "70000"]).status == 2)
        let help = try CLI.run(["serve", "--help"])
        #expect(help.stdout.contains("Examples:") && help.stdout.contains("tracedb serve") && help.stdout.contains("Exit status: 0"))
    }
}
