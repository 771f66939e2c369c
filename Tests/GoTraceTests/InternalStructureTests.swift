import Foundation
import Testing
import TestSupport
@testable import GoTrace

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
