import Foundation
import Testing
@testable import TraceWarehouse

/// The warehouse's Go-derived figures equal Go's own (tracegolden) on every fixture.
@Suite("Accounting equals Go's summarizer")
struct AccountingTests {
    static let traces = GoldenTrace.all

    @Test("goroutines.tsv: every goroutine's summary", arguments: traces)
    func goroutines(_ t: GoldenTrace) throws {
        let w = try TempWarehouse()
        try w.ingest(t.trace)
        let got = try w.rows("""
            SELECT goid, g.name, is_system, creation_ns, start_ns, end_ns, last_start_ns, s.name, total_ns, exec_ns,
                   sched_wait_ns, syscall_ns, syscall_block_ns, block_ns, unknown_ns, range_ns, region_count
            FROM goroutines g JOIN go_states s ON s.state = g.final_state
            """)
        let want = try t.tsv("goroutines.tsv").project([
            "goid", "name", "is_system", "creation_rel", "start_rel", "end_rel", "last_start_rel", "final_state",
            "total_time", "exec_time", "sched_wait_time", "syscall_time", "syscall_block_time", "block_time",
            "unknown_time", "range_time", "n_regions"])
        expectSameRows(got, want, "\(t) goroutines")
    }

    @Test("goroutine_block.tsv and goroutine_ranges.tsv", arguments: traces)
    func blockAndRanges(_ t: GoldenTrace) throws {
        let w = try TempWarehouse()
        try w.ingest(t.trace)
        expectSameRows(try w.rows("SELECT goid, reason, ns FROM goroutine_block"),
                       try t.tsv("goroutine_block.tsv").project(["goid", "reason", "ns"]), "\(t) goroutine_block")
        expectSameRows(try w.rows("SELECT goid, range_name, ns FROM goroutine_ranges"),
                       try t.tsv("goroutine_ranges.tsv").project(["goid", "range_name", "ns"]), "\(t) goroutine_ranges")
    }

    @Test("regions.tsv, tasks.tsv, logs.tsv", arguments: traces)
    func regionsAndTasks(_ t: GoldenTrace) throws {
        let w = try TempWarehouse()
        try w.ingest(t.trace)
        expectSameRows(try w.rows("""
            SELECT goid, idx, task_id, name, synthetic, start_ns, end_ns, duration_ns, exec_ns, sched_wait_ns,
                   syscall_ns, syscall_block_ns, block_ns, unknown_ns, coalesce(frame_func, '')
            FROM regions
            """),
            try t.tsv("regions.tsv").project(["goid", "idx", "task_id", "name", "synthetic", "start_rel", "end_rel",
                "duration", "exec_time", "sched_wait_time", "syscall_time", "syscall_block_time", "block_time",
                "unknown_time", "frame_func"]), "\(t) regions")
        expectSameRows(try w.rows("""
            SELECT task_id, name, parent_id, complete, start_ns, end_ns, start_goid, end_goid, duration_ns,
                   goroutine_count, region_count, log_count, child_count
            FROM tasks
            """),
            try t.tsv("tasks.tsv").project(["task_id", "name", "parent_id", "complete", "start_rel", "end_rel",
                "start_goid", "end_goid", "duration", "n_goroutines", "n_regions", "n_logs", "n_children"]), "\(t) tasks")
        expectSameRows(try w.rows("SELECT ts_ns, coalesce(goid, -1), task_id, category, message FROM logs"),
                       try t.tsv("logs.tsv").project(["time_rel", "goid", "task_id", "category", "message"]), "\(t) logs")
    }

    @Test("gc.tsv, stw.tsv, ranges.tsv", arguments: traces)
    func gcAndSTW(_ t: GoldenTrace) throws {
        let w = try TempWarehouse()
        try w.ingest(t.trace)
        expectSameRows(try w.rows("SELECT gc_idx, start_kind, end_kind, start_ns, end_ns, coalesce(end_ns - start_ns, '') FROM gc_cycles"),
                       try t.tsv("gc.tsv").project(["idx", "start_kind", "end_kind", "start_rel", "end_rel", "duration"]),
                       sorted: false, "\(t) gc")
        expectSameRows(try w.rows("""
            SELECT stw_idx, goid, reason, is_gc, start_kind, end_kind, start_ns, end_ns, coalesce(end_ns - start_ns, '')
            FROM stw_pauses
            """),
            try t.tsv("stw.tsv").project(["idx", "goid", "reason", "is_gc_stw", "start_kind", "end_kind", "start_rel",
                "end_rel", "duration"]), sorted: false, "\(t) stw")
        expectSameRows(try w.rows("""
            SELECT r.name, k.name, coalesce(r.scope_id, -1), r.start_kind, r.end_kind, coalesce(r.start_ns, ''), r.end_ns
            FROM ranges r JOIN resource_kinds k ON k.res_kind = r.scope_kind
            """),
            try t.tsv("ranges.tsv").project(["name", "scope_kind", "scope_id", "start_kind", "end_kind", "start_rel", "end_rel"]),
            "\(t) ranges")
    }

    @Test("counts.tsv: events per kind; meta.tsv: start, end, duration", arguments: traces)
    func counts(_ t: GoldenTrace) throws {
        let w = try TempWarehouse()
        try w.ingest(t.trace)
        expectSameRows(try w.rows("SELECT k.name, count(*) FROM events e JOIN event_kinds k ON k.kind = e.kind GROUP BY k.name"),
                       try t.tsv("counts.tsv").project(["event_kind", "count"]), "\(t) counts")
        let meta = Dictionary(uniqueKeysWithValues: try t.tsv("meta.tsv").rows.map { ($0[0], $0.count > 1 ? $0[1] : "") })
        let row = try w.rows("SELECT start_abs_ns, end_abs_ns, duration_ns, goroutine_count FROM traces")
        #expect(row == [[meta["trace_start"] ?? "?", meta["trace_end"] ?? "?", meta["trace_duration"] ?? "?", meta["n_goroutines"] ?? "?"]])
    }

    @Test("goroutine_states add up to the goroutine totals", arguments: traces)
    func intervalsAddUp(_ t: GoldenTrace) throws {
        let w = try TempWarehouse()
        try w.ingest(t.trace)
        // Per goroutine: exec = Running, sched wait = Runnable, block = Waiting, syscall + blocked = Syscall.
        // Go's snapshot quirk (a syscall still open at the end counts its blocked part twice) is excluded.
        let bad = try w.rows("""
            SELECT g.goid, g.exec_ns, g.sched_wait_ns, g.block_ns, g.syscall_ns + g.syscall_block_ns,
                   sum(CASE WHEN s.state = 3 THEN s.duration_ns ELSE 0 END),
                   sum(CASE WHEN s.state = 2 THEN s.duration_ns ELSE 0 END),
                   sum(CASE WHEN s.state = 4 THEN s.duration_ns ELSE 0 END),
                   sum(CASE WHEN s.state = 5 THEN s.duration_ns ELSE 0 END)
            FROM goroutines g JOIN goroutine_states s ON s.trace_id = g.trace_id AND s.goid = g.goid
            WHERE NOT EXISTS (SELECT 1 FROM goroutine_states o WHERE o.trace_id = g.trace_id AND o.goid = g.goid
                              AND o.state = 5 AND o.open_at_end = 1 AND o.syscall_blocked_ns > 0)
            GROUP BY g.goid
            HAVING g.exec_ns <> sum(CASE WHEN s.state = 3 THEN s.duration_ns ELSE 0 END)
                OR g.sched_wait_ns <> sum(CASE WHEN s.state = 2 THEN s.duration_ns ELSE 0 END)
                OR g.block_ns <> sum(CASE WHEN s.state = 4 THEN s.duration_ns ELSE 0 END)
                OR g.syscall_ns + g.syscall_block_ns <> sum(CASE WHEN s.state = 5 THEN s.duration_ns ELSE 0 END)
            """)
        #expect(bad.isEmpty, "goroutines whose intervals do not add up (goid, exec, sched, block, syscall, then interval sums): \(bad.prefix(5))")
        // Intervals of one goroutine are back to back: each starts where the previous ended.
        let gaps = try w.rows("""
            SELECT goid, start_ns, prev_end FROM (
              SELECT goid, start_ns, lag(end_ns) OVER (PARTITION BY goid ORDER BY start_ns, start_seq) AS prev_end
              FROM goroutine_states)
            WHERE prev_end IS NOT NULL AND prev_end <> start_ns
            """)
        #expect(gaps.isEmpty, "gaps or overlaps between a goroutine's intervals: \(gaps.prefix(5))")
    }

    @Test("mmu.go_mmu equals Go's mmu.tsv (default flags); tracedb's mmu is a utilization that never falls with a longer window", arguments: traces)
    func mmu(_ t: GoldenTrace) throws {
        let w = try TempWarehouse()
        try w.ingest(t.trace)
        let want = try t.tsv("mmu.tsv").project(["is_default", "window_ns", "mmu"]).filter { $0[0] == "1" }
        let got = try w.rows("SELECT window_ns, go_mmu, mmu FROM mmu ORDER BY window_ns")
        #expect(got.count == want.count)
        for (g, x) in zip(got, want) {
            #expect(g[0] == x[1])
            // lockthread changes GOMAXPROCS; Go's per-P counts go stale there (see the mmu table's
            // comment and GoTrace's MutatorUtilization), so only tracedb's own value is checked.
            if !t.name.contains("lockthread") {
                #expect(Double(g[1]) == Double(x[2]), "\(t) window \(g[0]): go_mmu \(g[1]), Go \(x[2])")
            }
            #expect((0...1).contains(Double(g[2])!), "\(t) window \(g[0]): mmu \(g[2])")
        }
        // A longer window averages over shorter ones, so MMU never decreases with the window length.
        // (tracedb's utilization itself is checked against an independent model in GoTraceTests.)
        let mmus = got.map { Double($0[2])! }
        #expect(zip(mmus, mmus.dropFirst()).allSatisfy { $0 <= $1 + 1e-12 }, "\(t): \(mmus)")
    }
}
