// v1 traces (Go 1.11–1.21): tracedb's event stream equals Go 1.27.3's (`go tool trace -d=parsed`)
// on Go's own v1 test traces and on the go1.21 fixtures, up to the order Go leaves to chance (see
// `v1Difference`).

import Foundation
import Testing
import TestSupport
@testable import GoTrace

@Suite("V1 conformance: Go's v1 test traces")
struct V1ConformanceTests {
    @Test("Go's 12 v1 test traces are there (Fixtures/go-conformance/v1)")
    func dataPresent() {
        #expect(V1Paths.conformanceCases.count == 12, "\(V1Paths.conformanceCases)")
    }

    @Test("dump equals go tool trace -d=parsed", arguments: V1Paths.conformanceCases)
    func parsed(_ name: String) throws {
        let trace = try #require(readBytes(ConformancePaths.file("v1", name, ".trace")))
        let want = try #require(ConformancePaths.golden("v1", name, ".parsed.txt"), "no golden for \(name)")
        let result = dumpV1(bytes: trace)
        #expect(result.error == nil, "unexpected error: \(String(describing: result.error))")
        let text = result.text
        if let diff = v1Difference(got: text, want: want) {
            Issue.record("\(name): \(diff)")
        }
        // NAME.goresult: `SUCCESS events=N`.
        let goresult = try #require(readBytes(ConformancePaths.file("v1", name, ".goresult")))
        #expect(String(decoding: goresult, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
                == "SUCCESS events=\(result.lines.count)")
        let counts = try #require(readBytes(ConformancePaths.file("v1", name, ".counts.tsv")))
        #expect(countsTSV(result.lines) == counts)
    }

    @Test("the synthetic block comes out by goroutine id, with Go's set of goroutines and times")
    func syntheticBlock() throws {
        var withBlock = 0  // Go's dumps have one only for the 3 stress_start_stop traces
        for name in V1Paths.conformanceCases {
            let trace = try #require(readBytes(ConformancePaths.file("v1", name, ".trace")))
            let want = try #require(ConformancePaths.golden("v1", name, ".parsed.txt"), "no golden for \(name)")
            let got = v1SyntheticBlock(dumpV1(bytes: trace).text)
            let goBlock = v1SyntheticBlock(want)
            if !goBlock.isEmpty { withBlock += 1 }
            func goID(_ line: String) -> Int64 { Int64(line.split(separator: " ")[5].dropFirst(5))! }
            func time(_ line: String) -> Int64 { Int64(line.split(separator: " ")[4].dropFirst(5))! }
            #expect(got.map(goID) == goBlock.map(goID).sorted(), "\(name)")
            #expect(got.map(time) == goBlock.map(time), "\(name)")
        }
        #expect(withBlock == 3, "\(withBlock) of Go's v1 traces have a synthetic block")
    }

    @Test("TraceReader reads v1 traces through V1Reader, from a path or from bytes")
    func traceReader() throws {
        for name in V1Paths.conformanceCases {
            let url = ConformancePaths.file("v1", name, ".trace")
            let bytes = try #require(readBytes(url))
            let want = dumpV1(bytes: bytes).text
            #expect(dumpParsed(path: url.path).text == want, "\(name) from a path")
            #expect(dumpParsed(bytes: bytes, completeGenerationsOnly: true).text == want, "\(name) from bytes")
            let reader = try TraceReader(path: url.path)
            #expect(reader.goVersion == Int(String(decoding: bytes[5..<7], as: UTF8.self)), "\(name)")
            #expect(reader.bytesRead == bytes.count)
        }
    }

    @Test("reading is deterministic")
    func deterministic() throws {
        for name in V1Paths.conformanceCases.prefix(4) {
            let trace = try #require(readBytes(ConformancePaths.file("v1", name, ".trace")))
            #expect(dumpV1(bytes: trace).text == dumpV1(bytes: trace).text, "\(name)")
        }
    }
}
