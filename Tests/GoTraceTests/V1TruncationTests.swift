import Foundation
import Testing
import TestSupport
@testable import GoTrace

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

    @Test("Go's v1 test traces")
    func conformance() throws {
        // The three stress_1_* traces (300+ KB each) are left out: 300 cuts of each would take minutes.
        let names = V1Paths.conformanceCases.filter { !$0.hasPrefix("stress_1_") }
        #expect(names.count == 9)
        for name in names {
            check(try #require(readBytes(ConformancePaths.file("v1", name, ".trace"))), name)
        }
    }

    @Test("go1.21 fixtures")
    func fixtures() throws {
        #expect(V1Paths.fixtures.count == 11)
        for t in V1Paths.fixtures {
            check(try #require(readBytes(t.url)), t.testDescription, maxPoints: 100)
        }
    }
}
