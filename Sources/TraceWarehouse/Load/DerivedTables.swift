import Foundation
import GoTrace

/// The tables written after the event stream, from what the analyses and the loader's trackers
/// collected: ranges, GC cycles and stop-the-world pauses, utilization and MMU, goroutine labels, the
/// scheduler sweep's tables, and the few columns easiest to fill in SQL.
extension TraceLoad {
    func writeRanges(_ all: [RangeInterval]) throws {
        let ins = try db.prepare("""
            INSERT INTO ranges(trace_id, range_idx, name, scope_kind, scope_id, start_ns, end_ns, start_kind, end_kind, duration_ns)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        let gc = try db.prepare("""
            INSERT INTO gc_cycles(trace_id, gc_idx, start_ns, end_ns, start_kind, end_kind, duration_ns,
              heap_before_bytes, heap_after_bytes, heap_goal_bytes)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        let stw = try db.prepare("""
            INSERT INTO stw_pauses(trace_id, stw_idx, goid, reason, is_gc, start_ns, end_ns, start_kind, end_kind, duration_ns)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        var gi: Int64 = 0, si: Int64 = 0
        for (i, r) in all.enumerated() {
            let start: SQLValue = r.startTime.map { .int($0 - startAbs) } ?? .null
            let duration: SQLValue = r.duration.map { .int($0) } ?? .null
            let end = SQLValue.int(r.endTime - startAbs)
            try ins.bind([.int(traceID), .int(Int64(i)), .text(r.name), .int(Int64(r.scope.kind.rawValue)),
                          r.scope.kind == .none ? .null : .int(r.scope.id), start, end,
                          .text(r.startKind.rawValue), .text(r.endKind.rawValue), duration])
            try ins.run()
            if r.isGCCycle {
                // A cycle already running at the trace start has no heap figures from before it.
                let before = r.startKind == .begin ? r.startTime.flatMap { heapAtGCStart[$0 - startAbs] } : nil
                let after = r.endKind == .end ? heapAfterGCEnd[r.endTime - startAbs] : nil
                try gc.bind([.int(traceID), .int(gi), start, end, .text(r.startKind.rawValue), .text(r.endKind.rawValue), duration,
                             before?.heap.map { .int($0) } ?? .null, after.map { .int($0) } ?? .null,
                             before?.goal.map { .int($0) } ?? .null])
                try gc.run(); gi += 1
            } else if let reason = r.stopTheWorldReason {
                try stw.bind([.int(traceID), .int(si), r.scope.kind == .goroutine ? .int(r.scope.id) : .null,
                              .text(reason), .int(r.isGCStopTheWorld ? 1 : 0), start, end,
                              .text(r.startKind.rawValue), .text(r.endKind.rawValue), duration])
                try stw.run(); si += 1
            }
        }
    }

    /// The standard MMU windows.
    static let mmuWindows: [Int64] = [1_000_000, 10_000_000, 100_000_000, 1_000_000_000]

    /// Writes tracedb's utilization series and the MMU for the standard windows, by tracedb's count
    /// and by Go's (see the `mmu` table's comments).
    func writeMMU(tracedb: [[MutatorUtil]], go: [[MutatorUtil]]) throws {
        let ins = try db.prepare("INSERT OR REPLACE INTO mutator_util(trace_id, ts_ns, util) VALUES (?, ?, ?)")
        for u in tracedb.first ?? [] {
            try ins.bind(1, traceID); try ins.bind(2, u.time - startAbs); try ins.bind(3, u.util)
            try ins.run()
        }
        guard let series = tracedb.first, !series.isEmpty else { return }
        let mine = MMUCurve(tracedb)
        let theirs = MMUCurve(go)
        let m = try db.prepare("""
            INSERT INTO mmu(trace_id, window_ns, mmu, worst_start_ns, go_mmu, go_worst_start_ns) VALUES (?, ?, ?, ?, ?, ?)
            """)
        for w in Self.mmuWindows {
            let worst = mine.examples(window: w, count: 1).first
            let goWorst = (go.first?.isEmpty ?? true) ? nil : theirs.examples(window: w, count: 1).first
            try m.bind([.int(traceID), .int(w), .double(mine.mmu(window: w)), worst.map { .int($0.time - startAbs) } ?? .null,
                        .double((go.first?.isEmpty ?? true) ? 1 : theirs.mmu(window: w)),
                        goWorst.map { .int($0.time - startAbs) } ?? .null])
            try m.run()
        }
    }

    /// timeline_buckets, and the goroutine, GC-worker and mark-assist time of each P (procs).
    func writeTimeline() throws {
        let ins = try db.prepare("""
            INSERT INTO timeline_buckets(trace_id, bucket, width_ns, runnable_ns, running_ns, waiting_ns, syscall_ns,
              gc_worker_ns, proc_running_ns, proc_idle_ns) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        for (k, ns) in timeline.buckets() {
            try ins.bind(1, traceID); try ins.bind(2, Int64(k)); try ins.bind(3, timeline.width)
            for (i, v) in ns.enumerated() { try ins.bind(Int32(4 + i), v) }
            try ins.run()
        }
        // The assists whose overlap the stream could not give (none in real traces): their overlap with the
        // goroutine's Running intervals, as proc-utilization's definition computes it.
        var assist = timeline.assistNs
        let overlap = try db.prepare("""
            SELECT proc_id, sum(min(end_ns, ?3) - max(start_ns, ?2)) FROM goroutine_states
            WHERE trace_id = ?1 AND goid = ?4 AND state = 3 AND proc_id IS NOT NULL AND start_ns < ?3 AND end_ns > ?2
              AND EXISTS (SELECT 1 FROM goroutines g WHERE g.trace_id = ?1 AND g.goid = ?4)
            GROUP BY proc_id
            """)
        for a in timeline.assistsForSQL {
            try overlap.bind([.int(traceID), .int(a.start ?? 0), .int(a.end), .int(a.goid)])
            while try overlap.step() { assist[overlap.int64(0), default: 0] += overlap.int64(1) }
            overlap.reset()
        }
        let upd = try db.prepare("UPDATE procs SET goroutine_ns = ?, gc_worker_ns = ?, assist_ns = ? WHERE trace_id = ? AND proc_id = ?")
        for p in Set(timeline.goroutineNs.sortedKeys).union(timeline.gcWorkerNs.keys).union(assist.keys).sorted() {
            try upd.bind([.int(timeline.goroutineNs[p] ?? 0), .int(timeline.gcWorkerNs[p] ?? 0), .int(assist[p] ?? 0),
                          .int(traceID), .int(p)])
            try upd.run()
        }
    }

    /// The tables of the scheduler sweep (see SchedSweep).
    func writeSweep() throws {
        let lengthsIns = try db.prepare("INSERT INTO idle_p_episode_lengths(trace_id, duration_ns, count, waiting_goroutine_ns) VALUES (?, ?, ?, ?)")
        for (d, e) in sweep.episodeLengths.sorted(by: { $0.key < $1.key }) {
            try lengthsIns.bind([.int(traceID), .int(d), .int(e.count), .int(e.waiting)]); try lengthsIns.run()
        }
        let longIns = try db.prepare("""
            INSERT INTO idle_p_episodes_longest(trace_id, rank, start_ns, end_ns, max_idle_procs, max_runnable, waiting_goroutine_ns,
              runnable_functions) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """)
        for (i, e) in sweep.longest.enumerated() {
            // Runnable goroutine-time per start function, the five largest (ties by name).
            var byName: [String: Int64] = [:]
            for (g, ns) in e.who { byName[lengths.name(of: g), default: 0] += ns }
            let top = byName.sorted { $0.value != $1.value ? $0.value > $1.value : Array($0.key.utf8).lexicographicallyPrecedes(Array($1.key.utf8)) }
                .prefix(5).map(\.key).joined(separator: ", ")
            try longIns.bind([.int(traceID), .int(Int64(i + 1)), .int(e.start), .int(e.end), .int(Int64(e.maxIdle)), .int(Int64(e.maxRunnable)),
                              .int(e.waiting), .text(top)])
            try longIns.run()
        }
        let sum = try db.prepare("""
            INSERT INTO sched_summary(trace_id, runnable_ns, peak_runnable, peak_runnable_at_ns, created, max_created_per_ms)
            VALUES (?, ?, ?, ?, ?, ?)
            """)
        try sum.bind([.int(traceID), .int(sweep.runnableNs), .int(Int64(sweep.peakRunnable)), sweep.peakRunnableAt.map { .int($0) } ?? .null,
                      .int(sweep.created), .int(sweep.maxCreatedPerMs)])
        try sum.run()
        let causes = try db.prepare("INSERT INTO sched_delay_causes(trace_id, cause, wait_ns, max_waiting) VALUES (?, ?, ?, ?)")
        for c in sweep.delayCauses {
            try causes.bind([.int(traceID), .text(c.cause), .int(c.waitNs), .int(c.maxWaiting)]); try causes.run()
        }
    }

    func writeLabels() throws {
        let ins = try db.prepare("INSERT INTO goroutine_labels(trace_id, goid, label, ts_ns) VALUES (?, ?, ?, ?)")
        for (g, l) in labels.sorted(by: { $0.key < $1.key }) {
            try ins.bind([.int(traceID), .int(g), .text(l.label), .int(l.t)]); try ins.run()
        }
    }

    /// Fills the columns that are easiest to derive from loaded tables.
    func deriveInSQL() throws {
        let id = "\(traceID)"
        try db.execute("""
            UPDATE stw_pauses SET gc_idx = (SELECT g.gc_idx FROM gc_cycles g WHERE g.trace_id = stw_pauses.trace_id
                 AND stw_pauses.is_gc = 1
                 AND coalesce(stw_pauses.start_ns, 0) <= g.end_ns AND stw_pauses.end_ns >= coalesce(g.start_ns, 0)
                 ORDER BY g.gc_idx LIMIT 1)
            WHERE trace_id = \(id);
            """)
    }
}
