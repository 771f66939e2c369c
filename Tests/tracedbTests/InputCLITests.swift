import Foundation
import Testing

/// `tracedb ingest -` (a pipe), `tracedb ingest URL` (net/http/pprof) and `tracedb --version`.
@Suite("tracedb ingest from a pipe or a URL, --version")
struct InputCLITests {
    static let fixture = CLI.fixture("tasks")

    func count(_ db: String) throws -> String { try CLI.sqlite(db, "SELECT count(*) FROM traces") }

    // MARK: standard input

    @Test("ingest - reads the trace from standard input: run named stdin, same SHA-256 as the file (a later file ingest skips)")
    func stdinIngest() throws {
        let dir = try CLI.tempDir(); defer { try? FileManager.default.removeItem(at: dir) }
        let db = dir.appendingPathComponent("t.db").path
        let r = try CLI.run(["ingest", "--db", db, "--label", "host=remote", "-"], stdin: try FileHandle(forReadingFrom: URL(fileURLWithPath: Self.fixture)))
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.hasPrefix("trace 1: stdin: "), "\(r.stdout)")
        #expect(try CLI.sqlite(db, "SELECT file_name || '|' || file_path || '|' || file_size FROM traces")
                == "stdin|stdin|\(try FileManager.default.attributesOfItem(atPath: Self.fixture)[.size] as! Int)")
        #expect(try CLI.sqlite(db, "SELECT key || '=' || value FROM trace_labels") == "host=remote")
        // Same bytes as the file: the file is recognised as already ingested.
        let file = try CLI.run(["ingest", "--db", db, Self.fixture])
        #expect(file.status == 0)
        #expect(file.stdout.contains("skipped"), "\(file.stdout)")
        // The same rows as a file ingest (events and goroutines of the stdin run equal those of a file run).
        let db2 = dir.appendingPathComponent("file.db").path
        #expect(try CLI.run(["ingest", "--db", db2, Self.fixture]).status == 0)
        let q = "SELECT (SELECT count(*) FROM events) || ' ' || (SELECT count(*) FROM goroutines) || ' ' || (SELECT sha256 FROM traces)"
        #expect(try CLI.sqlite(db, q) == CLI.sqlite(db2, q))
        // No temporary copy is left behind.
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: FileManager.default.temporaryDirectory.path)
            .filter { $0.hasPrefix("tracedb-") && $0.count == "tracedb-XXXXXX".count }
        for l in leftovers {
            let p = FileManager.default.temporaryDirectory.appendingPathComponent(l).path
            #expect(!FileManager.default.fileExists(atPath: p + "/stdin"), "spool file left in \(p)")
        }
    }

    @Test("ingest - --name names the run; a pipe through sh (cat | tracedb) works")
    func stdinNameAndPipe() throws {
        let dir = try CLI.tempDir(); defer { try? FileManager.default.removeItem(at: dir) }
        let db = dir.appendingPathComponent("t.db").path
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/sh")
        p.arguments = ["-c", "cat \"$1\" | \"$2\" ingest --db \"$3\" --name web-1 -", "sh", Self.fixture, CLI.binary.path, db]
        let out = Pipe(); p.standardOutput = out; p.standardError = FileHandle.nullDevice
        try p.run(); let o = out.fileHandleForReading.readDataToEndOfFile(); p.waitUntilExit()
        #expect(p.terminationStatus == 0)
        #expect(String(decoding: o, as: UTF8.self).hasPrefix("trace 1: web-1: "))
        #expect(try CLI.sqlite(db, "SELECT file_name || '|' || file_path FROM traces") == "web-1|stdin")
        // Runs are found by that name.
        let q = try CLI.run(["query", "--db", db, "trace-summary", "--trace", "web-1", "--format", "csv"])
        #expect(q.status == 0, "\(q.stderr)")
    }

    @Test("ingest - with an empty or invalid stream: exit 2, an error naming stdin, nothing written")
    func stdinBad() throws {
        let dir = try CLI.tempDir(); defer { try? FileManager.default.removeItem(at: dir) }
        let db = dir.appendingPathComponent("t.db").path
        #expect(try CLI.run(["ingest", "--db", db, CLI.fixture("workers")]).status == 0)
        let before = try CLI.sqlite(db, "SELECT count(*) || '/' || (SELECT count(*) FROM events) FROM traces")

        let empty = try CLI.run(["ingest", "--db", db, "-"], stdin: FileHandle(forReadingAtPath: "/dev/null"))
        #expect(empty.status == 2)
        #expect(empty.stderr == "tracedb: stdin: no data: expected a Go execution trace (e.g. `cat trace.out | tracedb ingest -`)\n", "\(empty.stderr)")

        let junk = dir.appendingPathComponent("junk")
        try Data("<html>not a trace</html>".utf8).write(to: junk)
        let bad = try CLI.run(["ingest", "--db", db, "-"], stdin: try FileHandle(forReadingFrom: junk))
        #expect(bad.status == 2)
        #expect(bad.stderr.hasPrefix("tracedb: stdin: "), "\(bad.stderr)")
        #expect(bad.stderr.contains("not a Go execution trace") || bad.stderr.contains("header"), "\(bad.stderr)")

        // A trace cut in the middle of its first generation is not loadable: refused as from a file.
        let cut = dir.appendingPathComponent("cut")
        try Data(try Data(contentsOf: URL(fileURLWithPath: Self.fixture)).prefix(300)).write(to: cut)
        let viaFile = try CLI.run(["ingest", "--db", db, cut.path])
        let viaPipe = try CLI.run(["ingest", "--db", db, "-"], stdin: try FileHandle(forReadingFrom: cut))
        #expect(viaPipe.status == viaFile.status)
        #expect(viaPipe.stderr.replacingOccurrences(of: "stdin", with: cut.path) == viaFile.stderr, "\(viaPipe.stderr) vs \(viaFile.stderr)")
        #expect(try CLI.sqlite(db, "SELECT count(*) || '/' || (SELECT count(*) FROM events) FROM traces") == before)

        let twice = try CLI.run(["ingest", "--db", db, "-", "-"], stdin: FileHandle(forReadingAtPath: "/dev/null"))
        #expect(twice.status == 2)
        #expect(twice.stderr.contains("standard input (-) can be read only once"))
    }

    // MARK: --version

    @Test("--version: version, the commit baked in at build time, schema version, trace formats")
    func version() throws {
        let r = try CLI.run(["--version"])
        #expect(r.status == 0)
        let lines = r.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 3, "\(r.stdout)")
        #expect(lines.first?.hasPrefix("tracedb 0.1.0 (commit ") == true, "\(r.stdout)")
        #expect(lines.dropFirst().first?.hasPrefix("schema version ") == true)
        #expect(r.stdout.contains("go 1.22, go 1.23, go 1.25, go 1.26") && r.stdout.contains("go 1.11, go 1.19, go 1.21"))
        // The commit is this checkout's HEAD when the binary was built (the tests run right after a build).
        let git = Process()
        git.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        git.arguments = ["git", "-C", CLI.repo.path, "rev-parse", "HEAD"]
        let out = Pipe(); git.standardOutput = out; git.standardError = FileHandle.nullDevice
        try git.run(); let head = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        git.waitUntilExit()
        if git.terminationStatus == 0 {
            #expect(lines[0].contains("commit \(head.prefix(12))"), "\(lines[0]) vs HEAD \(head)")
        } else {
            #expect(lines[0].contains("unknown commit"), "not a git checkout: \(lines[0])")
        }
    }
}
