import Foundation
import TraceExport
import TraceWarehouse

/// The pages. Each takes the connection and the request's values and returns HTML; every number
/// comes from the warehouse as stored or from the saved queries, the comparer and the report data.
enum Pages {
    typealias Values = [(String, String)]

    // MARK: runs

    /// `/`: every run with labels, size, duration and Go version; `label=k=v` filters; two radio
    /// columns pick the runs to compare.
    static func runs(_ db: Database, label: String?) throws -> String {
        var filter: [(key: String, value: String?)] = []
        if let label, !label.isEmpty {
            if let i = label.firstIndex(of: "=") {
                filter.append((String(label[..<i]), String(label[label.index(after: i)...])))
            } else {
                filter.append((label, nil))
            }
        }
        let rows = try TraceSummaryRow.all(db: db, labels: filter)
        var sizes: [Int64: Int64] = [:]
        let s = try db.prepare("SELECT trace_id, file_size FROM traces")
        while try s.step() { sizes[s.int64(0)] = s.int64(1) }
        var b = "<form method=\"get\" action=\"/\">Filter by label: <input type=\"text\" name=\"label\" placeholder=\"key=value\" value=\"\(HTML.esc(label ?? ""))\"/> <button>filter</button></form>"
        b += "<form method=\"get\" action=\"/compare\"><table class=\"sortable\" id=\"runs\"><thead><tr><th>id</th><th>file</th><th>labels</th><th>size</th><th>duration</th><th>Go</th><th>events</th><th>goroutines</th><th>GC</th><th>complete</th><th>ingested</th><th>A</th><th>B</th></tr></thead><tbody>"
        for (k, r) in rows.enumerated() {
            let size = sizes[r.id] ?? 0
            b += "<tr data-trace=\"\(r.id)\"><td class=\"num\" data-v=\"\(r.id)\"><a href=\"/runs/\(r.id)\">\(r.id)</a></td>"
            b += "<td><a href=\"/runs/\(r.id)\">\(HTML.esc(r.fileName))</a></td><td>"
            b += r.labelPairs.map { "<a href=\"/?label=\(HTML.q($0.key + "=" + $0.value))\">\(HTML.esc($0.key))=\(HTML.esc($0.value))</a>" }.joined(separator: " ")
            b += "</td><td class=\"num\" data-v=\"\(size)\">\(HumanFormat.bytes(size))</td>"
            let d = r.durationNs ?? 0
            b += "<td class=\"num duration\" data-v=\"\(d)\" data-ns=\"\(d)\">\(HumanFormat.duration(d))</td>"
            b += "<td>\(HTML.esc(r.goVersion))</td><td class=\"num\" data-v=\"\(r.events)\">\(HumanFormat.count(r.events))</td>"
            b += "<td class=\"num\" data-v=\"\(r.goroutines)\">\(HumanFormat.count(r.goroutines))</td><td class=\"num\" data-v=\"\(r.gcCycles)\">\(r.gcCycles)</td>"
            b += "<td>\(r.complete ? "yes" : "no")</td><td>\(HTML.esc(r.ingestedAt))</td>"
            b += "<td><input type=\"radio\" name=\"a\" value=\"\(r.id)\"\(k == rows.count - 2 ? " checked" : "")/></td>"
            b += "<td><input type=\"radio\" name=\"b\" value=\"\(r.id)\"\(k == rows.count - 1 ? " checked" : "")/></td></tr>"
        }
        b += "</tbody></table><button>compare A with B</button></form>"
        if rows.isEmpty { b += "<p class=\"muted\">no runs\(label.map { " labelled \(HTML.esc($0))" } ?? "") (ingest one: tracedb ingest FILE)</p>" }
        return HTML.page("Runs", b)
    }

    // MARK: a run

    /// `/runs/{id}`: the HTML report (ReportData + HTMLReport, as `tracedb report`), with links into the rest.
    static func run(_ db: Database, _ info: TraceInfo) throws -> String {
        let data = try ReportData(db: db, traceID: info.id)
        let id = info.id
        var links = "<nav class=\"run\" style=\"padding:6px 16px;background:#eef2f5\">Run \(id): "
        links += "<a href=\"/runs/\(id)/timeline\">timeline</a> · <a href=\"/queries?trace=\(id)\">questions</a> · "
        links += "<a href=\"/queries/goroutine-analysis?trace=\(id)\">goroutines</a> · "
        links += "exports: <a href=\"/runs/\(id)/report.html\">report HTML</a>, "
        links += ExportProfile.allCases.map { "<a href=\"/runs/\(id)/export/\($0.rawValue).pb.gz\">pprof \($0.rawValue)</a>" }.joined(separator: ", ")
        links += ", <a href=\"/runs/\(id)/export/chrome.json\">Chrome/Perfetto JSON</a></nav>"
        return HTML.withNav(HTMLReport.render(data), extra: links)
    }

    // MARK: questions

    /// `/queries`: every saved query with its description and its parameters as a form.
    static func queries(_ db: Database, library: QueryLibrary, traceID: Int64?) throws -> String {
        let traces = try TraceSummaryRow.all(db: db)
        var b = "<p>Every saved query (Queries/*.sql). Pick a run and parameters; empty means the query's default.</p>"
        for q in library.queries {
            b += "<div class=\"q\" id=\"q-\(HTML.esc(q.name))\"><h3><a href=\"/queries/\(HTML.esc(q.name))\(traceID.map { "?trace=\($0)" } ?? "")\">\(HTML.esc(q.name))</a> — \(HTML.esc(q.title))</h3>"
            b += "<p>\(HTML.esc(q.description))</p>"
            b += form(q, traces: traces, traceID: traceID, values: [:])
            b += "</div>"
        }
        return HTML.page("Questions", b)
    }

    static func form(_ q: SavedQuery, traces: [TraceSummaryRow], traceID: Int64?, values: [String: String]) -> String {
        var b = "<form method=\"get\" action=\"/queries/\(HTML.esc(q.name))\">"
        if q.params.contains(where: { $0.name == "trace_id" }) {
            b += "<label>run <select name=\"trace\">"
            for t in traces.reversed() {
                b += "<option value=\"\(t.id)\"\(t.id == traceID ? " selected" : "")>\(t.id): \(HTML.esc(t.fileName))\(t.labels.isEmpty ? "" : " (" + HTML.esc(t.labels) + ")")</option>"
            }
            b += "</select></label> "
        }
        for p in q.params where p.name != "trace_id" {
            b += "<label title=\"\(HTML.esc(p.help))\">\(HTML.esc(p.name)) <input type=\"text\" name=\"\(HTML.esc(p.name))\" placeholder=\"\(HTML.esc(p.defaultValue))\" value=\"\(HTML.esc(values[p.name] ?? ""))\"/></label> "
        }
        b += "<button>run</button></form>"
        return b
    }

    /// The parameters of a query page: `trace` picks the run (default: the latest), every other
    /// name must be one of the query's parameters, values as `tracedb query --param` reads them.
    static func queryParams(_ q: SavedQuery, _ values: Values) throws -> [String: SQLValue] {
        var out: [String: SQLValue] = [:]
        let known = Set(q.params.map(\.name))
        for (k, v) in values where k != "trace" && k != "format" {
            guard known.contains(k), k != "trace_id" else {
                throw ServeError.bad("\(q.name) has no parameter '\(k.prefix(40))' (it takes: \(q.params.map(\.name).filter { $0 != "trace_id" }.joined(separator: ", ")))")
            }
            if v.isEmpty { continue }
            out[k] = QueryParams.value(v)
        }
        return out
    }

    /// Runs a saved query as `tracedb query` does (QueryRunner with the trace bound to `:trace_id`).
    static func runQuery(_ db: Database, _ q: SavedQuery, traceID: Int64, _ values: Values) throws -> QueryResult {
        let params = try queryParams(q, values)
        do {
            return try QueryRunner.run(q, db: db, traceID: traceID, params: params)
        } catch let e as InputError {
            throw ServeError.bad(e.message)
        } catch let e as LocatedSQLError {
            throw ServeError.bad(e.description)
        }
    }

    static func query(_ db: Database, _ q: SavedQuery, traceID: Int64, _ values: Values) throws -> String {
        let result = try runQuery(db, q, traceID: traceID, values)
        let traces = try TraceSummaryRow.all(db: db)
        var b = "<p>\(HTML.esc(q.description))</p>"
        b += form(q, traces: traces, traceID: traceID, values: Dictionary(values, uniquingKeysWith: { $1 }))
        var json = "/queries/\(HTML.q(q.name))?trace=\(traceID)&amp;format=json"
        for (k, v) in values where k != "trace" && k != "format" { json += "&amp;\(HTML.q(k))=\(HTML.q(v))" }
        b += "<p>Run <a href=\"/runs/\(traceID)\">\(traceID)</a> · \(result.rows.count) rows · <a href=\"\(json)\">JSON</a></p>"
        b += HTML.table(result, query: q, traceID: traceID)
        return HTML.page("\(q.name) — \(q.title)", b)
    }

    // MARK: ad hoc SQL

    /// Rows of one `/sql` statement read (more are left unread, and the page says so).
    static let sqlMaxRows = 10_000
    /// Seconds one `/sql` request may run before SQLite is interrupted.
    static let sqlTimeLimit = 10.0

    /// `/sql`: read-only ad hoc SQL with the same check as `tracedb sql` (QueryRunner refuses a
    /// statement that writes; the connection is `query_only` besides), at most ``sqlMaxRows`` rows a
    /// statement and ``sqlTimeLimit`` seconds.
    static func runSQL(_ db: Database, _ text: String, traceID: Int64?) throws -> [SQLStatementResult] {
        var params: [String: SQLValue] = [:]
        if let traceID { params["trace_id"] = .int(traceID) }
        var unused: [String] = []
        let timer = DispatchWorkItem { db.interrupt() }
        DispatchQueue.global().asyncAfter(deadline: .now() + sqlTimeLimit, execute: timer)
        defer { timer.cancel() }
        do {
            return try QueryRunner.run(text, db: db, allowWrite: false, params: params, file: nil, maxRows: sqlMaxRows, unused: &unused)
                .filter { $0.result != nil }
        } catch let e as LocatedSQLError where e.message.contains("interrupted") {
            throw ServeError.bad("the SQL ran longer than \(Int(sqlTimeLimit)) s and was stopped")
        } catch let e as WriteRefusedError {
            throw ServeError.bad("refusing to run a statement that writes to the database: \(e.shortStatement)")
        } catch let e as LocatedSQLError {
            throw ServeError.bad(e.description)
        } catch let e as SQLiteError {
            throw ServeError.bad(e.message)
        }
    }

    static func sql(_ db: Database, _ text: String?, traceID: Int64?) -> String {
        var b = "<form method=\"get\" action=\"/sql\"><textarea name=\"q\" rows=\"8\">\(HTML.esc(text ?? "SELECT trace_id, file_name, duration_ns FROM traces"))</textarea>"
        b += "<label>:trace_id <input type=\"number\" name=\"trace\" value=\"\(traceID.map(String.init) ?? "")\"/></label> <button>run (read-only)</button></form>"
        if let text, !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            do {
                for r in try runSQL(db, text, traceID: traceID) {
                    b += HTML.table(r.result!, traceID: traceID, maxRows: sqlMaxRows)
                    if r.truncated { b += "<p class=\"muted\">stopped after \(sqlMaxRows) rows</p>" }
                }
            } catch {
                b += HTML.error("\(error)")
            }
        }
        return HTML.page("SQL", b)
    }

    // MARK: a goroutine

    /// A page of a goroutine's intervals holds at most this many, and reads at most `pageEvents` events.
    static let pageIntervals = 2000
    static let pageEvents: Int64 = 250_000

    /// `from_seq`: the page's first event (the next-page link's cursor); `from_ns`: the same by time.
    static func goroutine(_ db: Database, _ info: TraceInfo, goid: Int64, fromSeq: Int64? = nil, fromNs: Int64? = nil,
                          pageIntervals limit: Int = pageIntervals, pageEvents: Int64 = pageEvents) throws -> String {
        if let fromSeq, fromSeq < 0 || fromSeq > info.eventCount {
            throw ServeError.bad("from_seq must be between 0 and \(info.eventCount), got \(fromSeq)")
        }
        if let fromNs, fromNs < 0 || fromNs > info.durationNs {
            throw ServeError.bad("from_ns must be between 0 and \(info.durationNs), got \(fromNs)")
        }
        let g = try db.prepare("SELECT name, is_system, creator_goid, creation_ns, start_ns, end_ns, exec_ns, sched_wait_ns, syscall_ns, syscall_block_ns, block_ns, total_ns FROM goroutines WHERE trace_id = ? AND goid = ?")
        try g.bind(1, info.id); try g.bind(2, goid)
        guard try g.step() else { throw ServeError.notFound("run \(info.id) has no goroutine \(goid)") }
        let t = info.id
        var b = "<p>Run <a href=\"/runs/\(t)\">\(t)</a> · <a href=\"/runs/\(t)/timeline?goids=\(goid)\">on the timeline</a></p>"
        b += "<table id=\"summary\"><tbody>"
        b += "<tr><th>function</th><td>\(HTML.esc(g.text(0)))\(g.int64(1) != 0 ? " (system)" : "")</td></tr>"
        if !g.isNull(2) { b += "<tr><th>created by</th><td><a href=\"/runs/\(t)/goroutines/\(g.int64(2))\">G\(g.int64(2))</a></td></tr>" }
        for (i, name) in [(3, "created"), (4, "first ran"), (5, "ended")] {
            b += "<tr><th>\(name)</th><td>\(g.isNull(Int32(i)) ? "—" : HumanFormat.duration(g.int64(Int32(i))))</td></tr>"
        }
        for (i, name) in [(6, "running"), (7, "runnable (sched wait)"), (8, "syscall"), (9, "syscall, P taken"), (10, "blocked"), (11, "total")] {
            b += "<tr><th>\(name)</th><td class=\"num\" data-ns=\"\(g.int64(Int32(i)))\">\(HumanFormat.duration(g.int64(Int32(i))))</td></tr>"
        }
        b += "</tbody></table>"
        let blk = try db.prepare("SELECT reason, ns FROM goroutine_block WHERE trace_id = ? AND goid = ? ORDER BY ns DESC")
        try blk.bind(1, t); try blk.bind(2, goid)
        var blocks: [String] = []
        while try blk.step() { blocks.append("\(HTML.esc(blk.text(0).isEmpty ? "(first seen waiting)" : blk.text(0))): \(HumanFormat.duration(blk.int64(1)))") }
        if !blocks.isEmpty { b += "<p>Blocked on: " + blocks.joined(separator: "; ") + "</p>" }

        // The goroutine's intervals close on events inside its lifetime: bound the scan of `events` by the
        // seq range of [creation, end] (binary search on the primary key, as the timeline does), and read
        // the interval open at the trace end apart. A page reads the intervals closing in at most
        // `pageEvents` events from its cursor, at most `limit` of them, in order (back to back, so by
        // start too), and links to the next page: a goroutine alive all through a 6.5M-event trace took 1.5 s.
        let life0 = try ChromeTraceExporter.firstSeq(atOrAfter: g.isNull(3) ? 0 : g.int64(3), db: db, traceID: t, count: info.eventCount)
        let hi = g.isNull(5) ? info.eventCount : try ChromeTraceExporter.firstSeq(atOrAfter: g.int64(5) + 1, db: db, traceID: t, count: info.eventCount)
        var lo = life0
        if let fromSeq { lo = max(lo, fromSeq) }
        if let fromNs { lo = max(lo, try ChromeTraceExporter.firstSeq(atOrAfter: fromNs, db: db, traceID: t, count: info.eventCount)) }
        // `hi` itself is read too: a goroutine's end_ns may be its last event.
        let scanEnd = min(hi + 1, lo + max(pageEvents, 1))
        let s = try db.prepare("""
            SELECT s.start_ns, s.end_ns, s.duration_ns, st.name, r.value, s.proc_id, s.thread_id, s.cause_goid, s.unblock_goid, s.stack_id, s.open_at_end, s.end_seq
            FROM goroutine_states s JOIN go_states st ON st.state = s.state
            LEFT JOIN strings r ON r.trace_id = s.trace_id AND r.string_id = s.reason_id
            WHERE s.trace_id = ?1 AND s.goid = ?2 AND s.end_seq >= ?3 AND s.end_seq < ?4
            ORDER BY s.end_seq LIMIT ?5
            """)
        try s.bind([.int(t), .int(goid), .int(lo), .int(scanEnd), .int(Int64(limit + 1))])
        var next: Int64? = scanEnd < hi + 1 ? scanEnd : nil
        var atEnd = next == nil
        var rows: [String] = []
        var stackIDs: [Int64] = []
        func add(_ s: Statement) {
            let stack = s.isNull(9) ? nil : s.int64(9)
            if let stack, !stackIDs.contains(stack), stackIDs.count < 300 { stackIDs.append(stack) }
            var r = "<tr><td class=\"num\" data-v=\"\(s.int64(0))\">\(HumanFormat.duration(s.int64(0)))</td>"
            r += "<td class=\"num\" data-v=\"\(s.int64(2))\">\(HumanFormat.duration(s.int64(2)))\(s.int64(10) != 0 ? " (open at end)" : "")</td>"
            r += "<td>\(HTML.esc(s.text(3)))</td><td>\(HTML.esc(s.isNull(4) ? "" : s.text(4)))</td>"
            r += "<td>\(s.isNull(5) ? "" : "P\(s.int64(5))")\(s.isNull(6) ? "" : " M\(s.int64(6))")</td>"
            func gl(_ i: Int32) -> String { s.isNull(i) ? "" : "<a href=\"/runs/\(t)/goroutines/\(s.int64(i))\">G\(s.int64(i))</a>" }
            r += "<td>\(gl(7))</td><td class=\"woken-by\">\(gl(8))</td>"
            r += "<td>\(stack.map { "<a href=\"#stack-\($0)\">\($0)</a>" } ?? "")</td></tr>"
            rows.append(r)
        }
        while try s.step() {
            if rows.count == limit { next = s.int64(11); atEnd = false; break }
            add(s)
        }
        // The interval open at the trace end, on the last page.
        if atEnd {
            let o = try db.prepare("""
                SELECT s.start_ns, s.end_ns, s.duration_ns, st.name, r.value, s.proc_id, s.thread_id, s.cause_goid, s.unblock_goid, s.stack_id, s.open_at_end
                FROM goroutine_states s JOIN go_states st ON st.state = s.state
                LEFT JOIN strings r ON r.trace_id = s.trace_id AND r.string_id = s.reason_id
                WHERE s.trace_id = ?1 AND s.goid = ?2 AND s.end_seq IS NULL
                """)
            try o.bind([.int(t), .int(goid)])
            while try o.step() { add(o) }
        }
        let first = lo > life0
        let spanEnd = try next.map { " to " + HumanFormat.duration(try seqTime(db, t, $0, info)) } ?? " to the end"
        let span = "from \(HumanFormat.duration(try seqTime(db, t, lo, info)))" + spanEnd
        b += "<h2>States over time</h2><p class=\"muted\">\(rows.count) intervals\(first || next != nil ? " closing \(span)" : ""); the stack is the one of the event that moved the goroutine into the state; for a wait ended by another goroutine, \"woken by\" names it.</p>"
        var nav: [String] = []
        if first { nav.append("<a href=\"/runs/\(t)/goroutines/\(goid)\">first page</a>") }
        if let next { nav.append("<a id=\"next-page\" href=\"/runs/\(t)/goroutines/\(goid)?from_seq=\(next)\">next page</a>") }
        if !nav.isEmpty { b += "<p class=\"pages\">" + nav.joined(separator: " · ") + "</p>" }
        b += "<table class=\"sortable\" id=\"states\"><thead><tr><th>start</th><th>duration</th><th>state</th><th>reason</th><th>P/M</th><th>caused by</th><th>woken by</th><th>stack</th></tr></thead><tbody>"
        b += rows.joined() + "</tbody></table><h2>Stacks</h2>"
        for id in stackIDs {
            b += "<div id=\"stack-\(id)\"><b>stack \(id)</b><ol class=\"frames\">" + (try stackFrames(db, traceID: t, stackID: id)).map { "<li>\(HTML.esc($0))</li>" }.joined() + "</ol></div>"
        }
        return HTML.page("Goroutine \(goid) of run \(t)", b)
    }

    /// The time of event `seq` (the trace end past the last event).
    static func seqTime(_ db: Database, _ t: Int64, _ seq: Int64, _ info: TraceInfo) throws -> Int64 {
        try db.scalarInt("SELECT ts_ns FROM events WHERE trace_id = ? AND seq = ?", [.int(t), .int(seq)]) ?? info.durationNs
    }

    /// A stack's frames, leaf first, as `function file:line`.
    static func stackFrames(_ db: Database, traceID: Int64, stackID: Int64) throws -> [String] {
        let s = try db.prepare("""
            SELECT fn.name, fl.path, fr.line FROM stack_frames sf
            JOIN frames fr ON fr.trace_id = sf.trace_id AND fr.frame_id = sf.frame_id
            JOIN funcs fn ON fn.trace_id = sf.trace_id AND fn.func_id = fr.func_id
            JOIN files fl ON fl.trace_id = sf.trace_id AND fl.file_id = fr.file_id
            WHERE sf.trace_id = ? AND sf.stack_id = ? ORDER BY sf.depth
            """)
        try s.bind(1, traceID); try s.bind(2, stackID)
        var out: [String] = []
        while try s.step() { out.append("\(s.traceText(0)) \(s.traceText(1)):\(s.int64(2))") }
        return out
    }

    // MARK: compare

    static func compareReport(_ state: ServerState, a: String, b: String) throws -> ComparisonReport {
        let base = try state.source(a), head = try state.source(b)
        defer { base.cleanup(); head.cleanup() }
        do {
            return try ComparisonReport.build(library: state.library, base: base, head: head)
        } catch let e as InputError {
            throw ServeError.bad(e.message)
        }
    }

    static func compare(_ r: ComparisonReport) -> String {
        var b = "<p>base: \(HTML.esc(r.base.description)) · head: \(HTML.esc(r.head.description)) · <a href=\"/compare?a=\(HTML.q(r.base.reference))&amp;b=\(HTML.q(r.head.reference))&amp;format=json\">JSON</a></p>"
        b += "<h2>Scorecard</h2>" + changes(r.scorecard, keyed: false, repeated: r.hasRepeatedRuns, id: "scorecard")
        for q in r.queries {
            let changed = q.changed
            b += "<h2 id=\"q-\(HTML.esc(q.query.name))\">\(HTML.esc(q.query.name)) — \(HTML.esc(q.query.title))</h2>"
            for w in q.warnings { b += "<p class=\"muted\">\(HTML.esc(w))</p>" }
            if changed.isEmpty { b += "<p class=\"muted\">no change in \(q.changes.count) values</p>"; continue }
            b += "<p class=\"muted\">\(changed.count) of \(q.changes.count) values changed</p>"
            b += changes(Array(changed.prefix(50)), keyed: !q.query.isOverall, repeated: r.hasRepeatedRuns, id: "q-\(q.query.name)-changes")
        }
        return HTML.page("Compare", b)
    }

    static func changes(_ cs: [MetricChange], keyed: Bool, repeated: Bool, id: String) -> String {
        var b = "<table class=\"sortable\" id=\"\(HTML.esc(id))\"><thead><tr>\(keyed ? "<th>row</th>" : "")<th>metric</th><th>base</th><th>head</th><th>Δ</th><th>Δ%</th><th></th>"
        if repeated { b += "<th>noise</th>" }
        b += "</tr></thead><tbody>"
        for c in cs {
            b += "<tr data-metric=\"\(HTML.esc(c.path.description))\">"
            if keyed { b += "<td>\(HTML.esc(c.keyText))</td>" }
            b += "<td>\(HTML.esc(c.label ?? c.path.column))</td>"
            b += "<td class=\"num base\" data-v=\"\(c.baseValue.map { "\($0)" } ?? "")\">\(c.baseValue.map { HumanFormat.value($0, c.unit) } ?? "—")</td>"
            b += "<td class=\"num head\" data-v=\"\(c.headValue.map { "\($0)" } ?? "")\">\(c.headValue.map { HumanFormat.value($0, c.unit) } ?? "—")</td>"
            b += "<td class=\"num\" data-v=\"\(c.delta.map { "\($0)" } ?? "")\">\(c.delta.map { HumanFormat.delta($0, c.unit) } ?? "")</td>"
            b += "<td class=\"num\" data-v=\"\(c.relative.map { "\($0)" } ?? "")\">\(HumanFormat.relative(c.relative))</td>"
            let a = c.assessment
            b += "<td class=\"\(a.rawValue)\">\(a == .unchanged || a == .changed ? "" : a.rawValue)</td>"
            if repeated { b += "<td>\(c.noise?.rawValue ?? "")</td>" }
            b += "</tr>"
        }
        return b + "</tbody></table>"
    }

    // MARK: trend

    static func trendForm(metric: String?, by: String?) -> String {
        "<form method=\"get\" action=\"/trend\" style=\"padding:8px 16px\">metric (query.column) <input type=\"text\" name=\"metric\" size=\"40\" value=\"\(HTML.esc(metric ?? "sched-latency.p99_ns"))\"/> by label <input type=\"text\" name=\"by\" value=\"\(HTML.esc(by ?? ""))\" placeholder=\"commit\"/> <button>draw</button></form>"
    }

    static func trend(_ db: Database, library: QueryLibrary, metric: String?, by: String?) throws -> String {
        guard let metric, !metric.isEmpty else {
            return HTML.page("Trend", trendForm(metric: nil, by: by) + "<p>Give a metric as QUERY.COLUMN, e.g. sched-latency.p99_ns or trace-summary.duration_ns.</p>")
        }
        let report: TrendReport
        do {
            let path = try MetricPath.parse(metric)
            report = try TrendReport.build(db: db, library: library, path: path, labelKey: (by?.isEmpty ?? true) ? nil : by)
        } catch let e as InputError {
            throw ServeError.bad(e.message)
        } catch let e as ServeError {
            throw e
        } catch {
            throw ServeError.bad("\(error)")
        }
        return HTML.withNav(TrendHTML.render(report), extra: trendForm(metric: metric, by: by))
    }

    // MARK: timeline

    static func timeline(_ info: TraceInfo, goids: [Int64]) -> String {
        var b = "<p>Run <a href=\"/runs/\(info.id)\">\(info.id)</a> (\(HTML.esc(info.fileName)), \(HumanFormat.duration(info.durationNs))). "
        b += "Keys: <b>W</b>/<b>S</b> zoom in/out, <b>A</b>/<b>D</b> pan; mouse wheel zooms, drag pans, click shows an interval and its stack. "
        b += "<a id=\"export-chrome\" href=\"/runs/\(info.id)/export/chrome.json\">download this window as Chrome/Perfetto JSON</a></p>"
        b += "<form method=\"get\">goroutines <input type=\"text\" name=\"goids\" placeholder=\"the busiest in the window\" value=\"\(goids.map(String.init).joined(separator: ","))\"/> <button>show</button></form>"
        b += "<p id=\"status\" class=\"muted\">loading…</p>"
        b += "<canvas id=\"tl\" width=\"1200\" height=\"400\" data-run=\"\(info.id)\" data-duration=\"\(info.durationNs)\" data-goids=\"\(goids.map(String.init).joined(separator: ","))\"></canvas>"
        b += "<div id=\"detail\">click an interval</div>"
        return HTML.page("Timeline of run \(info.id)", b, scripts: ["timeline.js"])
    }
}
