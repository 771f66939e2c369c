// Cutting traces short at (nearly) every byte: the reader must never trap, must fail with
// `.truncated` (or `.invalid`), and by default must deliver only whole generations.

import Foundation
import Testing
import TestSupport
@testable import GoTrace

@Suite("Truncated traces")
struct TruncationTests {
    /// Every byte for the first 4 KiB, then about 400 more cut points.
    static func cutPoints(_ size: Int) -> [Int] {
        var points = Array(0..<min(size, 4096))
        if size > 4096 {
            let stride = max(1, (size - 4096) / 400)
            points += Swift.stride(from: 4096, to: size, by: stride)
        }
        return points
    }

    static let traces = ["tests/go122-gc-stress", "tests/go122-annotations-stress", "tests/go123-sync",
                         "tests/go125-sync", "cmd-trace/go122"]

    @Test("every cut point", arguments: traces)
    func truncations(_ c: String) throws {
        let parts = c.split(separator: "/")
        let url = ConformancePaths.file(String(parts[0]), String(parts[1]), ".trace")
        let bytes = try #require(readBytes(url))
        try checkTruncations(bytes)
    }

    @Test("fixture traces of every version")
    func fixtureTruncations() throws {
        var checked = 0
        for trace in FixturePaths.traces() where ["tasks", "cpuprof", "lockthread"].contains(trace.name) {
            let bytes = try #require(readBytes(trace.url))
            try checkTruncations(bytes, maxPoints: 250)
            checked += 1
        }
        #expect(checked == 18, "\(checked) fixture traces cut, want 3 programs × 6 Go versions")
    }

    @Test("complete fixture traces read without error by default")
    func fixturesComplete() throws {
        #expect(FixturePaths.traces().count >= 66)
        for trace in FixturePaths.traces() {
            let bytes = try #require(readBytes(trace.url))
            let result = dumpParsed(bytes: bytes, completeGenerationsOnly: true)
            #expect(result.error == nil, "\(trace.testDescription): \(String(describing: result.error))")
        }
    }
}

/// Cuts `bytes` at many points and checks what the reader does with each prefix.
func checkTruncations(_ bytes: [UInt8], maxPoints: Int = .max) throws {
    let full = dumpParsed(bytes: bytes, completeGenerationsOnly: true)
    #expect(full.error == nil)
    // Where generations start in the full event list: the index of each Sync.
    let syncIndices = Set(full.lines.indices.filter { full.lines[$0].starts(with: Array("M=-1 P=-1 G=-1 Sync ".utf8)) })
    var points = TruncationTests.cutPoints(bytes.count)
    if points.count > maxPoints {
        let step = points.count / maxPoints + 1
        points = Swift.stride(from: 0, to: points.count, by: step).map { points[$0] }
    }
    for cut in points {
        let result = dumpParsed(bytes: Array(bytes[0..<cut]), completeGenerationsOnly: true)
        if let error = result.error {
            // A cut inside the header leaves something that is not a trace; past it, the file
            // simply ends early.
            if cut >= 16 {
                #expect(error.kind == .truncated, "cut at \(cut): \(error)")
            } else {
                #expect(error.kind == .truncated || error.kind == .unsupportedVersion, "cut at \(cut): \(error)")
            }
        }
        // The events are whole generations of the full trace, then one Sync.
        let n = result.lines.count
        if n == 0 { continue }
        #expect(Array(result.lines[0..<(n - 1)]) == Array(full.lines[0..<min(n - 1, full.lines.count)]),
                "cut at \(cut): events differ from the full trace")
        #expect(result.lines[n - 1].starts(with: Array("M=-1 P=-1 G=-1 Sync ".utf8)), "cut at \(cut): last event not a Sync")
        #expect(syncIndices.contains(n - 1) || n - 1 == full.lines.count - 1,
                "cut at \(cut): \(n) events end inside a generation")
        if result.error == nil && cut < bytes.count {
            // A clean end before the real end is only possible at a generation boundary.
            #expect(syncIndices.contains(n - 1) || n == full.lines.count, "cut at \(cut)")
        }
    }
}
