// Strings that are not valid UTF-8 (Fixtures/invalid-utf8): `tracedb dump` prints them as Go's `%q`
// does (`\xNN` per invalid byte) on both trace formats, and a String made from a trace's bytes gives
// those bytes back.

import Foundation
import Testing
import TestSupport
@testable import GoTrace

@Suite("Invalid UTF-8 in trace strings")
struct InvalidUTF8Tests {
    static let dir = RepoPaths.fixtures.appendingPathComponent("invalid-utf8")

    @Test("go1.21 (v1) trace: dump equals go tool trace -d=parsed, \\x escapes included")
    func v1() throws {
        let bytes = try requireBytes(Self.dir.appendingPathComponent("go1.21.trace"))
        let want = try requireBytes(Self.dir.appendingPathComponent("go1.21.parsed.txt"))
        let result = dumpV1(bytes: bytes)
        #expect(result.error == nil)
        if let diff = v1Difference(got: result.text, want: want) { Issue.record("\(diff)") }
        let text = String(decoding: result.text, as: UTF8.self)
        #expect(text.contains(#"TaskBegin Time=24576 ID=1 Parent=18446744073709551615 Type="task\xff\xfe""#))
        #expect(text.contains(#"Category="cat\xc3" Message="msg \xed\xa0\x80 ok \xe2\x82""#))
        #expect(text.contains(#"RegionBegin Time=33372 Task=1 Type="region\x80""#))
        #expect(text.contains(#"Category="café" Message="valid é and \xf4\x90\x80\x80""#))
    }

    @Test("go1.27 trace: dump equals go tool trace -d=parsed; the payload strings keep the bytes")
    func v2() throws {
        let path = Self.dir.appendingPathComponent("go1.27.trace").path
        let want = try requireBytes(Self.dir.appendingPathComponent("go1.27.parsed.txt"))
        let result = dumpParsed(path: path)
        #expect(result.error == nil)
        #expect(result.text == want, "\(firstDifference(result.text, want))")
        // The decoded payloads (what the warehouse stores) hold the exact bytes too.
        let reader = try TraceReader(path: path)
        var types: [[UInt8]] = []
        while let ev = try reader.next() {
            if case .task(let t) = ev.payload, ev.kind == .taskBegin { types.append(t.type.traceBytes) }
        }
        #expect(types == [Array("task".utf8) + [0xff, 0xfe]])
    }

    @Test("String(traceBytes:) gives back any bytes; valid UTF-8 stays as it is")
    func roundTrip() {
        #expect(String(traceBytes: Array("café".utf8)) == "café")
        let samples: [[UInt8]] = [
            [], [0xff], [0x80, 0x80], Array("ok".utf8) + [0xc3], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80],
            TraceBytes.escapeUTF8, TraceBytes.escapeUTF8 + [0xff] + TraceBytes.escapeUTF8,
            [0xf4, 0x8f, 0xbf], Array("\u{10FE41}".utf8), TraceBytes.escapeUTF8 + Array("\u{10FE41}".utf8),
        ]
        var rng = SplitMix64(state: 42)
        var random: [[UInt8]] = []
        for n in 0..<200 { random.append((0..<(n % 17)).map { _ in UInt8.random(in: 0...255, using: &rng) }) }
        for bytes in samples + random {
            let s = String(traceBytes: bytes)
            #expect(s.traceBytes == bytes, "\(bytes)")
            var quoted: [UInt8] = []
            appendGoQuoted(s, to: &quoted)
            var direct: [UInt8] = []
            bytes.withUnsafeBufferPointer { appendGoQuoted($0, to: &direct) }
            #expect(quoted == direct, "\(bytes)")
        }
    }
}
