import Foundation
import Testing
import TestSupport
@testable import GoTrace

@Suite("V1 fixtures: go1.21 traces of the Fixtures programs")
struct V1FixtureTests {
    @Test("the 11 go1.21 fixtures are there")
    func dataPresent() { #expect(V1Paths.fixtures.count == 11) }

    @Test("dump equals go tool trace -d=parsed", arguments: V1Paths.fixtures)
    func parsed(_ t: FixtureTrace) throws {
        let trace = try #require(readBytes(t.url))
        let want = try #require(t.golden(".parsed.txt"), "no golden for \(t.testDescription)")
        let result = dumpV1(bytes: trace)
        #expect(result.error == nil, "unexpected error: \(String(describing: result.error))")
        if let diff = v1Difference(got: result.text, want: want) {
            Issue.record("\(t.testDescription): \(diff)")
        }
        let counts = try #require(t.golden(".counts.tsv"), "no counts for \(t.testDescription)")
        #expect(countsTSV(result.lines) == counts)
    }
}
