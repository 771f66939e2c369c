// v1 traces (Go 1.11–1.21): tracedb's event stream equals Go 1.27.3's (`go tool trace -d=parsed`)
// on Go's own v1 test traces and on the go1.21 fixtures, up to the order Go leaves to chance (see
// `v1Difference`).

import Foundation
import Testing
@testable import GoTrace

@Suite("V1 conformance: Go's v1 test traces", .enabled(if: V1Paths.conformanceAvailable, "../shared/go-conformance/v1 is absent"))
struct V1ConformanceTests {
    @Test("dump equals go tool trace -d=parsed", arguments: V1Paths.conformanceCases)
    func parsed(_ name: String) throws {
        let trace = try #require(readBytes(ConformancePaths.file("v1", name, ".trace")))
        let plain = ConformancePaths.file("v1", name, ".parsed.txt")
        let want = try #require(readBytes(plain) ?? gunzip(plain.appendingPathExtension("gz")), "no golden for \(name)")
        let result = dumpV1(bytes: trace)
        #expect(result.error == nil, "unexpected error: \(String(describing: result.error))")
        let text = result.text
        if let diff = v1Difference(got: text, want: want) {
            Issue.record("\(name): \(diff)")
        }
        // NAME.goresult: `SUCCESS events=N`.
        if let goresult = readBytes(ConformancePaths.file("v1", name, ".goresult")) {
            #expect(String(decoding: goresult, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
                    == "SUCCESS events=\(result.lines.count)")
        }
        if let counts = readBytes(ConformancePaths.file("v1", name, ".counts.tsv")) {
            #expect(countsTSV(result.lines) == counts)
        }
    }

    @Test("the synthetic block comes out by goroutine id, with Go's set of goroutines and times")
    func syntheticBlock() throws {
        for name in V1Paths.conformanceCases {
            let trace = try #require(readBytes(ConformancePaths.file("v1", name, ".trace")))
            let plain = ConformancePaths.file("v1", name, ".parsed.txt")
            guard let want = readBytes(plain) ?? gunzip(plain.appendingPathExtension("gz")) else { continue }
            let got = v1SyntheticBlock(dumpV1(bytes: trace).text)
            let goBlock = v1SyntheticBlock(want)
            func goID(_ line: String) -> Int64 { Int64(line.split(separator: " ")[5].dropFirst(5))! }
            func time(_ line: String) -> Int64 { Int64(line.split(separator: " ")[4].dropFirst(5))! }
            #expect(got.map(goID) == goBlock.map(goID).sorted(), "\(name)")
            #expect(got.map(time) == goBlock.map(time), "\(name)")
        }
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

@Suite("V1 fixtures: go1.21 traces of the Fixtures programs", .enabled(if: !V1Paths.fixtures.isEmpty, "no Fixtures/traces/go1.21"))
struct V1FixtureTests {
    @Test("dump equals go tool trace -d=parsed", arguments: V1Paths.fixtures)
    func parsed(_ t: FixtureTrace) throws {
        let trace = try #require(readBytes(t.url))
        let want = try #require(t.golden(".parsed.txt"), "no golden for \(t.testDescription)")
        let result = dumpV1(bytes: trace)
        #expect(result.error == nil, "unexpected error: \(String(describing: result.error))")
        if let diff = v1Difference(got: result.text, want: want) {
            Issue.record("\(t.testDescription): \(diff)")
        }
        if let counts = t.golden(".counts.tsv") {
            #expect(countsTSV(result.lines) == counts)
        }
    }
}

@Suite("V1 errors: mutated v1 traces fail, or not, exactly as in Go", .enabled(if: V1Paths.conformanceAvailable, "../shared/go-conformance/v1 is absent"))
struct V1MutationTests {
    @Test("same error and events as go tool trace -d=parsed", arguments: v1Mutations)
    func mutation(_ m: V1Mutation) throws {
        let bytes = try #require(readBytes(ConformancePaths.file("v1", m.trace, ".trace")))
        let result = dumpV1(bytes: m.apply(bytes))
        switch m.go {
        case .success(let n):
            #expect(result.error == nil)
            #expect(result.lines.count == n)
        case .failure(let message, let n):
            #expect(result.error?.message == message)
            if case .truncate = m.change {
                #expect(result.error?.kind == .truncated)
            }
            #expect(result.lines.count == n)
        case .goPanics:
            #expect(result.error == nil)
        }
    }
}

@Suite("V1 fuzz: Go's fuzz inputs with a v1 header", .enabled(if: ConformancePaths.conformanceAvailable, "../shared/go-conformance is absent"))
struct V1FuzzTests {
    static var cases: [String] {
        ConformancePaths.cases("fuzz").filter { name in
            guard let bytes = readBytes(ConformancePaths.file("fuzz", name, ".trace")) else { return false }
            return ["go 1.11 trace", "go 1.19 trace", "go 1.21 trace"].contains { bytes.starts(with: Array($0.utf8)) }
        }
    }

    @Test("same events and error as Go's reader (NAME.goresult)", arguments: cases)
    func fuzz(_ name: String) throws {
        let goresult = try String(contentsOf: ConformancePaths.file("fuzz", name, ".goresult"), encoding: .utf8)
            .trimmingCharacters(in: .newlines)
        let result = dumpParsed(path: ConformancePaths.file("fuzz", name, ".trace").path)
        let header = goresult.split(separator: ":", maxSplits: 1)
        let words = header[0].split(separator: " ")
        #expect(result.lines.count == Int(words[1].dropFirst("events=".count))!)
        if words[0] == "SUCCESS" {
            #expect(result.error == nil)
        } else {
            #expect(result.error?.message == (header.count > 1 ? header[1].trimmingCharacters(in: .whitespaces) : ""))
        }
    }
}

@Suite("V1 truncation: a cut v1 trace fails as truncated, or reads whole")
struct V1TruncationTests {
    /// Every cut of a trace after its header (at most about `maxPoints` of them): by default the
    /// reader either fails with `.truncated` before any event, or (cut at the very end) reads the
    /// whole trace.
    func check(_ bytes: [UInt8], _ what: String, maxPoints: Int = 300) {
        let full = dumpV1(bytes: bytes, completeGenerationsOnly: true)
        #expect(full.error == nil, "\(what): \(String(describing: full.error))")
        let step = max(1, (bytes.count - 16) / maxPoints)
        for cut in Swift.stride(from: 16, to: bytes.count, by: step) {
            let result = dumpV1(bytes: Array(bytes[0..<cut]), completeGenerationsOnly: true)
            if let error = result.error {
                #expect(error.kind == .truncated, "\(what) cut at \(cut): \(error)")
                #expect(result.lines.isEmpty, "\(what) cut at \(cut)")
            } else {
                #expect(result.text == full.text, "\(what) cut at \(cut): read without error but differs")
            }
        }
    }

    @Test("Go's v1 test traces", .enabled(if: V1Paths.conformanceAvailable, "../shared/go-conformance/v1 is absent"))
    func conformance() throws {
        for name in V1Paths.conformanceCases where !name.hasPrefix("stress_1_") {
            check(try #require(readBytes(ConformancePaths.file("v1", name, ".trace"))), name)
        }
    }

    @Test("go1.21 fixtures", .enabled(if: !V1Paths.fixtures.isEmpty, "no Fixtures/traces/go1.21"))
    func fixtures() throws {
        for t in V1Paths.fixtures {
            check(try #require(readBytes(t.url)), t.testDescription, maxPoints: 100)
        }
    }
}

@Suite("V1 comparison helper")
struct V1DifferenceTests {
    @Test("tied events may swap, with their times; nothing else may")
    func ties() {
        let a = Array("""
            M=-1 P=-1 G=-1 Sync Time=-1 N=1
            M=1 P=0 G=5 StateTransition Time=10 GoID=5 Running->Waiting Reason=""
            M=2 P=1 G=-1 StateTransition Time=11 ProcID=1 Running->Idle Reason=""
            M=-1 P=-1 G=-1 Sync Time=12 N=2

            """.utf8)
        let swapped = Array("""
            M=-1 P=-1 G=-1 Sync Time=-1 N=1
            M=2 P=1 G=-1 StateTransition Time=10 ProcID=1 Running->Idle Reason=""
            M=1 P=0 G=5 StateTransition Time=11 GoID=5 Running->Waiting Reason=""
            M=-1 P=-1 G=-1 Sync Time=12 N=2

            """.utf8)
        let changed = Array("""
            M=-1 P=-1 G=-1 Sync Time=-1 N=1
            M=1 P=0 G=5 StateTransition Time=10 GoID=5 Running->Runnable Reason=""
            M=2 P=1 G=-1 StateTransition Time=11 ProcID=1 Running->Idle Reason=""
            M=-1 P=-1 G=-1 Sync Time=12 N=2

            """.utf8)
        let retimed = Array("""
            M=-1 P=-1 G=-1 Sync Time=-1 N=1
            M=1 P=0 G=5 StateTransition Time=10 GoID=5 Running->Waiting Reason=""
            M=2 P=1 G=-1 StateTransition Time=15 ProcID=1 Running->Idle Reason=""
            M=-1 P=-1 G=-1 Sync Time=16 N=2

            """.utf8)
        #expect(v1Difference(got: a, want: a) == nil)
        #expect(v1Difference(got: swapped, want: a) == nil)
        #expect(v1Difference(got: changed, want: a) != nil)
        #expect(v1Difference(got: retimed, want: a) != nil)
    }
}
