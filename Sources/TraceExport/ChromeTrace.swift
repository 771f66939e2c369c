import Foundation
import TraceWarehouse

/// Chrome trace-event JSON (the "JSON Object Format" that the Perfetto UI and chrome://tracing open).
///
/// Layout (pid → process, tid → track):
/// - pid 0 "Runtime": track 1 "GC" (mark phases), track 2 "STW" (stop-the-world pauses), and counters
///   "Heap alloc", "Heap goal" (bytes) and "Goroutines" (running, runnable, waiting, syscall).
/// - pid 1 "Procs": one track per P with a slice for every goroutine running on it.
/// - pid 2 "Goroutines": one track per chosen goroutine with a slice per state (running, runnable,
///   waiting with its reason, syscall).
/// - pid 3 "Tasks and regions": tasks (not Go's background task 0) and regions (not Go's synthetic
///   task-inheritance ones) as nestable async slices ("b"/"e"), logs as instants on a "Logs" track.
/// - Flow arrows ("s"/"f", category "unblock") from the goroutine that unblocked another (on its P)
///   to where the woken goroutine next ran.
/// Times are microseconds since the trace start (3 decimals = exact nanoseconds).
public struct ChromeTraceOptions: Sendable {
    /// Window to cut (ns since the trace start); nil = from the start / to the end.
    public var startNs: Int64?
    public var endNs: Int64?
    /// Goroutines that get their own track; nil = the `topGoroutines` with the most execution time.
    public var goroutines: [Int64]?
    public var topGoroutines: Int = 8
    public var flows: Bool = true
    /// With a window: where the intervals open at its end are found (built once per trace and kept,
    /// as `tracedb serve` does); nil = one scan from the window end to the trace end.
    public var checkpoints: GoroutineCheckpoints?
    /// Read a window off the whole-trace views as before the window path (tests compare the two).
    var readViews = false
    public init(startNs: Int64? = nil, endNs: Int64? = nil, goroutines: [Int64]? = nil, topGoroutines: Int = 8, flows: Bool = true,
                checkpoints: GoroutineCheckpoints? = nil) {
        self.startNs = startNs; self.endNs = endNs; self.goroutines = goroutines
        self.topGoroutines = topGoroutines; self.flows = flows; self.checkpoints = checkpoints
    }
}

/// What a Chrome export wrote (for the command's summary line).
public struct ChromeTraceStats: Sendable {
    public var events = 0
    public var procTracks = 0
    public var goroutineTracks = 0
    public var procSlices = 0
    public var goroutineSlices = 0
    public var gcSlices = 0
    public var stwSlices = 0
    public var tasks = 0
    public var regions = 0
    public var logs = 0
    public var flows = 0
    public var counterEvents = 0
}

/// Why a timeline cannot be exported; the CLI words it (naming its flags).
public enum ChromeTraceError: Error, Sendable, Equatable {
    /// The window starts after it ends (both clipped to the trace).
    case emptyWindow(startNs: Int64, endNs: Int64)
}

public enum ChromeTraceExporter {
    public static let runtimePid = 0, procsPid = 1, goroutinesPid = 2, tasksPid = 3
    public static let gcTid = 1, stwTid = 2, logsTid = 0

    /// The goroutines that get a track when none are named: the `n` with the most execution time
    /// (ties by id), user goroutines first.
    public static func defaultGoroutines(db: Database, traceID: Int64, n: Int) throws -> [Int64] {
        let s = try db.prepare("""
            SELECT goid FROM goroutines WHERE trace_id = ? ORDER BY is_system, exec_ns DESC, goid LIMIT ?
            """)
        try s.bind(1, traceID); try s.bind(2, Int64(n))
        var out: [Int64] = []
        while try s.step() { out.append(s.int64(0)) }
        return out.sorted()
    }

    @discardableResult
    public static func export(db: Database, traceID: Int64, options: ChromeTraceOptions = .init(),
                              to out: TextOutput) throws -> ChromeTraceStats {
        let info = try TraceInfo(db: db, traceID: traceID)
        let w0 = max(options.startNs ?? 0, 0)
        let w1 = min(options.endNs ?? info.durationNs, info.durationNs)
        guard w1 >= w0 else { throw ChromeTraceError.emptyWindow(startNs: w0, endNs: w1) }
        // A window reads only its events (a seq range: ts_ns grows with seq) and the goroutine intervals
        // open at its end (closed later, or open at the trace end): ``windowedStates``. The whole
        // trace reads the views.
        let windowed = (options.startNs != nil || options.endNs != nil) && !options.readViews
        var states = "goroutine_states"
        var extra: [(Int32, SQLValue)] = []
        var seqRange = ""
        if windowed {
            let count = try db.scalarInt("SELECT coalesce(max(seq) + 1, 0) FROM events WHERE trace_id = ?", [.int(traceID)]) ?? 0
            let lo = try firstSeq(atOrAfter: w0, db: db, traceID: traceID, count: count)
            let hi = try firstSeq(atOrAfter: w1 + 1, db: db, traceID: traceID, count: count)
            let open = try options.checkpoints.map { try $0.closingSeqs(openBefore: hi, orBegunBy: w1, db: db) }
                ?? GoroutineCheckpoints.closingSeqs(openBefore: hi, orBegunBy: w1, db: db, traceID: traceID)
            extra = [(11, .int(lo)), (12, .int(hi)), (13, .text("[" + open.map(String.init).joined(separator: ",") + "]"))]
            states = "gs"
            seqRange = " AND seq >= ?11 AND seq < ?12"
        }
        var stats = ChromeTraceStats()
        var first = true
        func emit(_ json: String) {
            out.write(first ? "\n" : ",\n")
            out.write(json)
            first = false
            stats.events += 1
        }
        let tid = traceID
        func q(_ sql: String, _ params: [SQLValue] = [], _ row: (Statement) throws -> Void) throws {
            let s = try db.prepare(sql)
            try s.bind(params)
            for (i, v) in extra where sql.contains("?\(i)") { try s.bind(i, v) }
            while try s.step() { try row(s) }
        }
        /// `WITH` the window's goroutine_states (none for the whole trace) and `more` CTEs.
        func with(_ more: String = "") -> String {
            let ctes = (windowed ? [Self.windowedStates] : []) + (more.isEmpty ? [] : [more])
            return ctes.isEmpty ? "" : "WITH " + ctes.joined(separator: ",\n") + "\n"
        }
        let us = JSONValue.micros, js = JSONValue.quote
        func slice(pid: Int, tid: Int64, start: Int64, end: Int64, name: String, cat: String, args: String) -> String {
            let a = max(start, w0), b = min(end, w1)
            return "{\"ph\":\"X\",\"pid\":\(pid),\"tid\":\(tid),\"ts\":\(us(a)),\"dur\":\(us(b - a)),\"name\":\(js(name)),\"cat\":\(js(cat)),\"args\":{\(args)}}"
        }
        func meta(pid: Int, tid: Int64? = nil, _ what: String, _ value: String) {
            let t = tid.map { ",\"tid\":\($0)" } ?? ""
            emit("{\"ph\":\"M\",\"pid\":\(pid)\(t),\"name\":\"\(what)\",\"args\":{\"name\":\(js(value))}}")
        }
        func sortIndex(pid: Int, tid: Int64? = nil, _ i: Int64) {
            let t = tid.map { ",\"tid\":\($0)" } ?? ""
            let what = tid == nil ? "process_sort_index" : "thread_sort_index"
            emit("{\"ph\":\"M\",\"pid\":\(pid)\(t),\"name\":\"\(what)\",\"args\":{\"sort_index\":\(i)}}")
        }

        out.write("{\"displayTimeUnit\":\"ns\",\"otherData\":{")
        out.write("\"source\":\"tracedb\",\"trace_id\":\(traceID),\"file\":\(js(info.fileName)),\"go_version\":\(js(info.goVersion)),")
        out.write("\"window_start_ns\":\(w0),\"window_end_ns\":\(w1)")
        if let wall = info.wallStartUnixNs { out.write(",\"wall_start_unix_ns\":\(wall)") }
        out.write("},\"traceEvents\":[")

        // Names of goroutines.
        var names: [Int64: String] = [:]
        try q("SELECT goid, name FROM goroutines WHERE trace_id = ?", [.int(tid)]) { names[$0.int64(0)] = $0.text(1) }
        func gname(_ g: Int64) -> String {
            let n = names[g] ?? ""
            return n.isEmpty ? "G\(g)" : "G\(g) \(n)"
        }

        // Processes and tracks.
        meta(pid: runtimePid, "process_name", "Runtime"); sortIndex(pid: runtimePid, 0)
        meta(pid: runtimePid, tid: Int64(gcTid), "thread_name", "GC"); sortIndex(pid: runtimePid, tid: Int64(gcTid), 1)
        meta(pid: runtimePid, tid: Int64(stwTid), "thread_name", "STW"); sortIndex(pid: runtimePid, tid: Int64(stwTid), 2)
        meta(pid: procsPid, "process_name", "Procs"); sortIndex(pid: procsPid, 1)
        try q("SELECT proc_id FROM procs WHERE trace_id = ? ORDER BY proc_id", [.int(tid)]) { s in
            let p = s.int64(0)
            meta(pid: procsPid, tid: p, "thread_name", "P\(p)"); sortIndex(pid: procsPid, tid: p, p)
            stats.procTracks += 1
        }
        let chosen = try options.goroutines ?? defaultGoroutines(db: db, traceID: traceID, n: options.topGoroutines)
        meta(pid: goroutinesPid, "process_name", "Goroutines"); sortIndex(pid: goroutinesPid, 2)
        for g in chosen.sorted() {
            meta(pid: goroutinesPid, tid: g, "thread_name", gname(g)); sortIndex(pid: goroutinesPid, tid: g, g)
            stats.goroutineTracks += 1
        }
        meta(pid: tasksPid, "process_name", "Tasks and regions"); sortIndex(pid: tasksPid, 3)
        meta(pid: tasksPid, tid: Int64(logsTid), "thread_name", "Logs")

        let window: [SQLValue] = [.int(tid), .int(w1), .int(w0)]
        // GC cycles and STW pauses.
        try q("""
            SELECT gc_idx, coalesce(start_ns, 0), end_ns, heap_before_bytes, heap_after_bytes, heap_goal_bytes FROM gc_cycles
            WHERE trace_id = ? AND coalesce(start_ns, 0) <= ? AND end_ns >= ? ORDER BY gc_idx
            """, window) { s in
            var args = "\"gc\":\(s.int64(0))"
            if !s.isNull(3) { args += ",\"heap_before_bytes\":\(s.int64(3))" }
            if !s.isNull(4) { args += ",\"heap_after_bytes\":\(s.int64(4))" }
            if !s.isNull(5) { args += ",\"heap_goal_bytes\":\(s.int64(5))" }
            emit(slice(pid: runtimePid, tid: Int64(gcTid), start: s.int64(1), end: s.int64(2), name: "GC", cat: "gc", args: args))
            stats.gcSlices += 1
        }
        try q("""
            SELECT stw_idx, coalesce(start_ns, 0), end_ns, reason, goid, is_gc FROM stw_pauses
            WHERE trace_id = ? AND coalesce(start_ns, 0) <= ? AND end_ns >= ? ORDER BY stw_idx
            """, window) { s in
            let args = "\"reason\":\(js(s.text(3))),\"goid\":\(s.isNull(4) ? "null" : String(s.int64(4))),\"gc\":\(s.int64(5) != 0)"
            emit(slice(pid: runtimePid, tid: Int64(stwTid), start: s.int64(1), end: s.int64(2),
                       name: "STW (\(s.text(3)))", cat: "stw", args: args))
            stats.stwSlices += 1
        }

        // Goroutines running on Ps.
        try q(with() + """
            SELECT goid, proc_id, start_ns, end_ns FROM \(states)
            WHERE trace_id = ?1 AND state = 3 AND proc_id IS NOT NULL AND start_ns <= ?2 AND end_ns >= ?3
            ORDER BY start_ns, goid
            """, window) { s in
            let g = s.int64(0)
            emit(slice(pid: procsPid, tid: s.int64(1), start: s.int64(2), end: s.int64(3), name: gname(g), cat: "goroutine",
                       args: "\"goid\":\(g)"))
            stats.procSlices += 1
        }

        // The chosen goroutines, state by state.
        if !chosen.isEmpty {
            let list = chosen.map(String.init).joined(separator: ",")
            try q(with() + """
                SELECT s.goid, s.state, s.start_ns, s.end_ns, r.value, s.proc_id, s.unblock_goid
                FROM \(states) s LEFT JOIN strings r ON r.trace_id = s.trace_id AND r.string_id = s.reason_id
                WHERE s.trace_id = ?1 AND s.start_ns <= ?2 AND s.end_ns >= ?3 AND s.goid IN (\(list))
                ORDER BY s.goid, s.start_seq
                """, window) { s in
                let state = s.int64(1)
                let reason = s.isNull(4) ? "" : s.text(4)
                let cat = ["undetermined", "notexist", "runnable", "running", "waiting", "syscall"][Int(min(max(state, 0), 5))]
                let name = state == 4 ? (reason.isEmpty ? "waiting" : reason) : cat
                var args = "\"state\":\(js(cat))"
                if !reason.isEmpty { args += ",\"reason\":\(js(reason))" }
                if !s.isNull(5) { args += ",\"proc\":\(s.int64(5))" }
                if !s.isNull(6) { args += ",\"unblocked_by\":\(s.int64(6))" }
                emit(slice(pid: goroutinesPid, tid: s.int64(0), start: s.int64(2), end: s.int64(3), name: name, cat: cat, args: args))
                stats.goroutineSlices += 1
            }
        }

        // Tasks and regions (nestable async slices), logs (instants).
        try q("""
            SELECT task_id, name, interval_start_ns, interval_end_ns, parent_id, complete, start_goid, end_goid FROM tasks
            WHERE trace_id = ? AND task_id <> 0 AND interval_start_ns <= ? AND interval_end_ns >= ? ORDER BY interval_start_ns, task_id
            """, window) { s in
            let id = s.int64(0)
            let a = max(s.int64(2), w0), b = min(s.int64(3), w1)
            var args = "\"task\":\(id),\"complete\":\(s.int64(5) != 0)"
            if !s.isNull(4) { args += ",\"parent\":\(s.int64(4))" }
            if !s.isNull(6) { args += ",\"start_goid\":\(s.int64(6))" }
            let head = "\"pid\":\(tasksPid),\"tid\":0,\"cat\":\"task\",\"id\":\"task-\(id)\",\"name\":\(js(s.text(1)))"
            emit("{\"ph\":\"b\",\(head),\"ts\":\(us(a)),\"args\":{\(args)}}")
            emit("{\"ph\":\"e\",\(head),\"ts\":\(us(b))}")
            stats.tasks += 1
        }
        try q("""
            SELECT goid, idx, task_id, name, interval_start_ns, interval_end_ns, depth, complete FROM regions
            WHERE trace_id = ? AND synthetic = 0 AND interval_start_ns <= ? AND interval_end_ns >= ?
            ORDER BY interval_start_ns, goid, idx
            """, window) { s in
            let g = s.int64(0), idx = s.int64(1)
            let a = max(s.int64(4), w0), b = min(s.int64(5), w1)
            let args = "\"goid\":\(g),\"task\":\(s.int64(2)),\"depth\":\(s.isNull(6) ? 0 : s.int64(6)),\"complete\":\(s.int64(7) != 0)"
            let head = "\"pid\":\(tasksPid),\"tid\":\(g),\"cat\":\"region\",\"id\":\"region-\(g)-\(idx)\",\"name\":\(js(s.text(3)))"
            emit("{\"ph\":\"b\",\(head),\"ts\":\(us(a)),\"args\":{\(args)}}")
            emit("{\"ph\":\"e\",\(head),\"ts\":\(us(b))}")
            stats.regions += 1
        }
        try q("""
            SELECT ts_ns, goid, task_id, category, message FROM logs WHERE trace_id = ?1 AND ts_ns <= ?2 AND ts_ns >= ?3\(seqRange) ORDER BY seq
            """, window) { s in
            let name = s.text(3).isEmpty ? s.text(4) : "\(s.text(3)): \(s.text(4))"
            let goid = s.isNull(1) ? "null" : String(s.int64(1))
            emit("{\"ph\":\"i\",\"s\":\"t\",\"pid\":\(tasksPid),\"tid\":\(logsTid),\"ts\":\(us(s.int64(0))),\"name\":\(js(name)),\"cat\":\"log\",\"args\":{\"goid\":\(goid),\"task\":\(s.int64(2)),\"category\":\(js(s.text(3))),\"message\":\(js(s.text(4)))}}")
            stats.logs += 1
        }

        // Unblock flows: the unblocking event's P → the woken goroutine's next running slice.
        if options.flows {
            var flowID: Int64 = 0
            try q(windowed ? with(Self.flowCTE.replacingOccurrences(of: "goroutine_states", with: states)) + Self.flowSelect : flowSQL,
                  [.int(tid), .int(w0), .int(w1)]) { s in
                flowID += 1
                let common = "\"cat\":\"unblock\",\"name\":\"unblock\",\"id\":\(flowID),\"pid\":\(procsPid)"
                emit("{\"ph\":\"s\",\(common),\"tid\":\(s.int64(2)),\"ts\":\(us(s.int64(3))),\"args\":{\"from_goid\":\(s.int64(1)),\"to_goid\":\(s.int64(0))}}")
                emit("{\"ph\":\"f\",\"bp\":\"e\",\(common),\"tid\":\(s.int64(5)),\"ts\":\(us(s.int64(4)))}")
                stats.flows += 1
            }
        }

        // Counters: heap, and goroutines by state.
        try q(windowed ? """
            SELECT n.value AS name, e.ts_ns, a.value FROM events e
            JOIN event_args a ON a.trace_id = e.trace_id AND a.seq = e.seq
            JOIN strings n ON n.trace_id = e.trace_id AND n.string_id = e.name_id
            WHERE e.trace_id = ?1 AND e.seq >= ?11 AND e.seq < ?12 AND e.kind = 2 AND a.value IS NOT NULL
              AND n.value IN ('/memory/classes/heap/objects:bytes', '/gc/heap/goal:bytes') AND e.ts_ns >= ?2 AND e.ts_ns <= ?3
            ORDER BY e.ts_ns, n.value
            """ : """
            SELECT name, ts_ns, value FROM metrics WHERE trace_id = ?
              AND name IN ('/memory/classes/heap/objects:bytes', '/gc/heap/goal:bytes') AND ts_ns >= ? AND ts_ns <= ?
            ORDER BY ts_ns, name
            """, [.int(tid), .int(w0), .int(w1)]) { s in
            let name = s.text(0) == "/gc/heap/goal:bytes" ? "Heap goal" : "Heap alloc"
            emit("{\"ph\":\"C\",\"pid\":\(runtimePid),\"tid\":0,\"ts\":\(us(s.int64(1))),\"name\":\"\(name)\",\"args\":{\"bytes\":\(s.int64(2))}}")
            stats.counterEvents += 1
        }
        // Goroutines by state: the counts at the window start, then after all changes at each distinct
        // time in the window.
        var counts = [Int64](repeating: 0, count: 6)
        func counter(_ t: Int64) {
            emit("{\"ph\":\"C\",\"pid\":\(runtimePid),\"tid\":0,\"ts\":\(us(t)),\"name\":\"Goroutines\",\"args\":{\"running\":\(counts[3]),\"runnable\":\(counts[2]),\"waiting\":\(counts[4]),\"syscall\":\(counts[5])}}")
            stats.counterEvents += 1
        }
        try q(with() + """
            SELECT state, count(*) FROM \(states)
            WHERE trace_id = ?1 AND start_ns <= ?2 AND (end_ns > ?2 OR open_at_end = 1) GROUP BY state
            """, [.int(tid), .int(w0)]) { counts[Int(min(max($0.int64(0), 0), 5))] = $0.int64(1) }
        counter(w0)
        var pending: Int64? = nil
        try q(with() + """
            SELECT t, state, d FROM (
              SELECT start_ns AS t, state, 1 AS d FROM \(states) WHERE trace_id = ?1 AND start_ns > ?2 AND start_ns <= ?3
              UNION ALL
              SELECT end_ns AS t, state, -1 AS d FROM \(states)
              WHERE trace_id = ?1 AND end_ns > ?2 AND end_ns <= ?3 AND open_at_end = 0
            ) ORDER BY t
            """, [.int(tid), .int(w0), .int(w1)]) { s in
            let t = s.int64(0)
            if let p = pending, t != p { counter(p) }
            counts[Int(min(max(s.int64(1), 0), 5))] += s.int64(2)
            pending = t
        }
        if let p = pending { counter(p) }

        out.write("\n]}\n")
        return stats
    }

    /// Unblock edges in a window: (woken goid, unblocker goid, unblocker's P, unblock time,
    /// woken goroutine's next run start, its P). A Waiting interval ended by another goroutine is
    /// followed by Runnable (started by the unblock event, which names the unblocker's P) and then Running.
    static let flowSQL = "WITH " + flowCTE + "\n" + flowSelect
    static let flowCTE = """
        s AS (
          SELECT goid, state, end_ns, unblock_goid,
                 lead(state) OVER w AS n1_state, lead(start_seq) OVER w AS n1_seq,
                 lead(state, 2) OVER w AS n2_state, lead(start_ns, 2) OVER w AS n2_start, lead(proc_id, 2) OVER w AS n2_proc
          FROM goroutine_states WHERE trace_id = ?1
          WINDOW w AS (PARTITION BY goid ORDER BY start_seq)
        )
        """
    static let flowSelect = """
        SELECT s.goid, s.unblock_goid, e.proc_id, s.end_ns, s.n2_start, s.n2_proc
        FROM s JOIN events e ON e.trace_id = ?1 AND e.seq = s.n1_seq
        WHERE s.state = 4 AND s.unblock_goid IS NOT NULL AND s.n1_state = 2 AND s.n2_state = 3
          AND e.proc_id IS NOT NULL AND e.goid = s.unblock_goid AND s.n2_proc IS NOT NULL
          AND s.end_ns >= ?2 AND s.n2_start <= ?3
        ORDER BY s.end_ns, s.goid
        """

    /// `gs`: the rows of `goroutine_states` a window needs (the columns the exporter reads), from
    /// the intervals closed inside the window (?11 <= seq < ?12), those closed after it but begun
    /// before its end or first seen with a start_ns before it (the closing seqs in the JSON array ?13)
    /// and those open at the trace end. The same expressions as the views `goroutine_intervals` and `goroutine_states`.
    static let windowedStates = """
        iv AS (
          SELECT c.trace_id, c.res_id AS goid, c.ts_ns - c.iv_dur_ns AS start_ns, c.ts_ns AS end_ns, c.from_state AS state,
                 CASE WHEN c.from_state = 4 AND c.to_state = 2 AND c.goid <> c.res_id THEN c.goid END AS unblock_goid,
                 0 AS open_at_end, c.seq - c.iv_back AS start_seq
          FROM events c WHERE c.trace_id = ?1 AND c.seq >= ?11 AND c.seq < ?12 AND c.iv_back IS NOT NULL
          UNION ALL
          SELECT c.trace_id, c.res_id, c.ts_ns - c.iv_dur_ns, c.ts_ns, c.from_state,
                 CASE WHEN c.from_state = 4 AND c.to_state = 2 AND c.goid <> c.res_id THEN c.goid END,
                 0, c.seq - c.iv_back
          FROM events c WHERE c.trace_id = ?1 AND c.seq IN (SELECT value FROM json_each(?13)) AND c.iv_back IS NOT NULL
          UNION ALL
          SELECT x.trace_id, x.goid, x.start_ns, t.duration_ns, x.state, NULL, 1, x.start_seq
          FROM goroutine_open_intervals x JOIN traces t ON t.trace_id = x.trace_id
          WHERE x.trace_id = ?1
        ),
        gs AS (
          SELECT i.trace_id, i.goid, i.start_ns, i.end_ns, i.state, o.name_id AS reason_id,
                 CASE WHEN i.state IN (3, 5) THEN o.proc_id END AS proc_id, i.unblock_goid, i.open_at_end, i.start_seq
          FROM iv i LEFT JOIN events o ON o.trace_id = i.trace_id AND o.seq = i.start_seq
        )
        """

    /// The first seq whose ts_ns >= t (`count` if none), by binary search on the primary key.
    public static func firstSeq(atOrAfter t: Int64, db: Database, traceID: Int64, count: Int64) throws -> Int64 {
        let s = try db.prepare("SELECT ts_ns FROM events WHERE trace_id = ? AND seq = ?")
        try s.bind(1, traceID)
        var lo: Int64 = 0, hi = count
        while lo < hi {
            let mid = lo + (hi - lo) / 2
            try s.bind(2, mid)
            let ts = try s.step() ? s.int64(0) : Int64.max
            s.reset()
            if ts < t { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }
}
