// Support for the v1 (Go 1.11–1.21) trace tests: reading a v1 trace the way `tracedb dump` does,
// and comparing a dump with Go's up to the order Go leaves to chance.

import Foundation
import Testing
import TestSupport
@testable import GoTrace

enum V1Paths {
    /// The v1 conformance traces (names without `.trace`): Go's own v1 test traces with Go's dumps,
    /// in Fixtures/go-conformance/v1.
    static var conformanceCases: [String] { ConformancePaths.cases("v1") }

    /// Fixture traces written in the v1 format (Fixtures/traces/go1.21).
    static var fixtures: [FixtureTrace] { FixturePaths.traces().filter { $0.version == "go1.21" } }
}

/// Reads a whole v1 trace with ``V1Reader`` and formats every event like `go tool trace -d=parsed`
/// (by default, reading what Go reads, as `tracedb dump` does).
func dumpV1(bytes: [UInt8], completeGenerationsOnly: Bool = false) -> DumpResult {
    var result = DumpResult()
    do {
        let reader = try V1Reader(bytes: bytes, completeGenerationsOnly: completeGenerationsOnly)
        while let ev = try reader.next() {
            var line: [UInt8] = []
            ev.appendGoString(to: &line)
            line.append(10)
            result.lines.append(line)
        }
    } catch {
        result.error = error
    }
    return result
}

/// A `-d=parsed` dump split into events, each with its time and its text without the time.
struct V1Dump {
    struct Entry: Equatable {
        var time: Int64
        /// The event's text with its `Time=N` replaced, so entries compare without their times.
        var body: String
    }
    var entries: [Entry] = []

    init(_ text: [UInt8]) {
        let s = String(decoding: text, as: UTF8.self)
        var current: [Substring] = []
        func flush() {
            guard let first = current.first else { return }
            var time: Int64 = .min
            var head = String(first)
            if let r = head.range(of: " Time=") {
                let rest = head[r.upperBound...]
                let digits = rest.prefix { $0 == "-" || $0.isNumber }
                time = Int64(digits) ?? .min
                head.replaceSubrange(r.lowerBound..<rest.index(rest.startIndex, offsetBy: digits.count), with: " Time=*")
            }
            entries.append(Entry(time: time, body: ([head] + current.dropFirst().map(String.init)).joined(separator: "\n")))
            current = []
        }
        for line in s.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("M=") { flush() }
            current.append(line)
        }
        flush()
    }
}

/// Compares tracedb's dump of a v1 trace with Go's. Go's own output for a v1 trace is not
/// deterministic: events with equal timestamps come out in an order that depends on Go's map
/// iteration (the Ps of the batch merge, the synthetic `Undetermined->Runnable` block at the first
/// EvGomaxprocs), and since no two events may share a time, the tied events get consecutive times
/// in that order. So: the times must be identical, event by event; within each run of
/// consecutive times (t, t+1, t+2, …) the events must be the same as a multiset; everything else
/// must be identical. Returns nil if equivalent, else a description of the first difference.
func v1Difference(got: [UInt8], want: [UInt8]) -> String? {
    if got == want { return nil }
    let g = V1Dump(got).entries, w = V1Dump(want).entries
    if g.count != w.count { return "\(g.count) events, want \(w.count); \(firstDifference(got, want))" }
    for i in g.indices where g[i].time != w[i].time {
        return "event \(i): time \(g[i].time), want \(w[i].time)\n  got:  \(g[i].body)\n  want: \(w[i].body)"
    }
    var start = 0
    while start < g.count {
        var end = start + 1
        while end < g.count && w[end].time == w[end - 1].time &+ 1 { end += 1 }
        if end - start == 1 {
            if g[start].body != w[start].body {
                return "event \(start) (time \(w[start].time)):\n  got:  \(g[start].body)\n  want: \(w[start].body)"
            }
        } else if g[start..<end].map(\.body).sorted() != w[start..<end].map(\.body).sorted() {
            let gs = g[start..<end].map(\.body), ws = w[start..<end].map(\.body)
            return "events \(start)..<\(end) (times \(w[start].time)…\(w[end - 1].time)) differ as a set:\n  got:  \(gs)\n  want: \(ws)"
        }
        start = end
    }
    return nil
}

/// The synthetic block of a dump: the `M=-1 P=-1 G=-1 … Undetermined->Runnable` lines, in order.
func v1SyntheticBlock(_ text: [UInt8]) -> [String] {
    String(decoding: text, as: UTF8.self).split(separator: "\n")
        .filter { $0.hasPrefix("M=-1 P=-1 G=-1 StateTransition ") && $0.hasSuffix(" Undetermined->Runnable Reason=\"\"") }
        .map(String.init)
}
