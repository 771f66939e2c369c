import Testing
@testable import TraceWarehouse
@Test func placeholder() { #expect(1 == 1) }
