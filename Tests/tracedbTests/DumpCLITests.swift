// `tracedb dump`: Go's -d=parsed / -d=wire text byte for byte, counts, and one-line errors.

import Foundation
import Testing
import TestSupport

@Suite("tracedb dump")
struct DumpCLITests {
    @Test("parsed, wire and counts match Go's for a fixture")
    func fixture() throws {
        let trace = CLI.fixture("tasks", version: "go1.26")
        let golden = RepoPaths.fixtures.appendingPathComponent("golden/go1.26")
        try #require(FileManager.default.fileExists(atPath: trace), "missing fixture \(trace)")
        let parsed = try CLI.run(["dump", trace])
        #expect(parsed.status == 0)
        #expect(parsed.stdout == (try goldenText(golden.appendingPathComponent("tasks.parsed.txt"))))
        let wire = try CLI.run(["dump", "--wire", trace])
        #expect(wire.status == 0)
        #expect(wire.stdout == (try goldenText(golden.appendingPathComponent("tasks.wire.txt"))))
        let counts = try CLI.run(["dump", "--count", trace])
        #expect(counts.stdout == (try goldenText(golden.appendingPathComponent("tasks.counts.tsv"))))
    }

    @Test("a failing trace prints Go's events, then one error line, and exits 1")
    func failure() throws {
        let trace = RepoPaths.conformance("tests", "go122-create-syscall-with-p", ".trace").path
        try #require(FileManager.default.fileExists(atPath: trace), "missing \(trace)")
        let out = try CLI.run(["dump", trace])
        #expect(out.status == 1)
        let partial = try goldenText(RepoPaths.conformance("tests", "go122-create-syscall-with-p", ".partial.txt"))
        #expect(out.stdout == partial)
        #expect(out.stderr == "tracedb: \(trace): expected a proc but didn't have one (at byte 47, generation 1)\n")
    }

    @Test("an old-format (Go 1.21) trace dumps like Go; --wire says it is for v2 traces only")
    func oldFormat() throws {
        let trace = CLI.fixture("tasks", version: "go1.21")
        try #require(FileManager.default.fileExists(atPath: trace), "missing fixture \(trace)")
        let out = try CLI.run(["dump", trace])
        #expect(out.status == 0, "\(out.stderr)")
        #expect(out.stdout == (try goldenText(RepoPaths.fixtures.appendingPathComponent("golden/go1.21/tasks.parsed.txt"))))
        let wire = try CLI.run(["dump", "--wire", trace])
        #expect(wire.status == 1)
        #expect(wire.stderr.contains("old (v1) trace format"))
    }

    /// A golden file's text (`url` or `url.gz`); a missing golden fails the test.
    private func goldenText(_ url: URL) throws -> String {
        try #require(readTextMaybeGzipped(url), "missing golden \(url.path)")
    }
}
