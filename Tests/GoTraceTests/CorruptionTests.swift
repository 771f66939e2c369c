// Deterministic corruption of real traces: byte flips of every format version, huge declared
// lengths, varints that never end, stack and string IDs that do not exist, generations out of
// order, absurd timestamps, frequencies and IDs. Whatever the bytes, reading gives events and
// then at most one clean `TraceError`: never a trap, a hang or a huge allocation.
//
// The structured cases edit a trace at the level of its wire events (`WireTrace`) and write it
// back with correct batch sizes, so the damage is exactly the one intended. The same hostile
// traces are committed under FuzzRegressions/ (`hostile-*.trace`, see `writeHostileCorpus`), where
// the ingest tests (TraceWarehouseTests) load them into a database.

import Foundation
import Testing
import TestSupport
@testable import GoTrace

/// A trace as its raw wire events, to edit and write back (batch sizes are recomputed).
struct WireTrace {
    var header: [UInt8]
    var events: [WireEvent]

    init(_ bytes: [UInt8]) throws {
        let r = try WireReader(bytes: bytes)
        header = Array(bytes[0..<r.bytesRead])
        events = []
        while let e = try r.next() { events.append(e) }
    }

    static func uvarint(_ v: UInt64, to out: inout [UInt8]) {
        var v = v
        while v >= 0x80 { out.append(UInt8(v & 0x7f) | 0x80); v >>= 7 }
        out.append(UInt8(v))
    }

    static func encode(_ e: WireEvent, to out: inout [UInt8]) {
        out.append(e.type)
        for a in e.args { uvarint(a, to: &out) }
        if wireSpecs[Int(e.type)].hasData {
            uvarint(UInt64(e.data?.count ?? 0), to: &out)
            out += e.data ?? []
        }
    }

    static func startsBatch(_ t: UInt8) -> Bool {
        t == Ev.eventBatch || t == Ev.experimentalBatch || t == Ev.endOfGeneration
    }

    /// The trace's bytes, each EventBatch's size set to the bytes of the events that follow it.
    func encode() -> [UInt8] {
        var out = header
        var i = 0
        while i < events.count {
            let e = events[i]
            i += 1
            guard e.type == Ev.eventBatch else { Self.encode(e, to: &out); continue }
            var body: [UInt8] = []
            while i < events.count && !Self.startsBatch(events[i].type) {
                Self.encode(events[i], to: &body)
                i += 1
            }
            var h = e
            if h.args.count == 4 { h.args[3] = UInt64(body.count) }
            Self.encode(h, to: &out)
            out += body
        }
        return out
    }

    /// Indices of the batch headers, with their generation.
    var batches: [(index: Int, gen: UInt64)] {
        events.indices.compactMap { i in
            switch events[i].type {
            case Ev.eventBatch: (i, events[i].args[0])
            case Ev.experimentalBatch: (i, events[i].args[1])
            default: nil
            }
        }
    }

    /// Calls `body` with each argument of each timed event whose name is in `names` (by spec).
    mutating func editArgs(where pick: (EventSpec, Int) -> Bool, _ body: (inout UInt64, Int) -> Void) {
        var n = 0
        for i in events.indices {
            let spec = wireSpecs[Int(events[i].type)]
            for k in spec.args.indices where k < events[i].args.count && pick(spec, k) {
                body(&events[i].args[k], n)
                n += 1
            }
        }
    }
}

/// One named damaged trace.
struct HostileTrace: CustomStringConvertible, Sendable {
    var name: String
    var bytes: [UInt8]
    /// The fixture it was made from (`go1.27/tasks`), if any.
    var source: String? = nil
    var description: String { name }
}

enum HostileCorpus {
    static func header(_ minor: Int) -> [UInt8] { Array("go 1.\(minor) trace\0\0\0".utf8) }
    static func uv(_ v: UInt64) -> [UInt8] { var o: [UInt8] = []; WireTrace.uvarint(v, to: &o); return o }

    /// A fixture trace by version and name.
    static func fixture(_ version: String, _ name: String) throws -> [UInt8] {
        try requireBytes(ConformancePaths.fixtures.appendingPathComponent("traces/\(version)/\(name).trace"))
    }

    /// Handcrafted framing damage: huge lengths and counts, endless and overlong varints.
    static func framing() -> [HostileTrace] {
        var out: [HostileTrace] = []
        for minor in [22, 25, 26] {
            let h = header(minor)
            let batch = [Ev.eventBatch] + uv(1) + uv(1) + uv(1)
            out += [
                HostileTrace(name: "batch-size-2^62-go1.\(minor)", bytes: h + batch + uv(1 << 62)),
                HostileTrace(name: "batch-size-max+1-go1.\(minor)", bytes: h + batch + uv(WireLimits.maxBatchSize + 1) + [UInt8](repeating: 0, count: 64)),
                HostileTrace(name: "batch-size-max-short-go1.\(minor)", bytes: h + batch + uv(WireLimits.maxBatchSize) + [Ev.strings]),
                HostileTrace(name: "endless-varint-batch-gen-go1.\(minor)", bytes: h + [Ev.eventBatch] + [UInt8](repeating: 0x80, count: 4096)),
                HostileTrace(name: "endless-varint-1MiB-go1.\(minor)", bytes: h + [Ev.eventBatch] + [UInt8](repeating: 0xff, count: 1 << 20)),
                HostileTrace(name: "overlong-varint-size-go1.\(minor)", bytes: h + batch + [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02]),
                HostileTrace(name: "varint-cut-at-eof-go1.\(minor)", bytes: h + batch + [0x80, 0x80]),
            ]
            // Varints that never end inside batches of each kind.
            let endless = [UInt8](repeating: 0x80, count: 40)
            for (kind, body) in [("strings", [Ev.strings, Ev.string] + endless), ("stacks", [Ev.stacks, Ev.stack] + endless),
                                 ("cpusamples", [Ev.cpuSamples, Ev.cpuSample] + endless),
                                 ("events", [Ev.procStatus] + endless)] {
                out.append(HostileTrace(name: "endless-varint-in-\(kind)-go1.\(minor)",
                                        bytes: h + batch + uv(UInt64(body.count)) + body))
            }
            // Huge declared string lengths and frame counts inside otherwise valid batches.
            for (what, body) in [
                ("string-len-2^40", [Ev.strings, Ev.string] + uv(1) + uv(1 << 40)),
                ("string-len-max+1", [Ev.strings, Ev.string] + uv(1) + uv(WireLimits.maxEventTrailerDataSize + 1) + [UInt8](repeating: 65, count: 1025)),
                ("stack-frames-2^60", [Ev.stacks, Ev.stack] + uv(1) + uv(1 << 60) + uv(5)),
                ("stack-frames-max+1", [Ev.stacks, Ev.stack] + uv(1) + uv(WireLimits.maxFramesPerStack + 1) + [UInt8](repeating: 1, count: 600)),
            ] as [(String, [UInt8])] {
                out.append(HostileTrace(name: "\(what)-go1.\(minor)", bytes: h + batch + uv(UInt64(body.count)) + body))
            }
            // The wire reader on lengths it must not allocate up front.
            out.append(HostileTrace(name: "wire-string-data-2^62-go1.\(minor)", bytes: h + [Ev.string] + uv(1) + uv(1 << 62) + [1, 2, 3]))
            out.append(HostileTrace(name: "wire-stack-frames-2^62-go1.\(minor)", bytes: h + [Ev.stack] + uv(1) + uv(1 << 62) + uv(7)))
            out.append(HostileTrace(name: "experimental-batch-2^62-go1.\(minor)",
                                    bytes: h + [Ev.experimentalBatch, 1] + uv(1) + uv(1) + uv(1) + uv(1 << 62)))
        }
        // The old v1 format (Go 1.11–1.21): event bytes whose argument varints never end, and
        // huge declared string lengths and stack depths (v1 EvString = 37, EvStack = 35; the top
        // two bits of the type byte give the number of inline arguments).
        for minor in [11, 19, 21] {
            let h = header(minor)
            out += [
                HostileTrace(name: "v1-endless-varint-go1.\(minor)", bytes: h + [UInt8](repeating: 0xff, count: 4096)),
                HostileTrace(name: "v1-string-len-2^62-go1.\(minor)", bytes: h + [37] + uv(1) + uv(1 << 62) + [65, 66]),
                HostileTrace(name: "v1-stack-depth-2^60-go1.\(minor)", bytes: h + [35 | 0xC0] + uv(100) + uv(1) + uv(1 << 60) + uv(1)),
                HostileTrace(name: "v1-args-2^62-go1.\(minor)", bytes: h + [4 | 0xC0] + uv(1 << 62) + [UInt8](repeating: 0x80, count: 64)),
            ]
        }
        return out
    }

    /// Structural damage to real traces of each format version, through `WireTrace`.
    static func structural() throws -> [HostileTrace] {
        var out: [HostileTrace] = []
        // Fixtures: strings, stacks, tasks, regions, logs, syscalls, in every format version (one
        // generation each); Go's small conformance traces with two and three generations.
        var sources: [(tag: String, source: String?, bytes: [UInt8])] = []
        for version in ["go1.22", "go1.23", "go1.25", "go1.26", "go1.27"] {
            for name in ["tasks", "netfile"] {
                sources.append(("\(name)-\(version)", "\(version)/\(name)", try fixture(version, name)))
            }
        }
        for name in ["go122-task-across-generations", "go123-sync", "go125-sync"] {
            sources.append((name, nil, try requireBytes(ConformancePaths.file("tests", name, ".trace"))))
        }
        for (tag, source, bytes) in sources {
            do {
                let base = try WireTrace(bytes)
                func add(_ what: String, _ edit: (inout WireTrace) -> Void) {
                    var t = base
                    edit(&t)
                    out.append(HostileTrace(name: "\(what)-\(tag)", bytes: t.encode(), source: source))
                }
                // Stack and string IDs that do not exist.
                add("unknown-stack-ids") { t in t.editArgs(where: { s, k in s.stackIDs.contains(k) }) { v, n in v = (1 << 40) + UInt64(n) } }
                add("unknown-string-ids") { t in t.editArgs(where: { s, k in s.stringIDs.contains(k) }) { v, n in v = (1 << 40) + UInt64(n) } }
                add("unknown-frame-func-string") { t in
                    if let i = t.events.firstIndex(where: { $0.type == Ev.stack && $0.args.count >= 6 }) { t.events[i].args[3] = 1 << 50 }
                }
                add("string-id-zero") { t in t.editArgs(where: { s, k in s.stringIDs.contains(k) }) { v, _ in v = 0 } }
                add("duplicate-string-id") { t in
                    let ids = t.events.indices.filter { t.events[$0].type == Ev.string }
                    if ids.count >= 2 { t.events[ids[1]].args[0] = t.events[ids[0]].args[0] }
                }
                add("duplicate-stack-id") { t in
                    let ids = t.events.indices.filter { t.events[$0].type == Ev.stack }
                    if ids.count >= 2 { t.events[ids[1]].args[0] = t.events[ids[0]].args[0] }
                }
                // Generations out of order, repeated, zero, skipped.
                let gens = Array(Set(base.batches.map(\.gen))).sorted()
                if let last = gens.last, gens.count >= 2 {
                    add("generations-reversed") { t in
                        for (i, g) in t.batches { t.events[i].args[t.events[i].type == Ev.eventBatch ? 0 : 1] = last + gens[0] - g }
                    }
                    add("generation-skipped") { t in
                        for (i, g) in t.batches where g == last { t.events[i].args[t.events[i].type == Ev.eventBatch ? 0 : 1] = last + 5 }
                    }
                }
                add("generation-zero") { t in
                    for (i, _) in t.batches { t.events[i].args[t.events[i].type == Ev.eventBatch ? 0 : 1] = 0 }
                }
                add("first-generation-repeated") { t in
                    // The first generation's batches again at the end of the file.
                    let first = t.batches.filter { $0.gen == gens.first }.map(\.index)
                    guard let lo = first.first, let hiBatch = first.last else { return }
                    var hi = hiBatch + 1
                    while hi < t.events.count && !WireTrace.startsBatch(t.events[hi].type) { hi += 1 }
                    t.events += t.events[lo..<hi]
                }
                // Absurd times, frequencies and IDs.
                add("timestamps-huge") { t in
                    for (i, _) in t.batches where t.events[i].type == Ev.eventBatch { t.events[i].args[2] = UInt64.max - 1000 }
                }
                add("timestamp-deltas-huge") { t in t.editArgs(where: { s, k in s.isTimedEvent && k == 0 }) { v, n in v = n % 3 == 0 ? 1 << 62 : v } }
                add("timestamps-backwards") { t in
                    var n: UInt64 = 0
                    for (i, _) in t.batches where t.events[i].type == Ev.eventBatch { n += 1; t.events[i].args[2] = 1_000_000_000 / n }
                }
                for (label, f) in [("frequency-zero", UInt64(0)), ("frequency-one", 1), ("frequency-max", UInt64.max)] {
                    add(label) { t in
                        for i in t.events.indices where t.events[i].type == Ev.frequency { t.events[i].args[0] = f }
                    }
                }
                add("clock-snapshot-huge") { t in
                    for i in t.events.indices where t.events[i].type == Ev.clockSnapshot {
                        t.events[i].args[1] = UInt64.max; t.events[i].args[2] = UInt64.max; t.events[i].args[3] = UInt64.max
                    }
                }
                add("ids-max") { t in
                    t.editArgs(where: { s, k in ["g", "new_g", "p", "m", "task", "parent_task"].contains(s.args[k]) }) { v, n in
                        v = n % 2 == 0 ? UInt64.max : UInt64(Int64.max)
                    }
                }
                add("gomaxprocs-huge") { t in
                    t.editArgs(where: { s, k in s.args[k] == "procs_value" }) { v, n in v = n % 2 == 0 ? 1 << 40 : (1 << 16) + 1 }
                }
                add("statuses-invalid") { t in
                    t.editArgs(where: { s, k in ["gstatus", "pstatus"].contains(s.args[k]) }) { v, n in v = UInt64(n % 7) + 3 }
                }
                add("sequence-numbers-huge") { t in
                    t.editArgs(where: { s, k in ["g_seq", "p_seq", "gc_seq"].contains(s.args[k]) }) { v, _ in v = UInt64.max }
                }
                add("batch-m-changed") { t in
                    for (i, _) in t.batches where t.events[i].type == Ev.eventBatch { t.events[i].args[1] = t.events[i].args[1] % 2 }
                }
            } catch {
                // Every source is a valid v2 trace: one that WireTrace cannot read is a broken fixture.
                throw TestDataError("\(tag): WireTrace cannot read it: \(error)")
            }
        }
        return out
    }

    /// Byte-level damage with a fixed seed: every format version (v1 = go1.21 too), both few and many flips.
    static func flips(rounds: Int) throws -> [HostileTrace] {
        var out: [HostileTrace] = []
        for version in ["go1.21", "go1.22", "go1.23", "go1.25", "go1.26", "go1.27"] {
            for name in ["tasks", "cpuprof", "workers"] {
                let original = try fixture(version, name)
                var rng = SplitMix64(state: UInt64(truncatingIfNeeded: "\(version)/\(name)".hashValueStable))
                for r in 0..<rounds {
                    var bytes = original
                    let flips = r % 4 == 0 ? Int.random(in: 8...64, using: &rng) : Int.random(in: 1...3, using: &rng)
                    for _ in 0..<flips {
                        let at = Int.random(in: 16..<bytes.count, using: &rng)
                        bytes[at] ^= UInt8(1) << UInt8.random(in: 0..<8, using: &rng)
                    }
                    out.append(HostileTrace(name: "flip-\(name)-\(version)-\(r)", bytes: bytes))
                }
            }
        }
        return out
    }
}

extension String {
    /// A hash that is the same in every process (Swift's `hashValue` is seeded per process).
    var hashValueStable: UInt64 { utf8.reduce(14_695_981_039_346_656_037) { ($0 ^ UInt64($1)) &* 1_099_511_628_211 } }
}

/// Reads `bytes` in every mode and checks the outcome is events and then at most one clean error.
@discardableResult
func expectCleanRead(_ bytes: [UInt8], _ what: String, sourceLocation: SourceLocation = #_sourceLocation) -> DumpResult {
    let started = Date()
    let strict = dumpParsed(bytes: bytes, completeGenerationsOnly: true)
    let loose = dumpParsed(bytes: bytes, completeGenerationsOnly: false)
    exercise(bytes)
    analyse(bytes)
    if let e = strict.error ?? loose.error {
        #expect(!e.message.isEmpty, "\(what): an error without a message", sourceLocation: sourceLocation)
    }
    // Whole generations only: never more events than Go's exact behaviour delivers.
    #expect(strict.lines.count <= loose.lines.count || loose.error == nil, "\(what)", sourceLocation: sourceLocation)
    let seconds = Date().timeIntervalSince(started)
    #expect(seconds < 20, "\(what): \(seconds) s to read \(bytes.count) bytes", sourceLocation: sourceLocation)
    return strict
}

@Suite("Corrupt traces (deterministic)")
struct CorruptionTests {
    @Test("WireTrace writes every fixture back as the same trace")
    func roundTrip() throws {
        // Not byte for byte: the runtime writes batch sizes as padded varints, WireTrace as minimal ones.
        for t in FixturePaths.traces() where t.version >= "go1.22" {
            let bytes = try #require(readBytes(t.url))
            let again = try WireTrace(bytes).encode()
            let a = dumpParsed(bytes: bytes), b = dumpParsed(bytes: again)
            #expect(a.error == nil && b.error == nil && a.text == b.text, "\(t.testDescription): \(firstDifference(b.text, a.text))")
        }
    }

    @Test("huge declared lengths, endless varints: a clean error, quickly", arguments: HostileCorpus.framing())
    func framing(_ t: HostileTrace) throws {
        let r = expectCleanRead(t.bytes, t.name)
        let e = try #require(r.error, "\(t.name) was read without an error")
        #expect(e.kind == .invalid || e.kind == .truncated, "\(t.name): \(e)")
        if t.name.hasPrefix("batch-size-2^62") || t.name.hasPrefix("experimental-batch-2^62") {
            #expect(e.message == "invalid batch size 4611686018427387904, maximum is 65536")
        }
        if t.name.hasPrefix("string-len-2^40") { #expect(e.message == "invalid string size 1099511627776, maximum is 1024") }
        if t.name.hasPrefix("stack-frames-2^60") { #expect(e.message.hasPrefix("invalid stack size 1152921504606846976, maximum is 128")) }
        if t.name.hasPrefix("endless-varint-batch-gen") || t.name.hasPrefix("overlong-varint") {
            #expect(e.message.contains("varint overflows a 64-bit integer"), "\(e)")
        }
    }

    @Test("structural damage: unknown IDs, generations out of order, absurd values",
          arguments: try HostileCorpus.structural())
    func structural(_ t: HostileTrace) throws {
        let r = expectCleanRead(t.bytes, t.name)
        let n = t.name
        if ProcessInfo.processInfo.environment["HOSTILE_VERBOSE"] != nil {
            print("HOSTILE \(n): \(r.lines.count) events, \(r.error.map { "\($0.kind): \($0)" } ?? "no error")")
        }
        // The fixtures have stacks and strings to damage; Go's tiny conformance traces have several generations.
        let fromFixture = t.source != nil
        if n.hasPrefix("unknown-frame-func-string") && fromFixture {
            #expect(r.error?.message.contains("found invalid func string ID 1125899906842624") == true, "\(String(describing: r.error))")
        }
        if n.hasPrefix("duplicate-string-id") && fromFixture { #expect(r.error?.message.hasPrefix("multiple strings with the same ID") == true) }
        if n.hasPrefix("duplicate-stack-id") && fromFixture { #expect(r.error?.message.hasPrefix("multiple trace.stacks with the same ID") == true) }
        if n.hasPrefix("generation-zero") { #expect(r.error?.message.hasPrefix("invalid generation number 0") == true, "\(String(describing: r.error))") }
        if n.hasPrefix("first-generation-repeated") || n.hasPrefix("generations-reversed") || n.hasPrefix("generation-skipped") {
            // A generation may not follow a later one, nor repeat, nor skip a number. (The traces with
            // several generations here are Go 1.22–1.25 ones, where only the numbers separate them.)
            if !fromFixture {
                #expect(r.error != nil, "\(n) was read without an error")
            }
        }
        // Events name stacks and strings that the generation's tables lack: Go's reader refuses them.
        if n.hasPrefix("unknown-stack-ids") && fromFixture {
            #expect(r.error?.message.contains("invalid stack ID") == true, "\(String(describing: r.error))")
        }
        if n.hasPrefix("unknown-string-ids") && fromFixture {
            #expect(r.error?.message.contains("invalid string ID") == true, "\(String(describing: r.error))")
        }
        if n.hasPrefix("generations-reversed") || n.hasPrefix("generation-skipped") || n.hasPrefix("first-generation-repeated") {
            if !fromFixture { #expect(r.error?.kind == .invalid, "\(String(describing: r.error))") }
        }
    }

    @Test("byte flips with a fixed seed in traces of every format version")
    func flips() throws {
        let traces = try HostileCorpus.flips(rounds: 24)
        #expect(traces.count == 6 * 3 * 24)
        for t in traces { expectCleanRead(t.bytes, t.name) }
    }

    @Test("truncation of hostile traces at every byte never traps")
    func truncatedHostile() throws {
        // A few structurally damaged traces cut at every byte of their first 2 KiB.
        let picks = try HostileCorpus.structural().filter {
            $0.name.hasPrefix("timestamps-huge-tasks") || $0.name.hasPrefix("ids-max-tasks-go1.2")
        }.prefix(3)
        for t in picks {
            for cut in Swift.stride(from: 0, to: min(t.bytes.count, 2048), by: 7) { exercise(Array(t.bytes[0..<cut])) }
        }
    }

    /// Writes the hostile traces the ingest tests load (run with TRACEDB_WRITE_HOSTILE=1 after changing the generator).
    @Test("write the hostile corpus to FuzzRegressions/", .enabled(if: ProcessInfo.processInfo.environment["TRACEDB_WRITE_HOSTILE"] == "1"))
    func writeHostileCorpus() throws {
        let dir = RepoPaths.root.appendingPathComponent("Tests/GoTraceTests/FuzzRegressions")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        // Kept small: the tasks fixture of three format versions, the multi-generation Go traces.
        let structural = try HostileCorpus.structural().filter {
            $0.name.hasSuffix("-tasks-go1.22") || $0.name.hasSuffix("-tasks-go1.25") || $0.name.hasSuffix("-tasks-go1.27") || $0.source == nil
        }
        let framing = HostileCorpus.framing().filter { !$0.name.hasPrefix("endless-varint-1MiB") }
        for t in framing + structural {
            try Data(t.bytes).write(to: dir.appendingPathComponent("hostile-\(t.name).trace"))
        }
    }
}
