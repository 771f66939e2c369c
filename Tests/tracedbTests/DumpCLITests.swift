// `tracedb dump`: Go's -d=parsed / -d=wire text byte for byte, counts, and one-line errors.

import Foundation
import Testing

@Suite("tracedb dump")
struct DumpCLITests {
    static let conformance = CLI.shared.appendingPathComponent("go-conformance")

    @Test("parsed, wire and counts match Go's for a fixture")
    func fixture() throws {
        let trace = CLI.fixture("tasks", version: "go1.26")
        let golden = CLI.repo.appendingPathComponent("Fixtures/golden/go1.26")
        guard FileManager.default.fileExists(atPath: trace) else { return }
        let parsed = try CLI.run(["dump", trace])
        #expect(parsed.status == 0)
        #expect(parsed.stdout == gunzipText(golden.appendingPathComponent("tasks.parsed.txt.gz")))
        let wire = try CLI.run(["dump", "--wire", trace])
        #expect(wire.status == 0)
        #expect(wire.stdout == gunzipText(golden.appendingPathComponent("tasks.wire.txt.gz")))
        let counts = try CLI.run(["dump", "--count", trace])
        #expect(counts.stdout == (try String(contentsOf: golden.appendingPathComponent("tasks.counts.tsv"), encoding: .utf8)))
    }

    @Test("a failing trace prints Go's events, then one error line, and exits 1")
    func failure() throws {
        let trace = Self.conformance.appendingPathComponent("tests/go122-create-syscall-with-p.trace").path
        guard FileManager.default.fileExists(atPath: trace) else { return }
        let out = try CLI.run(["dump", trace])
        #expect(out.status == 1)
        let partial = try String(contentsOf: Self.conformance.appendingPathComponent("tests/go122-create-syscall-with-p.partial.txt"),
                                 encoding: .utf8)
        #expect(out.stdout == partial)
        #expect(out.stderr == "tracedb: \(trace): expected a proc but didn't have one (at byte 47, generation 1)\n")
    }

    @Test("an old-format (Go 1.21) trace dumps like Go; --wire says it is for v2 traces only")
    func oldFormat() throws {
        let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let trace = repo.appendingPathComponent("Fixtures/traces/go1.21/tasks.trace").path
        let golden = repo.appendingPathComponent("Fixtures/golden/go1.21/tasks.parsed.txt.gz")
        guard FileManager.default.fileExists(atPath: trace) else { return }
        let out = try CLI.run(["dump", trace])
        #expect(out.status == 0, "\(out.stderr)")
        #expect(out.stdout == gunzipText(golden))
        let wire = try CLI.run(["dump", "--wire", trace])
        #expect(wire.status == 1)
        #expect(wire.stderr.contains("old (v1) trace format"))
    }

    private func gunzipText(_ url: URL) -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/sh")
        p.arguments = ["-c", "gzip -dc \"$0\"", url.path]
        let pipe = Pipe()
        p.standardOutput = pipe
        try? p.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }
}
