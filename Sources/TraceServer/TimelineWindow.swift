import Foundation
import TraceExport
import TraceWarehouse

/// One window of the timeline for `/api/runs/{id}/timeline`: only what is visible. A window with at
/// most ``detailEventLimit`` events gets its intervals (Ps, chosen goroutines, GC, STW, tasks,
/// regions); a larger one gets the aggregate read from `timeline_buckets` (derived at ingest, ≤10,000
/// rows per trace), merged to at most ``maxPoints`` points. Every list is capped, so no answer grows
/// with the trace.
///
/// Events are in time order by `seq` (Go's reader returns them so), so the window's first and last
/// `seq` are found by binary search on the primary key: no index on time is needed.
enum TimelineWindow {
    static let detailEventLimit: Int64 = 50_000
    static let maxIntervals = 50_000
    static let maxPoints = 1_000
    static let maxGoroutines = 64
    static let maxTasks = 5_000
    /// Goroutines shown when none are named: the busiest in the window.
    static let defaultGoroutineCount = 8

    struct Request {
        var startNs: Int64
        var endNs: Int64
        var goids: [Int64]?
        /// Force the aggregate even for a small window.
        var aggregate = false
    }

    /// Checks and clips a window against the trace: start < end, both within [0, duration].
    static func window(start: Int64?, end: Int64?, durationNs: Int64) throws -> (Int64, Int64) {
        let s = max(start ?? 0, 0)
        let e = min(end ?? durationNs, durationNs)
        if let start, start > durationNs { throw ServeError.bad("start_ns \(start) is after the trace end (\(durationNs) ns)") }
        if let end, end < 0 { throw ServeError.bad("end_ns must not be negative") }
        guard e > s || (durationNs == 0 && e == s) else { throw ServeError.bad("empty window: start_ns \(s) is not before end_ns \(e)") }
        return (s, e)
    }

    /// Parses `goids=1,2,3` (at most ``maxGoroutines``).
    static func goids(_ raw: Substring?) throws -> [Int64]? {
        guard let raw, !raw.isEmpty else { return nil }
        let parts = raw.split(separator: ",")
        guard parts.count <= maxGoroutines else { throw ServeError.bad("at most \(maxGoroutines) goroutines at once, got \(parts.count)") }
        return try parts.map { p in
            guard let v = Int64(p.trimmingCharacters(in: .whitespaces)) else { throw ServeError.bad("goids must be integers separated by commas, got '\(p.prefix(30))'") }
            return v
        }
    }


    static func build(db: Database, info: TraceInfo, _ r: Request, checkpoints: () throws -> GoroutineCheckpoints) throws -> JSONValue {
        let t = info.id
        let count = info.eventCount   // rows in `events` for this trace
        let lo = try ChromeTraceExporter.firstSeq(atOrAfter: r.startNs, db: db, traceID: t, count: count)
        let hiEx = try ChromeTraceExporter.firstSeq(atOrAfter: r.endNs + 1, db: db, traceID: t, count: count)
        let events = max(hiEx - lo, 0)
        var out: [(String, JSONValue)] = [
            ("trace_id", .int(t)), ("start_ns", .int(r.startNs)), ("end_ns", .int(r.endNs)),
            ("duration_ns", .int(info.durationNs)), ("events", .int(events)),
        ]
        var truncated = false
        out.append(("gc", .array(try intervals(db, "SELECT start_ns, end_ns FROM gc_cycles WHERE trace_id = ? AND coalesce(start_ns, 0) <= ? AND end_ns >= ? ORDER BY gc_idx LIMIT ?", t, r, maxTasks, &truncated))))
        out.append(("stw", .array(try intervals(db, "SELECT start_ns, end_ns, reason FROM stw_pauses WHERE trace_id = ? AND coalesce(start_ns, 0) <= ? AND end_ns >= ? ORDER BY stw_idx LIMIT ?", t, r, maxTasks, &truncated))))
        out.append(("tasks", .array(try intervals(db, "SELECT interval_start_ns, interval_end_ns, name, task_id FROM tasks WHERE trace_id = ? AND interval_start_ns <= ? AND interval_end_ns >= ? ORDER BY interval_start_ns LIMIT ?", t, r, maxTasks, &truncated))))
        if r.aggregate || events > detailEventLimit {
            out.insert(("mode", .string("aggregate")), at: 0)
            out.append(("regions", .array([])))
            let (width, points) = try buckets(db, traceID: t, r)
            out.append(("bucket_ns", .int(width)))
            out.append(("buckets", .array(points)))
        } else {
            out.insert(("mode", .string("detail")), at: 0)
            out.append(("regions", .array(try intervals(db, "SELECT interval_start_ns, interval_end_ns, name, goid FROM regions WHERE trace_id = ? AND interval_start_ns <= ? AND interval_end_ns >= ? ORDER BY interval_start_ns LIMIT ?", t, r, maxTasks, &truncated))))
            out.append(("procs", .array(try procs(db, traceID: t, r, lo: lo, hiEx: hiEx, truncated: &truncated))))
            out.append(("threads", .array(try threads(db, traceID: t, r, truncated: &truncated))))
            let chosen = try r.goids ?? busiest(db, traceID: t, lo: lo, hiEx: hiEx)
            out.append(("goroutines", .array(try goroutines(db, traceID: t, r, goids: chosen, lo: lo, hiEx: hiEx,
                                                            checkpoints: checkpoints, truncated: &truncated))))
        }
        out.append(("truncated", .bool(truncated)))
        return .object(out)
    }

    /// The goroutines with the most transitions inside the window (ties by id); when the window has
    /// none, the trace's default tracks (``ChromeTraceExporter/defaultGoroutines(db:traceID:n:)``).
    static func busiest(_ db: Database, traceID t: Int64, lo: Int64, hiEx: Int64) throws -> [Int64] {
        let s = try db.prepare("""
            SELECT res_id FROM events WHERE trace_id = ? AND seq >= ? AND seq < ? AND res_kind = 1 AND res_id IS NOT NULL
            GROUP BY res_id ORDER BY count(*) DESC, res_id LIMIT ?
            """)
        try s.bind([.int(t), .int(lo), .int(hiEx), .int(Int64(defaultGoroutineCount))])
        var out: [Int64] = []
        while try s.step() { out.append(s.int64(0)) }
        return out.isEmpty ? try ChromeTraceExporter.defaultGoroutines(db: db, traceID: t, n: defaultGoroutineCount) : out.sorted()
    }

    /// Rows `[start, end, …]` of an overlap query taking (trace_id, end, start, limit).
    static func intervals(_ db: Database, _ sql: String, _ t: Int64, _ r: Request, _ limit: Int, _ truncated: inout Bool) throws -> [JSONValue] {
        let s = try db.prepare(sql)
        try s.bind([.int(t), .int(r.endNs), .int(r.startNs), .int(Int64(limit + 1))])
        var rows: [JSONValue] = []
        while try s.step() {
            if rows.count == limit { truncated = true; break }
            rows.append(.array((0..<s.columnCount).map { i in i == 0 && s.isNull(0) ? .int(0) : JSONValue.sql(s.value(i)) }))
        }
        return rows
    }

    /// Each P's intervals in the window: those starting inside (by seq, on the primary key) plus the
    /// one in force at the window start.
    static func procs(_ db: Database, traceID t: Int64, _ r: Request, lo: Int64, hiEx: Int64, truncated: inout Bool) throws -> [JSONValue] {
        var ids: [Int64] = []
        let p = try db.prepare("SELECT proc_id FROM procs WHERE trace_id = ? ORDER BY proc_id")
        try p.bind(1, t)
        while try p.step() { ids.append(p.int64(0)) }
        let before = try db.prepare("SELECT start_ns, end_ns, state, thread_id FROM proc_states WHERE trace_id = ? AND proc_id = ? AND start_seq < ? ORDER BY start_seq DESC LIMIT 1")
        let inside = try db.prepare("SELECT start_ns, end_ns, state, thread_id FROM proc_states WHERE trace_id = ? AND proc_id = ? AND start_seq >= ? AND start_seq < ? ORDER BY start_seq LIMIT ?")
        var out: [JSONValue] = []
        var total = 0
        for id in ids {
            var rows: [JSONValue] = []
            func row(_ s: Statement) -> JSONValue {
                .array([.int(s.int64(0)), .int(s.int64(1)), .int(s.int64(2)), s.isNull(3) ? .null : .int(s.int64(3))])
            }
            try before.bind([.int(t), .int(id), .int(lo)])
            if try before.step(), before.int64(1) >= r.startNs { rows.append(row(before)) }
            before.reset()
            try inside.bind([.int(t), .int(id), .int(lo), .int(hiEx), .int(Int64(maxIntervals - total + 1))])
            while try inside.step() {
                if total + rows.count >= maxIntervals { truncated = true; break }
                if inside.int64(0) <= r.endNs { rows.append(row(inside)) }
            }
            inside.reset()
            total += rows.count
            out.append(.object([("id", .int(id)), ("intervals", .array(rows))]))
        }
        return out
    }

    /// Each M's intervals in the window (thread_intervals: idle, running with a P, in a syscall), by time
    /// on its primary key (trace_id, thread_id, start_ns): the one in force at the window start plus those
    /// starting inside. Rows `[start, end, state, proc_id, goid]`.
    static func threads(_ db: Database, traceID t: Int64, _ r: Request, truncated: inout Bool) throws -> [JSONValue] {
        var ids: [Int64] = []
        let m = try db.prepare("SELECT thread_id FROM threads WHERE trace_id = ? ORDER BY thread_id")
        try m.bind(1, t)
        while try m.step() { ids.append(m.int64(0)) }
        let before = try db.prepare("""
            SELECT start_ns, start_ns + duration_ns, state, proc_id, goid FROM thread_intervals
            WHERE trace_id = ? AND thread_id = ? AND start_ns < ? ORDER BY start_ns DESC LIMIT 1
            """)
        let inside = try db.prepare("""
            SELECT start_ns, start_ns + duration_ns, state, proc_id, goid FROM thread_intervals
            WHERE trace_id = ? AND thread_id = ? AND start_ns >= ? AND start_ns <= ? ORDER BY start_ns LIMIT ?
            """)
        func row(_ s: Statement) -> JSONValue {
            .array([.int(s.int64(0)), .int(s.int64(1)), .int(s.int64(2)), s.isNull(3) ? .null : .int(s.int64(3)),
                    s.isNull(4) ? .null : .int(s.int64(4))])
        }
        var out: [JSONValue] = []
        var total = 0
        for id in ids {
            var rows: [JSONValue] = []
            try before.bind([.int(t), .int(id), .int(r.startNs)])
            if try before.step(), before.int64(1) >= r.startNs { rows.append(row(before)) }
            before.reset()
            try inside.bind([.int(t), .int(id), .int(r.startNs), .int(r.endNs), .int(Int64(maxIntervals - total + 1))])
            while try inside.step() {
                if total + rows.count >= maxIntervals { truncated = true; break }
                rows.append(row(inside))
            }
            inside.reset()
            total += rows.count
            out.append(.object([("id", .int(id)), ("intervals", .array(rows))]))
        }
        return out
    }

    /// The chosen goroutines' state intervals in the window, read off the events inside it (a closing
    /// event carries its interval, `events.iv_*`); an interval still open at the window end is cut
    /// there (`open` 1); a goroutine with no event in the window shows the interval that covers it,
    /// exactly: the one closed after the window but begun before its end (``GoroutineCheckpoints``),
    /// else the one open at the trace end.
    static func goroutines(_ db: Database, traceID t: Int64, _ r: Request, goids: [Int64], lo: Int64, hiEx: Int64,
                           checkpoints: () throws -> GoroutineCheckpoints, truncated: inout Bool) throws -> [JSONValue] {
        guard !goids.isEmpty else { return [] }
        let want = Set(goids)
        var names: [Int64: String] = [:]
        let n = try db.prepare("SELECT name FROM goroutines WHERE trace_id = ? AND goid = ?")
        for g in goids {
            try n.bind([.int(t), .int(g)])
            if try n.step() { names[g] = n.text(0) }
            n.reset()
        }
        struct Open { var start: Int64; var state: Int64; var stack: Int64?; var reason: String?; var seq: Int64? = nil; var firstSeen = false }
        var ivs: [Int64: [JSONValue]] = [:]
        var open: [Int64: Open] = [:]
        var total = 0
        let inList = goids.map { String($0) }.joined(separator: ",")
        // Goroutine transitions (res_kind 1) of the chosen goroutines inside the window, in order.
        let s = try db.prepare("""
            SELECT e.res_id, e.ts_ns, e.from_state, e.to_state, e.iv_back, e.iv_dur_ns, o.stack_id, ro.value, e.goid, e.stack_id, rn.value, e.seq
            FROM events e
            LEFT JOIN events o ON e.iv_back IS NOT NULL AND o.trace_id = e.trace_id AND o.seq = e.seq - e.iv_back
            LEFT JOIN strings ro ON ro.trace_id = o.trace_id AND ro.string_id = o.name_id
            LEFT JOIN strings rn ON rn.trace_id = e.trace_id AND rn.string_id = e.name_id
            WHERE e.trace_id = ? AND e.seq >= ? AND e.seq < ? AND e.res_kind = 1 AND e.res_id IN (\(inList))
            ORDER BY e.seq
            """)
        try s.bind([.int(t), .int(lo), .int(hiEx)])
        while try s.step() {
            let g = s.int64(0), ts = s.int64(1), to = s.int64(3)
            guard want.contains(g) else { continue }
            if !s.isNull(4) {
                if total >= maxIntervals { truncated = true; break }
                let from = s.int64(2)
                let woke: JSONValue = (from == 4 && to == 2 && !s.isNull(8) && s.int64(8) != g) ? .int(s.int64(8)) : .null
                ivs[g, default: []].append(.array([.int(max(ts - s.int64(5), 0)), .int(ts), .int(from),
                                                   s.isNull(6) ? .null : .int(s.int64(6)), s.isNull(7) ? .null : .string(s.text(7)), woke, .int(0)]))
                total += 1
            }
            if (2...5).contains(to) {
                if !s.isNull(4) || !(2...5).contains(s.int64(2)) {
                    open[g] = Open(start: ts, state: to, stack: s.isNull(9) ? nil : s.int64(9), reason: s.isNull(10) ? nil : s.text(10),
                                   seq: s.int64(11), firstSeen: s.isNull(4) && !(1...5).contains(s.int64(2)))
                }
            } else {
                open[g] = nil
            }
        }
        // Goroutines with no transition in the window are in one interval all through it: the one closed
        // after the window that began before its end (the checkpoints name its closing event), else the
        // one open at the trace end.
        let missing = goids.filter { ivs[$0] == nil && open[$0] == nil }
        var closingList: [Int64]? = nil
        func closing() throws -> [Int64] {
            if let closingList { return closingList }
            let c = try checkpoints().closingSeqs(openBefore: hiEx, orBegunBy: r.endNs, db: db)
            closingList = c
            return c
        }
        // An interval begun in the window at a status event (the goroutine first seen) begins at the Sync
        // before it: its start is on the event that closes it, or in goroutine_open_intervals.
        for (g, o) in open where o.firstSeen {
            guard let seq = o.seq else { continue }
            let start = try db.scalarInt("SELECT start_ns FROM goroutine_open_intervals WHERE trace_id = ? AND goid = ? AND start_seq = ?", [.int(t), .int(g), .int(seq)])
                ?? db.scalarInt("SELECT ts_ns - iv_dur_ns FROM events WHERE trace_id = ? AND seq IN (SELECT value FROM json_each(?)) AND res_kind = 1 AND res_id = ? AND iv_back IS NOT NULL AND seq - iv_back = ?",
                                [.int(t), .text("[" + closing().map(String.init).joined(separator: ",") + "]"), .int(g), .int(seq)])
            if let start { open[g]?.start = start }
        }
        if !missing.isEmpty {
            let closing = try closing()
            let after = try db.prepare("""
                SELECT e.res_id, e.ts_ns, e.from_state, e.iv_dur_ns, o.stack_id, ro.value
                FROM events e
                LEFT JOIN events o ON o.trace_id = e.trace_id AND o.seq = e.seq - e.iv_back
                LEFT JOIN strings ro ON ro.trace_id = o.trace_id AND ro.string_id = o.name_id
                WHERE e.trace_id = ? AND e.seq IN (SELECT value FROM json_each(?)) AND e.res_kind = 1 AND e.iv_back IS NOT NULL
                  AND e.res_id IN (\(missing.map { String($0) }.joined(separator: ",")))
                ORDER BY e.seq
                """)
            try after.bind([.int(t), .text("[" + closing.map(String.init).joined(separator: ",") + "]")])
            while try after.step() {
                let g = after.int64(0)
                guard ivs[g] == nil else { continue }
                let end = after.int64(1), start = end - after.int64(3)
                guard start <= r.endNs else { continue }
                ivs[g] = [.array([.int(start), .int(end), .int(after.int64(2)), after.isNull(4) ? .null : .int(after.int64(4)),
                                  after.isNull(5) ? .null : .string(after.text(5)), .null, .int(0)])]
            }
        }
        let oi = try db.prepare("SELECT o.start_ns, o.state, e.stack_id, r.value FROM goroutine_open_intervals o LEFT JOIN events e ON e.trace_id = o.trace_id AND e.seq = o.start_seq LEFT JOIN strings r ON r.trace_id = e.trace_id AND r.string_id = e.name_id WHERE o.trace_id = ? AND o.goid = ?")
        for g in goids where ivs[g] == nil && open[g] == nil {
            try oi.bind([.int(t), .int(g)])
            if try oi.step(), oi.int64(0) <= r.endNs {
                open[g] = Open(start: oi.int64(0), state: oi.int64(1), stack: oi.isNull(2) ? nil : oi.int64(2), reason: oi.isNull(3) ? nil : oi.text(3))
            }
            oi.reset()
        }
        return goids.map { g in
            var list = ivs[g] ?? []
            if let o = open[g] {
                list.append(.array([.int(o.start), .int(r.endNs), .int(o.state), o.stack.map { .int($0) } ?? .null,
                                    o.reason.map { .string($0) } ?? .null, .null, .int(1)]))
            }
            return .object([("goid", .int(g)), ("name", .string(names[g] ?? "")), ("intervals", .array(list))])
        }
    }

    /// The aggregate: `timeline_buckets` rows in the window, merged k at a time to at most
    /// ``maxPoints`` points of [start, end, average running, runnable, waiting, syscall goroutines,
    /// average Ps running, idle].
    static func buckets(_ db: Database, traceID t: Int64, _ r: Request) throws -> (Int64, [JSONValue]) {
        guard let width = try db.scalarInt("SELECT width_ns FROM timeline_buckets WHERE trace_id = ? LIMIT 1", [.int(t)]), width > 0 else {
            return (0, [])
        }
        let b0 = r.startNs / width, b1 = r.endNs / width
        let k = max((b1 - b0 + 1 + Int64(maxPoints) - 1) / Int64(maxPoints), 1)
        let s = try db.prepare("""
            SELECT bucket / ?, sum(running_ns), sum(runnable_ns), sum(waiting_ns), sum(syscall_ns), sum(proc_running_ns), sum(proc_idle_ns)
            FROM timeline_buckets WHERE trace_id = ? AND bucket BETWEEN ? AND ? GROUP BY bucket / ? ORDER BY 1
            """)
        try s.bind([.int(k), .int(t), .int(b0), .int(b1), .int(k)])
        var points: [JSONValue] = []
        let span = Double(k * width)
        while try s.step() {
            let g = s.int64(0)
            var p: [JSONValue] = [.int(g * k * width), .int((g + 1) * k * width)]
            for i in 1...6 { p.append(.num((Double(s.int64(Int32(i))) / span * 1000).rounded() / 1000)) }
            points.append(.array(p))
        }
        return (k * width, points)
    }
}
