// Damaged input must never crash the reader: mutated traces (bit flips, overwritten, inserted and
// deleted bytes) are read to the end or to an error, with every event formatted and decoded.

import Foundation
import Testing
import TestSupport
@testable import GoTrace

/// A small deterministic random generator (SplitMix64), so failures reproduce.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Reads `bytes` every way the package can, touching every decoded detail of every event.
func exercise(_ bytes: [UInt8]) {
    for strict in [true, false] {
        guard let reader = try? TraceReader(bytes: bytes, completeGenerationsOnly: strict) else { continue }
        var out: [UInt8] = []
        while true {
            guard let ev = (try? reader.next()) ?? nil else { break }
            ev.appendGoString(to: &out)
            _ = ev.payload
            _ = ev.stack.frames
            if let st = ev.stateTransition { _ = st.stack.frames }
            out.removeAll(keepingCapacity: true)
        }
    }
    if let wire = try? WireReader(bytes: bytes) {
        var out: [UInt8] = []
        while let ev = (try? wire.next()) ?? nil {
            ev.appendGoString(to: &out)
            out.removeAll(keepingCapacity: true)
        }
    }
}

@Suite("Robustness")
struct RobustnessTests {
    static let seeds = ["tests/go122-annotations", "tests/go123-sync", "tests/go125-sync", "tests/go122-gc-stress",
                        "fuzz/large-id", "tests/go122-syscall-steal-proc-gen-boundary"]

    @Test("mutated traces never crash the reader", arguments: seeds)
    func mutations(_ c: String) throws {
        let parts = c.split(separator: "/")
        let original = try #require(readBytes(ConformancePaths.file(String(parts[0]), String(parts[1]), ".trace")))
        var rng = SplitMix64(state: UInt64(truncatingIfNeeded: c.utf8.reduce(7) { $0 &* 31 &+ Int($1) }))
        let rounds = original.count > 8192 ? 300 : 1500
        for _ in 0..<rounds {
            var bytes = original
            for _ in 0..<Int.random(in: 1...4, using: &rng) {
                // Leave the header alone most of the time so the body gets exercised.
                let lower = Int.random(in: 0..<10, using: &rng) == 0 ? 0 : min(16, bytes.count)
                guard lower < bytes.count else { break }
                let at = Int.random(in: lower..<bytes.count, using: &rng)
                switch Int.random(in: 0..<5, using: &rng) {
                case 0: bytes[at] ^= UInt8(1) << UInt8.random(in: 0..<8, using: &rng)
                case 1: bytes[at] = UInt8.random(in: 0...255, using: &rng)
                case 2: bytes[at] = [0x00, 0x7f, 0x80, 0xff][Int.random(in: 0..<4, using: &rng)]
                case 3: bytes.insert(UInt8.random(in: 0...255, using: &rng), at: at)
                default: bytes.remove(at: at)
                }
            }
            exercise(bytes)
        }
    }

    @Test("huge declared lengths and counts give errors, not allocations")
    func hugeLengths() throws {
        let header = Array("go 1.22 trace\0\0\0".utf8)
        func uvarint(_ v: UInt64) -> [UInt8] {
            var v = v, out: [UInt8] = []
            while v >= 0x80 { out.append(UInt8(v & 0x7f) | 0x80); v >>= 7 }
            out.append(UInt8(v))
            return out
        }
        // A batch declaring 2^62 bytes.
        let batch = header + [Ev.eventBatch] + uvarint(1) + uvarint(1) + uvarint(1) + uvarint(1 << 62)
        let r1 = dumpParsed(bytes: batch)
        #expect(r1.error?.message == "invalid batch size 4611686018427387904, maximum is 65536")
        // A string of 2^40 bytes inside a batch.
        let body: [UInt8] = [Ev.strings, Ev.string] + uvarint(1) + uvarint(1 << 40)
        let strings = header + [Ev.eventBatch] + uvarint(1) + uvarint(UInt64.max) + uvarint(1)
            + uvarint(UInt64(body.count)) + body
        let r2 = dumpParsed(bytes: strings)
        #expect(r2.error?.message == "invalid string size 1099511627776, maximum is 1024")
        // The wire reader on a stack claiming 2^60 frames just runs out of input.
        let stack = header + [Ev.stack] + uvarint(1) + uvarint(1 << 60) + uvarint(5)
        exercise(stack)
        exercise(strings)
    }
}
