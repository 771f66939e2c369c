import Foundation
import GoTrace
import Testing
import TestSupport
@testable import TraceExport
@testable import TraceWarehouse

@Suite("Fault injection: exports")
struct FaultExportTests {
    // /dev/full (always full) exists on Linux, where CI runs; macOS has no such device.
    @Test("an export to a full disk reports the error instead of trapping (/dev/full)",
          .enabled(if: FileManager.default.fileExists(atPath: "/dev/full"), "no /dev/full on this system (Linux has it)"))
    func textOutputDiskFull() throws {
        let full = try #require(FileHandle(forWritingAtPath: "/dev/full"))
        let out = TextOutput(handle: full)
        for _ in 0..<3 { out.write(String(repeating: "x", count: 600_000)) }  // more than one 1 MiB flush
        #expect(out.writeError != nil)
        #expect(throws: (any Error).self) { try out.finish() }
    }
}
