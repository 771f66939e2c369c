// The fixture traces (Fixtures/traces/go1.N/NAME.trace) against their goldens made with Go's
// own tools (Fixtures/golden/go1.N/NAME.parsed.txt[.gz], NAME.wire.txt[.gz], NAME.counts.tsv).

import Foundation
import Testing
import TestSupport
@testable import GoTrace

struct FixtureTrace: Sendable, CustomTestStringConvertible {
    var version: String
    var name: String
    var url: URL
    var testDescription: String { "\(version)/\(name)" }

    func golden(_ ext: String) -> [UInt8]? {
        readMaybeGzipped(ConformancePaths.fixtures.appendingPathComponent("golden/\(version)/\(name)\(ext)"))
    }

    /// Go 1.21 traces are in the old (v1) format: Go's raw reader cannot read them, so they have no
    /// `-d=wire` golden.
    var isOldFormat: Bool { version == "go1.21" }
}

enum FixturePaths {
    static func traces() -> [FixtureTrace] {
        let root = ConformancePaths.fixtures.appendingPathComponent("traces")
        let fm = FileManager.default
        guard let versions = try? fm.contentsOfDirectory(atPath: root.path) else { return [] }
        var out: [FixtureTrace] = []
        for v in versions.sorted() {
            let dir = root.appendingPathComponent(v)
            for f in ((try? fm.contentsOfDirectory(atPath: dir.path)) ?? []).sorted() where f.hasSuffix(".trace") {
                out.append(FixtureTrace(version: v, name: String(f.dropLast(6)), url: dir.appendingPathComponent(f)))
            }
        }
        return out
    }
}

@Suite("Fixture traces")
struct FixtureTests {
    @Test("the fixtures are there: 11 programs under 6 Go versions")
    func dataPresent() {
        let traces = FixturePaths.traces()
        #expect(traces.count >= 66, "\(traces.count) traces under Fixtures/traces")
        #expect(Set(traces.map(\.version)).count >= 6)
    }

    @Test("parsed dump matches go tool trace -d=parsed", arguments: FixturePaths.traces())
    func parsed(_ t: FixtureTrace) throws {
        let result = dumpParsed(path: t.url.path)
        if let want = t.golden(".parsed.txt") {
            #expect(result.error == nil, "unexpected error: \(String(describing: result.error))")
            let text = result.text
            #expect(text == want, "\(firstDifference(text, want))")
        } else if let want = t.golden(".partial.txt") {
            #expect(result.error != nil)
            #expect(result.text == want, "\(firstDifference(result.text, want))")
        } else {
            Issue.record("no golden NAME.parsed.txt(.gz) or NAME.partial.txt(.gz) for \(t.testDescription)")
        }
        let counts = try #require(t.golden(".counts.tsv"), "no \(t.testDescription).counts.tsv")
        #expect(countsTSV(result.lines) == counts)
    }

    @Test("wire dump matches go tool trace -d=wire", arguments: FixturePaths.traces())
    func wire(_ t: FixtureTrace) throws {
        if t.isOldFormat {
            #expect(dumpWire(path: t.url.path).error?.kind == .unsupportedVersion, "\(t.testDescription)")
            return
        }
        let want = try #require(t.golden(".wire.txt"), "no \(t.testDescription).wire.txt")
        let result = dumpWire(path: t.url.path)
        #expect(result.error == nil, "unexpected error: \(String(describing: result.error))")
        #expect(result.text == want, "\(firstDifference(result.text, want))")
    }
}

/// The `NAME.counts.tsv` format: `Kind<TAB>n` per kind present, sorted by name, then `TOTAL<TAB>n`.
func countsTSV(_ lines: [[UInt8]]) -> [UInt8] {
    var counts: [String: Int] = [:]
    for line in lines {
        // "M=… P=… G=… Kind Time=…"
        let fields = line.prefix(200).split(separator: UInt8(ascii: " "), maxSplits: 4)
        if fields.count > 3 { counts[String(decoding: fields[3], as: UTF8.self), default: 0] += 1 }
    }
    var s = ""
    for k in counts.keys.sorted() { s += "\(k)\t\(counts[k]!)\n" }
    s += "TOTAL\t\(lines.count)\n"
    return Array(s.utf8)
}
