// tracedb's utilization in the warehouse (`mutator_util`, `mmu.mmu`) on Go 1.21 (v1) traces: Go's
// conversion reports the first GOMAXPROCS inside the first GC stop-the-world, so Go's figure
// (`mmu.go_mmu`) never counts a GC stop-the-world there; tracedb's counts every one.

import Foundation
import Testing
import TestSupport
@testable import TraceWarehouse

@Suite("Utilization on Go 1.21 traces counts every GC stop-the-world")
struct V1UtilizationTests {
    /// The go1.21 fixtures whose programs run a GC (the others report no GOMAXPROCS: no utilization).
    static let traces = ["gcheavy", "cpuprof", "lockthread"]

    @Test("mutator_util is 0 over every GC stop-the-world, from the first point on", arguments: traces)
    func zeroOverEverySTW(_ name: String) throws {
        let w = try TempWarehouse()
        let id = try w.ingest(Paths.fixtures.appendingPathComponent("traces/go1.21/\(name).trace").path).traceID
        let stws = try w.rows("SELECT start_ns, end_ns FROM stw_pauses WHERE trace_id = ? AND is_gc = 1 AND start_ns IS NOT NULL ORDER BY start_ns",
                              [.int(id)]).map { (Int64($0[0])!, Int64($0[1])!) }
        #expect(stws.count >= 2, "\(name): \(stws.count) GC stop-the-worlds")
        // The function starts inside the first one (at the GOMAXPROCS metric), at 0.
        let first = try #require(try w.rows("SELECT ts_ns, util FROM mutator_util WHERE trace_id = ? ORDER BY ts_ns LIMIT 1", [.int(id)]).first)
        let t0 = Int64(first[0])!
        #expect(first[1] == "0.0" && stws[0].0 < t0 && t0 < stws[0].1, "\(name): first point \(first), first STW \(stws[0])")
        for (b, e) in stws {
            // The value in force at the start, and every change inside, is 0.
            let atStart = try w.rows("SELECT util FROM mutator_util WHERE trace_id = ? AND ts_ns <= ? ORDER BY ts_ns DESC LIMIT 1",
                                     [.int(id), .int(max(b, t0))])
            #expect(atStart == [["0.0"]], "\(name): utilization at the start of the STW \(b)…\(e): \(atStart)")
            let inside = try w.rows("SELECT count(*) FROM mutator_util WHERE trace_id = ? AND ts_ns > ? AND ts_ns < ? AND util <> 0",
                                    [.int(id), .int(b), .int(e)])
            #expect(inside == [["0"]], "\(name): utilization above 0 inside the STW \(b)…\(e)")
        }
        // A window no longer than the longest STW has utilization 0 (gcheavy's 8 ms STW: the 1 ms
        // window; cpuprof's and lockthread's STWs are shorter than the shortest window, 1 ms).
        let longest = stws.map { $0.1 - $0.0 }.max()!
        let mmu = try w.rows("SELECT window_ns, mmu FROM mmu WHERE trace_id = ? AND window_ns <= ?", [.int(id), .int(longest)])
        #expect(mmu.count == (name == "gcheavy" ? 1 : 0) && mmu.allSatisfy { $0[1] == "0.0" }, "\(name): longest STW \(longest) ns, mmu \(mmu)")
    }

    /// go1.21/gcheavy, read off its dump (times relative to the trace start, Time=-1): the first GC
    /// STW runs 52564…3406305 with GOMAXPROCS (2) reported at 3404079; the second, 27672284…35675768
    /// (8 ms). tracedb's utilization is 0 from 3404079 to the end of the first STW, 1 after it (no
    /// GC work yet), 0 over the whole second STW, so its 1 ms MMU is 0.
    @Test func gcheavy() throws {
        let w = try TempWarehouse()
        let id = try w.ingest(Paths.fixtures.appendingPathComponent("traces/go1.21/gcheavy.trace").path).traceID
        #expect(try w.rows("SELECT start_ns, end_ns FROM stw_pauses WHERE trace_id = ? AND is_gc = 1 ORDER BY start_ns LIMIT 2", [.int(id)])
                == [["52564", "3406305"], ["27672284", "35675768"]])
        #expect(try w.rows("SELECT ts_ns, util FROM mutator_util WHERE trace_id = ? ORDER BY ts_ns LIMIT 2", [.int(id)])
                == [["3404079", "0.0"], ["3406305", "1.0"]])
        #expect(try w.rows("SELECT count(*) FROM mutator_util WHERE trace_id = ? AND ts_ns >= 27672284 AND ts_ns < 35675768 AND util <> 0",
                           [.int(id)]) == [["0"]])
        #expect(try w.rows("SELECT mmu FROM mmu WHERE trace_id = ? AND window_ns = 1000000", [.int(id)]) == [["0.0"]])
    }
}
