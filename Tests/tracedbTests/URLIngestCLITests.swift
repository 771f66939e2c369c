import Foundation
import Testing

/// A stand-in net/http/pprof server (Fixtures/loop/pprof-server.py, Python's http.server) on
/// 127.0.0.1, started per test and stopped when the test ends (it exits when its stdin closes).
/// Python rather than a Swift server: python3 is on the CI image, it needs no package build, and its
/// http.server speaks real HTTP/1.1 (chunked bodies, as Go's pprof handler sends) in a few lines.
final class PprofServer {
    let process = Process()
    let stdin = Pipe()
    let port: Int

    init(trace: String) throws {
        let script = CLI.repo.appendingPathComponent("Fixtures/loop/pprof-server.py").path
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script, trace]
        let out = Pipe()
        process.standardOutput = out
        process.standardInput = stdin
        try process.run()
        var line = Data()
        while let b = try out.fileHandleForReading.read(upToCount: 1), !b.isEmpty, b != Data("\n".utf8) { line += b }
        guard let p = Int(String(decoding: line, as: UTF8.self)) else {
            process.terminate()
            throw CancellationError()
        }
        port = p
    }

    var base: String { "http://127.0.0.1:\(port)" }

    deinit {
        try? stdin.fileHandleForWriting.close()
        process.waitUntilExit()
    }
}

@Suite("tracedb ingest URL (net/http/pprof)", .serialized)
struct URLIngestCLITests {
    static let fixture = CLI.fixture("tasks")

    @Test("ingest URL --seconds 1: the trace streamed by the server is loaded, named HOST:PORT.trace, file_path the URL")
    func fetch() throws {
        let server = try PprofServer(trace: Self.fixture)
        let dir = try CLI.tempDir(); defer { try? FileManager.default.removeItem(at: dir) }
        let db = dir.appendingPathComponent("t.db").path
        let url = "\(server.base)/debug/pprof/trace"
        let started = Date()
        let r = try CLI.run(["ingest", "--db", db, "--seconds", "1", "--label", "env=test", url])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(Date().timeIntervalSince(started) >= 0.9, "the server records for 1 s")
        #expect(r.stdout.hasPrefix("trace 1: \(url)?seconds=1: "), "\(r.stdout)")
        #expect(try CLI.sqlite(db, "SELECT file_name || '|' || file_path FROM traces") == "127.0.0.1:\(server.port).trace|\(url)?seconds=1")
        // The same bytes as the fixture.
        let file = try CLI.run(["ingest", "--db", db, Self.fixture])
        #expect(file.stdout.contains("skipped"), "\(file.stdout)")
        // A bare http://HOST:PORT means the trace endpoint; --name names the run.
        let db2 = dir.appendingPathComponent("t2.db").path
        let bare = try CLI.run(["ingest", "--db", db2, "--name", "api-7", server.base])
        #expect(bare.status == 0, "\(bare.stderr)")
        #expect(try CLI.sqlite(db2, "SELECT file_name || '|' || file_path FROM traces") == "api-7|\(url)")
    }

    @Test("failures: refused, HTTP status, the pprof index page, a timeout — exit 2, a clear error, nothing written")
    func failures() throws {
        let server = try PprofServer(trace: Self.fixture)
        let dir = try CLI.tempDir(); defer { try? FileManager.default.removeItem(at: dir) }
        let db = dir.appendingPathComponent("t.db").path
        #expect(try CLI.run(["ingest", "--db", db, CLI.fixture("workers")]).status == 0)
        let fingerprint = "SELECT count(*) || '/' || (SELECT count(*) FROM events) || '/' || (SELECT count(*) FROM trace_labels) FROM traces"
        let before = try CLI.sqlite(db, fingerprint)

        // A port nobody listens on: bind one, then close it.
        let refusedPort = try Self.freePort()
        let refused = try CLI.run(["ingest", "--db", db, "--timeout", "5", "http://127.0.0.1:\(refusedPort)/debug/pprof/trace?seconds=1"])
        #expect(refused.status == 2)
        #expect(refused.stderr == "tracedb: http://127.0.0.1:\(refusedPort)/debug/pprof/trace?seconds=1: connection refused by 127.0.0.1:\(refusedPort): is the program running, with net/http/pprof listening on that port?\n", "\(refused.stderr)")

        let busy = try CLI.run(["ingest", "--db", db, "\(server.base)/busy/debug/pprof/trace"])
        #expect(busy.status == 2)
        #expect(busy.stderr == "tracedb: \(server.base)/busy/debug/pprof/trace: the server answered 500 Internal Server Error: Could not enable tracing: tracing is already enabled\n", "\(busy.stderr)")

        let missing = try CLI.run(["ingest", "--db", db, "\(server.base)/nothing/here"])
        #expect(missing.status == 2)
        #expect(missing.stderr.contains(": the server answered 404 Not Found: 404 page not found (is net/http/pprof imported"), "\(missing.stderr)")

        let index = try CLI.run(["ingest", "--db", db, "\(server.base)/spa/debug/pprof/trace?seconds=1"])
        #expect(index.status == 2)
        #expect(index.stderr == "tracedb: \(server.base)/spa/debug/pprof/trace?seconds=1: the server sent an HTML page (text/html; charset=utf-8), not a Go execution trace: the trace endpoint is /debug/pprof/trace?seconds=N\n", "\(index.stderr)")

        let heap = try CLI.run(["ingest", "--db", db, "\(server.base)/debug/pprof/heap"])
        #expect(heap.status == 2)
        #expect(heap.stderr.contains("the server's answer is not a Go execution trace (it does not start with `go 1.`; Content-Type application/octet-stream)"), "\(heap.stderr)")

        let started = Date()
        let slow = try CLI.run(["ingest", "--db", db, "--timeout", "1", "\(server.base)/slow/debug/pprof/trace"])
        let took = Date().timeIntervalSince(started)
        #expect(slow.status == 2)
        #expect(slow.stderr == "tracedb: \(server.base)/slow/debug/pprof/trace: no complete answer within 2 s (the server records 1 s; --timeout allows 1 s more)\n", "\(slow.stderr)")
        #expect(took < 10, "the timeout stops the wait (took \(took) s)")
        // The abandoned download's temporary copy is gone too.
        let tmp = FileManager.default.temporaryDirectory.path
        let left = try FileManager.default.contentsOfDirectory(atPath: tmp).filter { $0.hasPrefix("tracedb-") }
            .filter { FileManager.default.fileExists(atPath: "\(tmp)/\($0)/127.0.0.1:\(server.port).trace") }
        #expect(left.isEmpty, "spool left in \(left)")

        let badURL = try CLI.run(["ingest", "--db", db, "--seconds", "0", "\(server.base)/debug/pprof/trace"])
        #expect(badURL.status == 2)
        #expect(badURL.stderr.contains("the recording time must be more than 0 seconds"), "\(badURL.stderr)")
        #expect(try CLI.sqlite(db, fingerprint) == before)
    }

    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = 0
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &addr) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) == 0 && getsockname(fd, $0, &len) == 0 }
        }
        guard ok else { throw CancellationError() }
        return Int(UInt16(bigEndian: addr.sin_port))
    }
}
