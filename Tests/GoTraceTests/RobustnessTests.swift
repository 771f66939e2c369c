// Damaged input must never crash the reader: mutated traces (bit flips, overwritten, inserted and
// deleted bytes) are read to the end or to an error, with every event formatted and decoded.

import Foundation
import Testing
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

@Suite("Robustness", .enabled(if: ConformancePaths.conformanceAvailable,
                               "../shared/go-conformance not found next to the repository"))
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

@Suite("Internal structures")
struct InternalStructureTests {
    @Test("IDTable finds every ID whatever the insertion order")
    func idTable() {
        var rng = SplitMix64(state: 42)
        var ids = Array(UInt64(1)...3000)
        ids.shuffle(using: &rng)
        ids += [1 << 40, 5_000_000]
        var table = IDTable<Int>()
        for id in ids {
            let inserted = table.insert(id, Int(id))
            #expect(inserted)
        }
        for id in ids { #expect(table[id] == Int(id)) }
        let again = table.insert(7, 0)
        #expect(!again)
        let zero = table.insert(0, 0)
        #expect(!zero, "ID 0 always exists, as in Go")
        #expect(!table.contains(3001))
        let tableIDs = TableIDs(stacks: table, strings: IDTable<Int>())
        withExtendedLifetime(tableIDs) {
            for id in ids { #expect(tableIDs.stacks.contains(id)) }
            #expect(!tableIDs.stacks.contains(3001))
        }
    }

    @Test("IntMap keeps entries through growth and removals")
    func intMap() {
        var rng = SplitMix64(state: 7)
        var map = IntMap<Int64>()
        var reference: [Int64: Int64] = [:]
        for _ in 0..<20000 {
            let k = Int64.random(in: -50...2000, using: &rng)
            if Bool.random(using: &rng) {
                map.set(k, k * 3); reference[k] = k * 3
            } else {
                map.remove(k); reference[k] = nil
            }
        }
        #expect(map.count == reference.count)
        for (k, v) in reference { #expect(map[k] == v) }
        for k in Int64(-50)...2000 where reference[k] == nil { #expect(map[k] == nil) }
    }

    @Test("Go's %q quoting")
    func quoting() {
        func q(_ bytes: [UInt8]) -> String {
            var out: [UInt8] = []
            bytes.withUnsafeBufferPointer { appendGoQuoted($0, to: &out) }
            return String(decoding: out, as: UTF8.self)
        }
        #expect(q(Array("plain".utf8)) == #""plain""#)
        #expect(q(Array("a\"b\\c\n\t\u{07}".utf8)) == #""a\"b\\c\n\t\a""#)
        #expect(q([0x00, 0x1f, 0x7f]) == #""\x00\x1f\x7f""#)
        #expect(q([0xff, 0xc3]) == #""\xff\xc3""#, "invalid UTF-8 is escaped per byte")
        #expect(q(Array("é日本".utf8)) == "\"é日本\"")
        #expect(q(Array("\u{AD}\u{200B}\u{FEFF}".utf8)) == #""\u00ad\u200b\ufeff""#)
        #expect(q(Array("\u{E0001}".utf8)) == #""\U000e0001""#)
        #expect(q([0xed, 0xa0, 0x80]) == #""\xed\xa0\x80""#, "surrogates are invalid UTF-8")
    }

    @Test("RFC 3339 wall clock, as Go's time.RFC3339Nano in UTC")
    func wallClock() {
        func f(_ s: Int64, _ n: Int64) -> String {
            var out: [UInt8] = []
            appendRFC3339Nano(sec: s, nsec: n, to: &out)
            return String(decoding: out, as: UTF8.self)
        }
        #expect(f(1740755049, 123) == "2025-02-28T15:04:09.000000123Z")
        #expect(f(0, 0) == "1970-01-01T00:00:00Z")
        #expect(f(951782400, 500_000_000) == "2000-02-29T00:00:00.5Z")
        #expect(f(-1, 0) == "1969-12-31T23:59:59Z")
        #expect(f(0, 1_500_000_000) == "1970-01-01T00:00:01.5Z")
        _ = f(Int64.max, Int64.max)
        _ = f(Int64.min, Int64.min)
    }

    @Test("Go's float to int conversion never traps")
    func floatConversion() {
        #expect(goFloatToInt64(1.9) == 1)
        #expect(goFloatToInt64(-1.9) == -1)
        #expect(goFloatToInt64(.infinity) == Int64.min)
        #expect(goFloatToInt64(.nan) == Int64.min)
        #expect(goFloatToInt64(1e300) == Int64.min)
    }
}
