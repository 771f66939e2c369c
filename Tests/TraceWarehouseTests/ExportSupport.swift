import Foundation
import Testing
@testable import TraceExport
@testable import TraceWarehouse

// Helpers for the export tests: an independent protobuf decoder for pprof profiles, the Go goldens
// (Golden/pprof_totals.tsv, Golden/pprof_samples.tsv, made by Golden/pprof-regen.sh with
// `go tool trace -pprof=TYPE`), and a strict well-formedness check for the HTML report.

/// A decoded profile.proto message (only what the tests look at).
struct DecodedProfile {
    var strings: [String] = []
    var sampleTypes: [(type: Int64, unit: Int64)] = []
    var samples: [(locations: [UInt64], values: [Int64])] = []
    var locations: [UInt64: (address: UInt64, lines: [(function: UInt64, line: Int64)])] = [:]
    var functions: [UInt64: (name: Int64, file: Int64)] = [:]
    var mappings = 0
    var periodType: (type: Int64, unit: Int64) = (0, 0)
    var period: Int64 = 0
    var comments: [Int64] = []
    var timeNanos: Int64 = 0
    var durationNanos: Int64 = 0

    var types: [String] { sampleTypes.map { "\(strings[Int($0.type)])/\(strings[Int($0.unit)])" } }
    var totals: [Int64] {
        var t = [Int64](repeating: 0, count: sampleTypes.count)
        for s in samples { for (i, v) in s.values.enumerated() where i < t.count { t[i] += v } }
        return t
    }
    /// PCs of a sample's stack, leaf first.
    func pcs(_ i: Int) -> [UInt64] { samples[i].locations.map { locations[$0]?.address ?? 0 } }
    /// Function names of a sample's stack, leaf first.
    func funcs(_ i: Int) -> [String] {
        samples[i].locations.flatMap { l in (locations[l]?.lines ?? []).map { strings[Int(functions[$0.function]?.name ?? 0)] } }
    }

    init(gzipped: [UInt8]) throws {
        try self.init(bytes: try Gzip.decompress(gzipped))
    }

    init(bytes: [UInt8]) throws {
        var r = ProtoReader(bytes[...])
        while let (field, value) = try r.next() {
            switch (field, value) {
            case (1, .bytes(let b)):
                var m = ProtoReader(b); var t: (Int64, Int64) = (0, 0)
                while let (f, v) = try m.next() { if case .varint(let x) = v { if f == 1 { t.0 = Int64(bitPattern: x) } else if f == 2 { t.1 = Int64(bitPattern: x) } } }
                sampleTypes.append(t)
            case (2, .bytes(let b)):
                var m = ProtoReader(b); var locs: [UInt64] = [], vals: [Int64] = []
                while let (f, v) = try m.next() {
                    switch (f, v) {
                    case (1, .varint(let x)): locs.append(x)
                    case (1, .bytes(let p)): locs += try ProtoReader.packed(p)
                    case (2, .varint(let x)): vals.append(Int64(bitPattern: x))
                    case (2, .bytes(let p)): vals += try ProtoReader.packed(p).map { Int64(bitPattern: $0) }
                    default: break
                    }
                }
                samples.append((locs, vals))
            case (3, .bytes):
                mappings += 1
            case (4, .bytes(let b)):
                var m = ProtoReader(b); var id: UInt64 = 0, addr: UInt64 = 0, lines: [(UInt64, Int64)] = []
                while let (f, v) = try m.next() {
                    switch (f, v) {
                    case (1, .varint(let x)): id = x
                    case (3, .varint(let x)): addr = x
                    case (4, .bytes(let lb)):
                        var l = ProtoReader(lb); var fn: UInt64 = 0, line: Int64 = 0
                        while let (lf, lv) = try l.next() { if case .varint(let x) = lv { if lf == 1 { fn = x } else if lf == 2 { line = Int64(bitPattern: x) } } }
                        lines.append((fn, line))
                    default: break
                    }
                }
                locations[id] = (addr, lines.map { (function: $0.0, line: $0.1) })
            case (5, .bytes(let b)):
                var m = ProtoReader(b); var id: UInt64 = 0, name: Int64 = 0, file: Int64 = 0
                while let (f, v) = try m.next() {
                    if case .varint(let x) = v {
                        if f == 1 { id = x } else if f == 2 { name = Int64(bitPattern: x) } else if f == 4 { file = Int64(bitPattern: x) }
                    }
                }
                functions[id] = (name, file)
            case (6, .bytes(let b)): strings.append(String(decoding: b, as: UTF8.self))
            case (9, .varint(let x)): timeNanos = Int64(bitPattern: x)
            case (10, .varint(let x)): durationNanos = Int64(bitPattern: x)
            case (11, .bytes(let b)):
                var m = ProtoReader(b)
                while let (f, v) = try m.next() { if case .varint(let x) = v { if f == 1 { periodType.type = Int64(bitPattern: x) } else if f == 2 { periodType.unit = Int64(bitPattern: x) } } }
            case (12, .varint(let x)): period = Int64(bitPattern: x)
            case (13, .varint(let x)): comments.append(Int64(bitPattern: x))
            case (13, .bytes(let p)): comments += try ProtoReader.packed(p).map { Int64(bitPattern: $0) }
            default: break
            }
        }
    }
}

/// A protobuf wire-format reader.
struct ProtoReader {
    enum Value { case varint(UInt64), fixed64(UInt64), bytes(ArraySlice<UInt8>), fixed32(UInt32) }
    struct Malformed: Error, CustomStringConvertible { var description: String }
    var data: ArraySlice<UInt8>
    init(_ d: ArraySlice<UInt8>) { data = d }

    mutating func varint() throws -> UInt64 {
        var v: UInt64 = 0, shift: UInt64 = 0
        while true {
            guard let b = data.popFirst() else { throw Malformed(description: "truncated varint") }
            v |= UInt64(b & 0x7f) << shift
            if b < 0x80 { return v }
            shift += 7
            if shift > 63 { throw Malformed(description: "varint too long") }
        }
    }
    mutating func next() throws -> (Int, Value)? {
        if data.isEmpty { return nil }
        let key = try varint()
        let field = Int(key >> 3)
        guard field > 0 else { throw Malformed(description: "field number 0") }
        switch key & 7 {
        case 0: return (field, .varint(try varint()))
        case 1:
            guard data.count >= 8 else { throw Malformed(description: "truncated fixed64") }
            var v: UInt64 = 0
            for (i, b) in data.prefix(8).enumerated() { v |= UInt64(b) << (8 * UInt64(i)) }
            data = data.dropFirst(8); return (field, .fixed64(v))
        case 2:
            let n = Int(try varint())
            guard data.count >= n else { throw Malformed(description: "truncated length-delimited field \(field)") }
            let b = data.prefix(n); data = data.dropFirst(n)
            return (field, .bytes(b))
        case 5:
            guard data.count >= 4 else { throw Malformed(description: "truncated fixed32") }
            var v: UInt32 = 0
            for (i, b) in data.prefix(4).enumerated() { v |= UInt32(b) << (8 * UInt32(i)) }
            data = data.dropFirst(4); return (field, .fixed32(v))
        default: throw Malformed(description: "bad wire type \(key & 7)")
        }
    }
    static func packed(_ b: ArraySlice<UInt8>) throws -> [UInt64] {
        var r = ProtoReader(b); var out: [UInt64] = []
        while !r.data.isEmpty { out.append(try r.varint()) }
        return out
    }
}

/// Go's own `go tool trace -pprof=TYPE` output for every golden trace (committed; CI has no Go).
enum GoPprofGolden {
    static let dir = Paths.repo.appendingPathComponent("Tests/TraceWarehouseTests/Golden")
    /// (trace, pprof flag) → (SHA-256 of the trace file, n_samples, total_count, total_ns).
    static let totals: [String: (sha256: String, samples: Int, count: Int64, ns: Int64)] = {
        guard let t = try? TSV(path: dir.appendingPathComponent("pprof_totals.tsv").path),
              let rows = try? t.project(["trace", "sha256", "profile", "n_samples", "total_count", "total_ns"]) else { return [:] }
        var out: [String: (String, Int, Int64, Int64)] = [:]
        for r in rows { out["\(r[0])|\(r[2])"] = (r[1], Int(r[3]) ?? -1, Int64(r[4]) ?? -1, Int64(r[5]) ?? -1) }
        return out
    }()
    /// (trace, pprof flag) → sorted "count\tns\tpcs" lines, one per sample.
    static let samples: [String: [String]] = {
        guard let t = try? TSV(path: dir.appendingPathComponent("pprof_samples.tsv").path),
              let rows = try? t.project(["trace", "profile", "count", "ns", "pcs"]) else { return [:] }
        var out: [String: [String]] = [:]
        for r in rows { out["\(r[0])|\(r[1])", default: []].append("\(r[2])\t\(r[3])\t\(r[4])") }
        return out.mapValues { $0.sorted() }
    }()
}

/// tracegolden's profile names → `go tool trace -pprof` flags (profile_totals.tsv has both).
let pprofFlags: [(golden: String, kind: ExportProfile)] = [("sched", .sched), ("io", .net), ("block", .sync), ("syscall", .syscall)]

/// Checks that `html` is well-formed XML-compatible markup: balanced tags, self-closed void elements,
/// only the five XML entities and numeric references. Returns the problems found.
func markupProblems(_ html: String) -> [String] {
    var problems: [String] = []
    var stack: [String] = []
    let s = Array(html.utf8)
    var i = 0
    func starts(_ p: String, _ at: Int) -> Bool {
        let b = Array(p.utf8)
        return at + b.count <= s.count && Array(s[at..<at + b.count]) == b
    }
    func find(_ p: String, from: Int) -> Int? {
        let b = Array(p.utf8)
        var j = from
        while j + b.count <= s.count { if s[j] == b[0] && Array(s[j..<j + b.count]) == b { return j }; j += 1 }
        return nil
    }
    while i < s.count && problems.count < 10 {
        let c = s[i]
        if c == UInt8(ascii: "<") {
            if starts("<!--", i) { i = (find("-->", from: i) ?? s.count) + 3; continue }
            if starts("<![CDATA[", i) { i = (find("]]>", from: i) ?? s.count) + 3; continue }
            if starts("<!DOCTYPE", i) || starts("<!doctype", i) { i = (find(">", from: i) ?? s.count) + 1; continue }
            guard let end = find(">", from: i) else { problems.append("unterminated tag at byte \(i)"); break }
            let tag = String(decoding: s[(i + 1)..<end], as: UTF8.self)
            if tag.hasPrefix("/") {
                let name = String(tag.dropFirst()).trimmingCharacters(in: .whitespaces)
                if stack.last == name { stack.removeLast() } else { problems.append("</\(name)> closes <\(stack.last ?? "nothing")> at byte \(i)") }
            } else if !tag.hasSuffix("/") {
                let name = String(tag.prefix { !$0.isWhitespace })
                if ["meta", "br", "img", "input", "link", "hr"].contains(name.lowercased()) {
                    problems.append("void element <\(name)> not self-closed at byte \(i)")
                }
                stack.append(name)
            }
            // Inside script/style, only CDATA is allowed (no raw markup).
            i = end + 1
        } else if c == UInt8(ascii: "&") {
            guard let semi = find(";", from: i), semi - i <= 10 else { problems.append("bare & at byte \(i)"); i += 1; continue }
            let ent = String(decoding: s[(i + 1)..<semi], as: UTF8.self)
            if !["amp", "lt", "gt", "quot", "apos"].contains(ent) && !(ent.hasPrefix("#") && Int(ent.dropFirst()) != nil) {
                problems.append("entity &\(ent); is not XML at byte \(i)")
            }
            i = semi + 1
        } else {
            i += 1
        }
    }
    if !stack.isEmpty && problems.isEmpty { problems.append("unclosed elements: \(stack.suffix(5).joined(separator: ", "))") }
    return problems
}
