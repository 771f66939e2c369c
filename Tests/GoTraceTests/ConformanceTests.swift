// Go's own parser tests (go-conformance): every trace must give exactly what Go 1.27.3's
// internal/trace gives — the same `-d=parsed` and `-d=wire` text, the same error at the same place.

import Foundation
import Testing
import TestSupport
@testable import GoTrace

/// Reads Fixtures/go-conformance (committed): missing data fails, it is never skipped.
@Suite("Go conformance")
struct ConformanceTests {
    static let goldenCases = ConformancePaths.cases("tests").map { "tests/" + $0 }
        + ConformancePaths.cases("cmd-trace").map { "cmd-trace/" + $0 }
    static let fuzzCases = ConformancePaths.cases("fuzz")

    @Test("Go's test data is there: 22 tests, cmd/trace's trace, 17 fuzz inputs")
    func dataPresent() {
        #expect(Self.goldenCases.count >= 23, "\(ConformancePaths.conformance.path): \(Self.goldenCases.count) traces")
        #expect(Self.fuzzCases.count >= 17, "\(ConformancePaths.conformance.path)/fuzz: \(Self.fuzzCases.count) traces")
    }

    private static func split(_ c: String) -> (String, String) {
        let parts = c.split(separator: "/")
        return (String(parts[0]), String(parts[1]))
    }

    /// SUCCESS cases dump byte-identically to `NAME.parsed.txt`; FAILURE cases give `NAME.partial.txt`
    /// and then an error matching the expected regexp.
    @Test("parsed output and expectation", arguments: goldenCases)
    func golden(_ c: String) throws {
        let (folder, name) = Self.split(c)
        let trace = ConformancePaths.file(folder, name, ".trace").path
        let expect = try String(contentsOf: ConformancePaths.file(folder, name, ".expect"), encoding: .utf8)
        let firstLine = expect.split(separator: "\n").first ?? ""
        let result = dumpParsed(path: trace)
        if firstLine.hasPrefix("SUCCESS") {
            #expect(result.error == nil, "unexpected error: \(String(describing: result.error))")
            let want = try #require(ConformancePaths.golden(folder, name, ".parsed.txt"))
            #expect(result.text == want, "\(firstDifference(result.text, want))")
        } else {
            let pattern = goUnquote(firstLine.dropFirst("FAILURE ".count))
            let error = try #require(result.error, "expected a failure matching \(pattern)")
            let regex = try Regex(pattern)
            #expect(error.message.firstMatch(of: regex) != nil, "error \(error.message) does not match \(pattern)")
            let want = try #require(ConformancePaths.golden(folder, name, ".partial.txt"))
            #expect(result.text == want, "\(firstDifference(result.text, want))")
        }
    }

    /// `NAME.wire.txt` is what `go tool trace -d=wire` prints; `NAME.wire.err` if it then failed.
    @Test("wire output", arguments: goldenCases + fuzzCases.map { "fuzz/" + $0 })
    func wire(_ c: String) throws {
        let (folder, name) = Self.split(c)
        let want = try #require(ConformancePaths.golden(folder, name, ".wire.txt"), "no \(c).wire.txt")
        let trace = ConformancePaths.file(folder, name, ".trace").path
        let result = dumpWire(path: trace)
        let bytes = try #require(readBytes(URL(fileURLWithPath: trace)))
        if isOldFormat(bytes) {
            #expect(result.error?.kind == .unsupportedVersion)
            return
        }
        if let goErr = try? String(contentsOf: ConformancePaths.file(folder, name, ".wire.err"), encoding: .utf8) {
            let error = try #require(result.error, "Go failed with \(goErr)")
            #expect(goErr.contains(error.message), "got \(error.message), Go: \(goErr)")
        } else {
            #expect(result.error == nil, "unexpected error: \(String(describing: result.error))")
        }
        #expect(result.text == want, "\(firstDifference(result.text, want))")
    }

    /// Fuzz inputs: no crash, and the same events and error as Go (`NAME.goresult`).
    @Test("fuzz corpus", arguments: fuzzCases)
    func fuzz(_ name: String) throws {
        let trace = ConformancePaths.file("fuzz", name, ".trace")
        let goresult = try String(contentsOf: ConformancePaths.file("fuzz", name, ".goresult"), encoding: .utf8)
            .trimmingCharacters(in: .newlines)
        // Old-format (v1) inputs go through the v1 reader and must match Go's result just the same.
        let result = dumpParsed(path: trace.path)
        let header = goresult.split(separator: ":", maxSplits: 1)
        let words = header[0].split(separator: " ")
        let wantEvents = Int(words[1].dropFirst("events=".count))!
        #expect(result.lines.count == wantEvents)
        if words[0] == "SUCCESS" {
            #expect(result.error == nil, "unexpected error: \(String(describing: result.error))")
            let want = try #require(ConformancePaths.golden("fuzz", name, ".parsed.txt"))
            #expect(result.text == want, "\(firstDifference(result.text, want))")
        } else {
            let message = header.count > 1 ? header[1].trimmingCharacters(in: .whitespaces) : ""
            #expect(result.error?.message == message)
            let want = try #require(ConformancePaths.golden("fuzz", name, ".partial.txt"))
            #expect(result.text == want, "\(firstDifference(result.text, want))")
        }
    }
}

/// Whether the bytes start with a Go 1.11–1.21 (v1 format) header.
func isOldFormat(_ bytes: [UInt8]) -> Bool {
    ["go 1.11 trace", "go 1.19 trace", "go 1.21 trace"].contains { bytes.starts(with: Array($0.utf8)) }
}
