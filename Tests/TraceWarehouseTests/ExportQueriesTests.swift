import Foundation
import Testing
@testable import TraceExport
@testable import TraceWarehouse

/// One source for every number (issue #12 item 3): the pprof and folded exports of Go's four trace
/// profiles print, stack by stack, the count and time of the saved profile queries. The export merges
/// stacks by PC list as Go does, the queries by function list; summed per function list (the folded
/// line), both give the same count and nanoseconds, and the query's `stacks` is the number of the
/// export's records on that line.
@Suite("Export: pprof and folded stacks equal the saved profile queries")
struct ExportQueriesTests {
    static let pairs: [(ExportProfile, String)] = [(.sched, "sched-profile"), (.syscall, "syscall-profile"),
                                                    (.sync, "block-profile"), (.net, "net-profile")]

    @Test("every line of each profile export equals the saved query's row", arguments: GoldenTrace.all)
    func sameLines(_ t: GoldenTrace) throws {
        let c = try #require(try QueryCheck(t))
        for (kind, name) in Self.pairs {
            let profile = try ProfileExporter.profile(kind, db: c.db, traceID: c.id)
            var exported: [String: [Int64]] = [:]   // function list → [count, ns, records]
            for r in profile.records {
                let line = r.stack.map(\.function).joined(separator: ";")
                var v = exported[line] ?? [0, 0, 0]
                v[0] += r.values[0]; v[1] += r.values[1]; v[2] += 1
                exported[line] = v
            }
            let result = try c.run(name)
            let (s, n, ns, k) = try (#require(result.index(of: "stack")), #require(result.index(of: "count")),
                                     #require(result.index(of: "total_ns")), #require(result.index(of: "stacks")))
            var queried: [String: [Int64]] = [:]
            for row in result.rows {
                guard case .text(let line) = row[s], case .int(let count) = row[n], case .int(let total) = row[ns],
                      case .int(let records) = row[k] else {
                    Issue.record("\(t) \(name): a row with unexpected types: \(row)"); continue
                }
                #expect(queried[line] == nil, "\(t) \(name): the line \(line) twice")
                queried[line] = [count, total, records]
            }
            #expect(exported == queried, "\(t) \(name): export lines (count, ns, records) differ from the query's")
            // The folded text prints the same numbers: one line per stack, value = ns.
            let folded = FoldedExporter.folded(profile)
            let foldedTotal = folded.split(separator: "\n").reduce(Int64(0)) { $0 + (Int64($1.split(separator: " ").last ?? "") ?? 0) }
            #expect(foldedTotal == queried.values.reduce(0) { $0 + $1[1] }, "\(t) \(name): folded total vs the query's total_ns")
        }
    }
}
