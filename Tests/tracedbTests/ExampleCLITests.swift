import Foundation
import Testing

/// Fixtures/examples/trace-compare.sh (what Fixtures/examples/trace-compare.yml runs in CI), on two checkouts whose
/// stand-in `go test` writes two fixtures: base = sequential, head = pool.
@Suite("Fixtures/examples/trace-compare.sh (the CI recipe)")
struct ExampleCLITests {
    static let script = CLI.repo.appendingPathComponent("Fixtures/examples/trace-compare.sh").path

    func run(failOn: String, count: Int = 1) throws -> (status: Int32, markdown: String, stderr: String, db: String, dir: URL) {
        let dir = try CLI.tempDir()
        for (side, fixture) in [("base", "sequential"), ("head", "pool")] {
            let d = dir.appendingPathComponent(side)
            try FileManager.default.createDirectory(at: d, withIntermediateDirectories: true)
            try FileManager.default.copyItem(atPath: CLI.fixture(fixture), toPath: d.appendingPathComponent("standin.trace").path)
        }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/sh")
        p.arguments = [Self.script, "base", "head"]
        p.currentDirectoryURL = dir
        var env = ProcessInfo.processInfo.environment
        env["PATH"] = RecordCLITests.standIn + ":" + (env["PATH"] ?? "/usr/bin:/bin")
        env["TRACEDB"] = CLI.binary.path
        env["FAIL_ON"] = failOn
        env["COUNT"] = String(count)
        env["BENCH"] = "BenchmarkWork"
        env.removeValue(forKey: "STANDIN_GO_TRACE")
        p.environment = env
        let err = Pipe(); p.standardError = err; p.standardOutput = FileHandle.nullDevice
        try p.run()
        let e = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        let md = (try? String(contentsOf: dir.appendingPathComponent("trace-compare.md"), encoding: .utf8)) ?? ""
        return (p.terminationStatus, md, e, dir.appendingPathComponent("trace-compare.db").path, dir)
    }

    @Test("a rule that regresses: exit 1, the Markdown names the regression and has the scorecard")
    func regression() throws {
        let r = try run(failOn: "sched-latency.p99_ns>+10%\ngc-summary.stw_max_ns>1s")
        defer { try? FileManager.default.removeItem(at: r.dir) }
        #expect(r.status == 1, "\(r.stderr)")
        #expect(r.stderr.hasSuffix("trace-compare: wrote \(r.dir.path)/trace-compare.md (compare exit status 1)\n"), "\(r.stderr)")
        // The Markdown is what tracedb compare --format markdown writes for the two labelled sides.
        let direct = try CLI.run(["compare", "--db", r.db, "side=base", "side=head", "--format", "markdown",
                                  "--fail-on", "sched-latency.p99_ns>+10%", "--fail-on", "gc-summary.stw_max_ns>1s"])
        #expect(direct.status == 1)
        #expect(r.markdown == direct.stdout)
        #expect(r.markdown.contains("sched-latency.p99_ns"), "\(r.markdown)")
        #expect(r.markdown.contains("| sched latency p99 |"), "\(r.markdown)")
        #expect(r.markdown.contains("regress"), "\(r.markdown)")
        #expect(try CLI.sqlite(r.db, "SELECT group_concat(l.value, ',') FROM trace_labels l WHERE key = 'side'") == "base,head")
        #expect(try CLI.sqlite(r.db, "SELECT DISTINCT value FROM trace_labels WHERE key = 'command'") == "go test -run '^$' -bench BenchmarkWork -count 1 .")
    }

    @Test("rules that hold, repeated runs: exit 0")
    func passes() throws {
        let r = try run(failOn: "gc-summary.stw_max_ns>1s", count: 2)
        defer { try? FileManager.default.removeItem(at: r.dir) }
        #expect(r.status == 0, "\(r.stderr)\n\(r.markdown)")
        #expect(r.markdown.contains("| sched latency p99 |"), "\(r.markdown)")
        // Two runs per side; the second run of a side has the same bytes, so it is the same trace (skipped).
        #expect(try CLI.sqlite(r.db, "SELECT count(*) FROM traces") == "2")
    }
}
