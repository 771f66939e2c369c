import Foundation
import Testing
@testable import TraceExport
@testable import TraceWarehouse

/// The Chrome trace-event JSON, the OTLP spans and the HTML report of every golden trace: each is
/// parsed back and checked against counts computed independently from the warehouse tables.
@Suite("Export: Chrome trace, OTLP spans, HTML report")
struct ExportViewerTests {
    static let traces = GoldenTrace.all

    @Test("chrome, otlp and report of each trace", arguments: traces)
    func viewers(_ t: GoldenTrace) throws {
        let w = try TempWarehouse()
        let id = try w.ingest(t.trace).traceID
        try Self.checkChrome(w, id, "\(t)")
        try Self.checkOTLP(w, id, "\(t)")
        try Self.checkReport(w, id, "\(t)")
    }

    @Test("chrome --start/--end cuts a window", arguments: traces.filter { ["sample-gc", "go1.27/tasks", "go1.27/gcheavy"].contains($0.name) })
    func chromeWindow(_ t: GoldenTrace) throws {
        let w = try TempWarehouse()
        let id = try w.ingest(t.trace).traceID
        let dur = try #require(try w.warehouse.db.scalarInt("SELECT duration_ns FROM traces WHERE trace_id = ?", [.int(id)]))
        try Self.checkChrome(w, id, "\(t) window", start: dur / 4, end: dur / 2)
        try Self.checkChrome(w, id, "\(t) goroutine 1", goroutines: [1])
    }

    /// A window's export reads only the window's events and the intervals open at its end; it must
    /// write exactly what reading the whole-trace views writes, for windows anywhere (edges, generation
    /// boundaries, empty stretches), with and without checkpoints (a small stride crosses many).
    @Test("chrome window: the seq-range path writes what the whole-trace views write", arguments: traces)
    func chromeWindowMatchesViews(_ t: GoldenTrace) throws {
        let w = try TempWarehouse()
        let id = try w.ingest(t.trace).traceID
        let db = w.warehouse.db
        let dur = try #require(try db.scalarInt("SELECT duration_ns FROM traces WHERE trace_id = ?", [.int(id)]))
        let all = try ChromeTraceExporter.defaultGoroutines(db: db, traceID: id, n: 1_000)
        var windows: [(Int64, Int64)] = [(0, dur), (0, 0), (dur, dur), (dur / 4, dur / 2), (dur / 3, dur / 3 + 1), (dur - 1, dur)]
        for k in 1...7 { let a = dur * Int64(k) / 8; windows.append((a, min(a + max(dur / 50, 1), dur))) }
        let syncs = try db.prepare("SELECT ts_ns FROM events WHERE trace_id = ? AND kind = (SELECT kind FROM event_kinds WHERE name = 'Sync') ORDER BY seq")
        try syncs.bind(1, id)
        while try syncs.step() { let s = syncs.int64(0); windows.append((max(s - 1, 0), min(s + 1, dur))) }
        let cps = [try GoroutineCheckpoints(db: db, traceID: id, stride: 7), try GoroutineCheckpoints(db: db, traceID: id)]
        func export(_ o: ChromeTraceOptions) throws -> [UInt8] {
            let out = TextOutput()
            try ChromeTraceExporter.export(db: db, traceID: id, options: o, to: out)
            return out.bytes
        }
        for (a, b) in windows {
            for goids in [nil, all] {
                var views = ChromeTraceOptions(startNs: a, endNs: b, goroutines: goids)
                views.readViews = true
                let want = try export(views)
                #expect(try export(ChromeTraceOptions(startNs: a, endNs: b, goroutines: goids)) == want, "\(t) [\(a), \(b)] no checkpoints")
                for c in cps {
                    #expect(try export(ChromeTraceOptions(startNs: a, endNs: b, goroutines: goids, checkpoints: c)) == want,
                            "\(t) [\(a), \(b)] stride \(c.stride)")
                }
            }
        }
    }

    @Test("report: base and head side by side")
    func compareReport() throws {
        let ts = Array(Self.traces.prefix(2))
        try #require(ts.count == 2)
        let w = try TempWarehouse()
        let a = try w.ingest(ts[0].trace).traceID, b = try w.ingest(ts[1].trace).traceID
        let base = try ReportData(db: w.warehouse.db, traceID: a), head = try ReportData(db: w.warehouse.db, traceID: b)
        let html = HTMLReport.render(head, base: base)
        #expect(markupProblems(html).isEmpty, "\(markupProblems(html))")
        #expect(Self.count("class=\"pair\"", in: html) == HTMLReport.sectionTitles.count)
        let single = Self.count("<figure class=\"chart\"", in: HTMLReport.render(base)) + Self.count("<figure class=\"chart\"", in: HTMLReport.render(head))
        #expect(Self.count("<figure class=\"chart\"", in: html) == single)
    }

    // MARK: Chrome trace-event format

    static func checkChrome(_ w: TempWarehouse, _ id: Int64, _ what: String, start: Int64? = nil, end: Int64? = nil,
                            goroutines: [Int64]? = nil) throws {
        let db = w.warehouse.db
        let out = TextOutput()
        let opts = ChromeTraceOptions(startNs: start, endNs: end, goroutines: goroutines)
        let stats = try ChromeTraceExporter.export(db: db, traceID: id, options: opts, to: out)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(out.bytes)) as? [String: Any], "\(what): not a JSON object")
        let events = try #require(json["traceEvents"] as? [[String: Any]], "\(what): no traceEvents array")
        #expect(events.count == stats.events)
        let dur = try #require(try db.scalarInt("SELECT duration_ns FROM traces WHERE trace_id = ?", [.int(id)]))
        let w0 = start ?? 0, w1 = end ?? dur
        let us0 = Double(w0) / 1000 - 1e-6, us1 = Double(w1) / 1000 + 1e-6

        // Schema: the fields each phase requires.
        var byPh: [String: [[String: Any]]] = [:]
        var problems: [String] = []
        for e in events {
            guard let ph = e["ph"] as? String, e["pid"] is Int, e["name"] is String else { problems.append("missing ph/pid/name: \(e)"); continue }
            byPh[ph, default: []].append(e)
            let ts = e["ts"] as? Double
            switch ph {
            case "M":
                guard let name = e["name"] as? String, let args = e["args"] as? [String: Any] else { problems.append("bad M \(e)"); continue }
                switch name {
                case "process_name", "thread_name": if !(args["name"] is String) { problems.append("M without args.name: \(e)") }
                case "process_sort_index", "thread_sort_index": if !(args["sort_index"] is Int) { problems.append("M without sort_index: \(e)") }
                default: problems.append("unknown metadata \(name)")
                }
                if name.hasPrefix("thread"), !(e["tid"] is Int) { problems.append("thread metadata without tid: \(e)") }
            case "X":
                guard let ts, let d = e["dur"] as? Double, e["tid"] is Int, e["cat"] is String else { problems.append("bad X \(e)"); continue }
                if d < 0 || ts < us0 || ts + d > us1 { problems.append("X outside the window: \(e)") }
            case "b", "e":
                guard let ts, e["cat"] is String, e["id"] != nil else { problems.append("bad async \(e)"); continue }
                if ts < us0 || ts > us1 { problems.append("async outside the window: \(e)") }
            case "s", "f":
                guard let ts, e["id"] != nil, e["tid"] is Int, e["cat"] is String else { problems.append("bad flow \(e)"); continue }
                if ts < us0 || ts > us1 { problems.append("flow outside the window: \(e)") }
                if ph == "f", let bp = e["bp"], bp as? String != "e" { problems.append("bad flow binding \(e)") }
            case "i":
                guard let ts, ["g", "p", "t"].contains(e["s"] as? String ?? "t") else { problems.append("bad instant \(e)"); continue }
                if ts < us0 || ts > us1 { problems.append("instant outside the window: \(e)") }
            case "C":
                guard let ts, let args = e["args"] as? [String: Any], !args.isEmpty, args.values.allSatisfy({ $0 is NSNumber }) else {
                    problems.append("bad counter \(e)"); continue
                }
                if ts < us0 || ts > us1 { problems.append("counter outside the window: \(e)") }
            default:
                problems.append("unexpected phase \(ph)")
            }
        }
        #expect(problems.isEmpty, "\(what): \(problems.prefix(5))")

        // Async begin/end pairs and flow start/finish pairs match.
        var open: [String: Double] = [:]
        for e in byPh["b"] ?? [] {
            open["\(e["cat"]!)/\(e["id"]!)/\(e["name"]!)"] = e["ts"] as? Double
        }
        for e in byPh["e"] ?? [] {
            let k = "\(e["cat"]!)/\(e["id"]!)/\(e["name"]!)"
            guard let b = open.removeValue(forKey: k) else { Issue.record("\(what): end without begin \(k)"); continue }
            #expect((e["ts"] as? Double ?? 0) >= b, "\(what): \(k) ends before it begins")
        }
        #expect(open.isEmpty, "\(what): begins without end: \(open.keys.prefix(3))")
        let starts = Set((byPh["s"] ?? []).map { "\($0["id"]!)" }), finishes = Set((byPh["f"] ?? []).map { "\($0["id"]!)" })
        #expect(starts == finishes, "\(what): flow starts and finishes differ")
        #expect(stats.flows == starts.count)

        // Track and slice counts, computed from the tables.
        func n(_ sql: String, _ extra: [SQLValue] = []) throws -> Int { Int(try db.scalarInt(sql, [.int(id)] + extra) ?? 0) }
        func sel(_ ph: String, pid: Int, tid: Int? = nil, name: String? = nil, cat: String? = nil) -> [[String: Any]] {
            (byPh[ph] ?? []).filter { e in
                e["pid"] as? Int == pid && (tid == nil || e["tid"] as? Int == tid) && (name == nil || e["name"] as? String == name)
                    && (cat == nil || e["cat"] as? String == cat)
            }
        }
        let win: [SQLValue] = [.int(w1), .int(w0)]
        let P = ChromeTraceExporter.procsPid, G = ChromeTraceExporter.goroutinesPid, R = ChromeTraceExporter.runtimePid, T = ChromeTraceExporter.tasksPid
        #expect(sel("M", pid: P, name: "thread_name").count == (try n("SELECT count(*) FROM procs WHERE trace_id = ?")), "\(what): P tracks")
        let running = try n("SELECT count(*) FROM goroutine_states WHERE trace_id = ? AND state = 3 AND proc_id IS NOT NULL AND start_ns <= ? AND end_ns >= ?", win)
        #expect(sel("X", pid: P).count == running, "\(what): goroutine slices on P tracks")
        // The slices on the P tracks add up to the running time in the window (ns exact, 3 decimals).
        let runNs = try n("""
            SELECT coalesce(sum(min(end_ns, ?3) - max(start_ns, ?2)), 0) FROM goroutine_states
            WHERE trace_id = ?1 AND state = 3 AND proc_id IS NOT NULL AND start_ns <= ?3 AND end_ns >= ?2
            """, [.int(w0), .int(w1)])
        let sumDur = sel("X", pid: P).reduce(0.0) { $0 + ($1["dur"] as? Double ?? 0) }
        #expect(abs(sumDur * 1000 - Double(runNs)) < 1 + Double(running) * 0.01, "\(what): P slice time \(sumDur) µs vs \(runNs) ns")
        #expect(sel("X", pid: R, tid: ChromeTraceExporter.gcTid).count
                == (try n("SELECT count(*) FROM gc_cycles WHERE trace_id = ? AND coalesce(start_ns, 0) <= ? AND end_ns >= ?", win)), "\(what): GC slices")
        #expect(sel("X", pid: R, tid: ChromeTraceExporter.stwTid).count
                == (try n("SELECT count(*) FROM stw_pauses WHERE trace_id = ? AND coalesce(start_ns, 0) <= ? AND end_ns >= ?", win)), "\(what): STW slices")
        #expect(sel("b", pid: T, cat: "task").count
                == (try n("SELECT count(*) FROM tasks WHERE trace_id = ? AND task_id <> 0 AND interval_start_ns <= ? AND interval_end_ns >= ?", win)), "\(what): tasks")
        #expect(sel("b", pid: T, cat: "region").count
                == (try n("SELECT count(*) FROM regions WHERE trace_id = ? AND synthetic = 0 AND interval_start_ns <= ? AND interval_end_ns >= ?", win)), "\(what): regions")
        #expect(sel("i", pid: T).count == (try n("SELECT count(*) FROM logs WHERE trace_id = ? AND ts_ns <= ? AND ts_ns >= ?", win)), "\(what): logs")
        #expect(sel("C", pid: R).filter { ($0["name"] as? String ?? "").hasPrefix("Heap") }.count
                == (try n("""
                    SELECT count(*) FROM metrics WHERE trace_id = ? AND name IN ('/memory/classes/heap/objects:bytes', '/gc/heap/goal:bytes')
                      AND ts_ns >= ? AND ts_ns <= ?
                    """, [.int(w0), .int(w1)])), "\(what): heap counter events")
        // The goroutine counter starts at the window start and ends with the goroutines alive at its end.
        let gc = sel("C", pid: R, name: "Goroutines")
        #expect((gc.first?["ts"] as? Double).map { abs($0 * 1000 - Double(w0)) < 0.5 } == true, "\(what): goroutine counter start")
        let lastArgs = gc.last?["args"] as? [String: Any] ?? [:]
        for (state, name) in [(2, "runnable"), (3, "running"), (4, "waiting"), (5, "syscall")] {
            let alive = try n("""
                SELECT count(*) FROM goroutine_states WHERE trace_id = ?1 AND state = ?2 AND start_ns <= ?3 AND (end_ns > ?3 OR open_at_end = 1)
                """, [.int(Int64(state)), .int(w1)])
            #expect(lastArgs[name] as? Int == alive, "\(what): \(name) goroutines at the window end")
        }
        // Per-goroutine tracks: the chosen goroutines, one slice per state interval in the window.
        let chosen = try goroutines ?? ChromeTraceExporter.defaultGoroutines(db: db, traceID: id, n: 8)
        #expect(sel("M", pid: G, name: "thread_name").compactMap { $0["tid"] as? Int }.sorted() == chosen.map { Int($0) }.sorted(), "\(what): goroutine tracks")
        for g in chosen {
            let want = try n("SELECT count(*) FROM goroutine_states WHERE trace_id = ? AND goid = ? AND start_ns <= ? AND end_ns >= ?",
                             [.int(g)] + win)
            #expect(sel("X", pid: G, tid: Int(g)).count == want, "\(what): slices of G\(g)")
        }
        // Every flow joins two P tracks that exist.
        let procTids = Set(sel("M", pid: P, name: "thread_name").compactMap { $0["tid"] as? Int })
        for e in (byPh["s"] ?? []) + (byPh["f"] ?? []) {
            #expect(e["pid"] as? Int == P && procTids.contains(e["tid"] as? Int ?? -1), "\(what): flow off the P tracks: \(e)")
        }
        if start == nil && end == nil {
            #expect(stats.flows <= (try n("SELECT count(*) FROM goroutine_states WHERE trace_id = ? AND state = 4 AND unblock_goid IS NOT NULL")))
        }
    }

    // MARK: OTLP

    static func checkOTLP(_ w: TempWarehouse, _ id: Int64, _ what: String) throws {
        let db = w.warehouse.db
        let out = TextOutput()
        let stats = try OTLPExporter.export(db: db, traceID: id, to: out)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(out.bytes)) as? [String: Any])
        let rs = try #require((json["resourceSpans"] as? [[String: Any]])?.first, "\(what): no resourceSpans")
        let resAttrs = try #require((rs["resource"] as? [String: Any])?["attributes"] as? [[String: Any]])
        let attr = { (list: [[String: Any]], key: String) -> Any? in
            guard let v = list.first(where: { $0["key"] as? String == key })?["value"] as? [String: Any] else { return nil }
            return v["stringValue"] ?? v["intValue"] ?? v["boolValue"]
        }
        let spans = try #require(((rs["scopeSpans"] as? [[String: Any]])?.first?["spans"]) as? [[String: Any]], "\(what): no spans")
        let wall = try db.scalarInt("SELECT wall_start_unix_ns FROM traces WHERE trace_id = ?", [.int(id)])
        #expect(attr(resAttrs, "tracedb.time_base") as? String == (wall == nil ? "trace-relative" : "wall-clock"))
        #expect(stats.wallClock == (wall != nil))
        #expect(attr(resAttrs, "service.name") as? String == "go-trace")

        // One span per task (not the background task 0) and per non-synthetic region, with their times.
        var want: [String] = []
        let s = try db.prepare("""
            SELECT 'task/' || task_id, name, interval_start_ns, interval_end_ns FROM tasks WHERE trace_id = ?1 AND task_id <> 0
            UNION ALL
            SELECT 'region/' || goid || '/' || idx, name, interval_start_ns, interval_end_ns FROM regions WHERE trace_id = ?1 AND synthetic = 0
            """)
        try s.bind(1, id)
        let base = wall ?? 0
        while try s.step() {
            let name = s.text(1).isEmpty ? "(unnamed)" : s.text(1)
            want.append("\(s.text(0))\t\(name)\t\(base + s.int64(2))\t\(base + s.int64(3))")
        }
        var got: [String] = []
        var ids = Set<String>(), byID: [String: [String: Any]] = [:]
        for sp in spans {
            guard let traceId = sp["traceId"] as? String, let spanId = sp["spanId"] as? String, let name = sp["name"] as? String,
                  let st = sp["startTimeUnixNano"] as? String, let en = sp["endTimeUnixNano"] as? String,
                  let attrs = sp["attributes"] as? [[String: Any]] else { Issue.record("\(what): malformed span \(sp)"); continue }
            #expect(traceId.count == 32 && traceId.allSatisfy(\.isHexDigit) && traceId != String(repeating: "0", count: 32))
            #expect(spanId.count == 16 && spanId.allSatisfy(\.isHexDigit))
            #expect(ids.insert(spanId).inserted, "\(what): duplicate span id")
            #expect(sp["kind"] as? Int == 1)
            #expect(UInt64(st)! <= UInt64(en)!, "\(what): span \(name) ends before it starts")
            byID[spanId] = sp
            let kind = attr(attrs, "tracedb.kind") as? String
            let key: String
            if kind == "task" {
                key = "task/\(attr(attrs, "go.task.id") as? String ?? "?")"
            } else {
                key = "region/\(attr(attrs, "go.goroutine.id") as? String ?? "?")/\(attr(attrs, "go.region.index") as? String ?? "?")"
            }
            got.append("\(key)\t\(name)\t\(st)\t\(en)")
        }
        expectSameRows(got.map { [$0] }, want.map { [$0] }, "\(what): OTLP spans vs tasks and regions")
        #expect(stats.tasks + stats.regions == spans.count)
        // Parents exist and share the trace id.
        for sp in spans {
            guard let parent = sp["parentSpanId"] as? String, !parent.isEmpty else { continue }
            let p = try #require(byID[parent], "\(what): parent \(parent) is not a span")
            #expect(p["traceId"] as? String == sp["traceId"] as? String, "\(what): child in another trace than its parent")
        }
        // Task logs are span events.
        let events = spans.reduce(0) { $0 + (($1["events"] as? [[String: Any]])?.count ?? 0) }
        #expect(events == Int(try db.scalarInt("""
            SELECT count(*) FROM logs l WHERE l.trace_id = ?1 AND l.task_id <> 0
              AND EXISTS (SELECT 1 FROM tasks t WHERE t.trace_id = ?1 AND t.task_id = l.task_id)
            """, [.int(id)]) ?? 0), "\(what): log span events")
    }

    // MARK: HTML report

    static func count(_ needle: String, in s: String) -> Int { s.components(separatedBy: needle).count - 1 }

    static func checkReport(_ w: TempWarehouse, _ id: Int64, _ what: String) throws {
        let db = w.warehouse.db
        let data = try ReportData(db: db, traceID: id)
        let html = HTMLReport.render(data)
        #expect(html.hasPrefix("<!DOCTYPE html>"))
        let problems = markupProblems(html)
        #expect(problems.isEmpty, "\(what): report markup: \(problems)")
        // Self-contained: no external resources or network URLs.
        for bad in ["src=", "<link", "http://", "https://", "@import", "url("] {
            #expect(!html.contains(bad), "\(what): report references \(bad)")
        }
        for sec in HTMLReport.sectionTitles { #expect(html.contains("<section id=\"\(sec.id)\""), "\(what): no section \(sec.id)") }

        // Every chart has data: a positive data-points and drawn marks in its SVG.
        let figures = html.components(separatedBy: "<figure class=\"chart\"").dropFirst().map { $0.components(separatedBy: "</figure>")[0] }
        var charts: [String] = []
        for f in figures {
            let name = f.components(separatedBy: "data-chart=\"").dropFirst().first?.components(separatedBy: "\"").first ?? "?"
            let points = Int(f.components(separatedBy: "data-points=\"").dropFirst().first?.components(separatedBy: "\"").first ?? "") ?? 0
            charts.append(name)
            #expect(points > 0, "\(what): chart \(name) has no data")
            #expect(f.contains("<svg") && count("<rect", in: f) + count("<path", in: f) + count("<circle", in: f) > 0, "\(what): chart \(name) draws nothing")
        }
        func n(_ sql: String) throws -> Int { Int(try db.scalarInt(sql, [.int(id)]) ?? 0) }
        var expected = ["goroutine-states", "proc-utilization", "mmu"]
        if try n("SELECT count(*) FROM gc_cycles WHERE trace_id = ?") + n("SELECT count(*) FROM stw_pauses WHERE trace_id = ?") > 0 { expected.append("gc-timeline") }
        if try n("SELECT count(*) FROM stw_pauses WHERE trace_id = ?") > 0 { expected.append("gc-pauses") }
        if try n("SELECT count(*) FROM metrics WHERE trace_id = ? AND name IN ('/memory/classes/heap/objects:bytes', '/gc/heap/goal:bytes')") > 0 { expected.append("heap") }
        // The waits sched-latency counts (first runs and waits open at the end left out): its lengths rows.
        let waits = try n("SELECT coalesce(sum(count), 0) FROM lengths WHERE trace_id = ? AND measure = 'sched_latency'")
        if waits > 0 { expected.append("sched-latency") }
        if try n("SELECT count(*) FROM goroutine_block WHERE trace_id = ? AND ns > 0") + n("SELECT count(*) FROM goroutines WHERE trace_id = ? AND syscall_ns + syscall_block_ns > 0") > 0 {
            expected.append("blocking-by-reason")
        }
        if try n("SELECT count(*) FROM tasks WHERE trace_id = ? AND task_id <> 0") > 0 { expected.append("slowest-tasks") }
        if try n("SELECT count(*) FROM regions WHERE trace_id = ? AND synthetic = 0") > 0 { expected.append("slowest-regions") }
        #expect(charts.sorted() == expected.sorted(), "\(what): charts")

        // The goroutine table: one row per start function; findings present.
        let table = html.components(separatedBy: "data-table=\"goroutine-analysis\"").dropFirst().first?.components(separatedBy: "</table>").first ?? ""
        #expect(count("<tr>", in: table) - 1 == min(try n("SELECT count(DISTINCT name) FROM goroutines WHERE trace_id = ?"), 500), "\(what): goroutine table rows")
        #expect(count("<li class=", in: html) == data.findings.count && !data.findings.isEmpty)
        // The overview adds up: goroutines by state never exceed the goroutines in the trace; Ps running ≤ Ps.
        // (The averages are goroutines-over-time's and utilization-over-time's, each rounded to 0.001: the four
        // states may add up to 4 × 0.0005 more.)
        let gs = try n("SELECT count(*) FROM goroutines WHERE trace_id = ?")
        for i in 0..<data.bucketCount {
            let alive = data.states.reduce(0.0) { $0 + $1[i] }
            #expect(alive <= Double(gs) + 0.002 + 1e-9)
            #expect(data.procsRunning[i] <= Double(max(data.procCount, 1)) + 0.0005 + 1e-9)
        }
        #expect(data.latency.count == Int64(waits))
        #expect(data.latencyCounts.reduce(0, +) == data.latency.count)
    }
}
