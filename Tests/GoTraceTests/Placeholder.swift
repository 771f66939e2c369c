import Testing
@testable import GoTrace
@Test func placeholder() { #expect(1 == 1) }
