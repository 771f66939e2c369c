import Foundation
import Testing
import TestSupport
@testable import GoTrace

@Suite("V1 errors: mutated v1 traces fail, or not, exactly as in Go")
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
