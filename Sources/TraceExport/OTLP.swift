import Foundation
import TraceWarehouse

/// Tasks and regions as OpenTelemetry spans in OTLP/JSON (the body of an OTLP/HTTP
/// `POST /v1/traces` request, or a file for the collector's otlpjsonfile receiver).
///
/// - One span per task and one per region. Left out: Go's background task 0 (it stands for "no task")
///   and Go's synthetic task-inheritance regions (not user regions).
/// - Parents: a task's parent task; a region's enclosing region on its goroutine, else its task.
///   Spans whose parent is not in the trace are roots; every root starts its own OpenTelemetry trace,
///   and its descendants share that trace id.
/// - Times are wall-clock Unix nanoseconds from the trace's clock snapshot (`traces.wall_start_unix_ns`,
///   Go 1.25+). Older traces have none: then times are nanoseconds since the trace start (i.e. in
///   January 1970) and the resource says so (`tracedb.time_base = trace-relative`).
/// - Ids are derived from the trace's SHA-256, so exporting the same trace twice gives the same ids.
/// - Task logs become span events.
public enum OTLPExporter {
    public struct Options: Sendable {
        public var serviceName: String
        public init(serviceName: String = "go-trace") { self.serviceName = serviceName }
    }

    public struct Stats: Sendable {
        public var tasks = 0
        public var regions = 0
        public var traces = 0
        public var wallClock = false
    }

    struct Span {
        var key: String
        var parentKey: String?
        var name: String
        var start: Int64
        var end: Int64
        var attributes: [(String, String)]   // key → JSON AnyValue
        var events: [(t: Int64, name: String, attributes: [(String, String)])] = []
        var incomplete: Bool
    }

    static func strAttr(_ s: String) -> String { "{\"stringValue\":\(JSONValue.quote(s))}" }
    static func intAttr(_ v: Int64) -> String { "{\"intValue\":\"\(v)\"}" }
    static func boolAttr(_ b: Bool) -> String { "{\"boolValue\":\(b)}" }

    @discardableResult
    public static func export(db: Database, traceID: Int64, options: Options = .init(), to out: TextOutput) throws -> Stats {
        let info = try TraceInfo(db: db, traceID: traceID)
        var stats = Stats()
        let base = info.wallStartUnixNs ?? 0
        stats.wallClock = info.wallStartUnixNs != nil
        var spans: [Span] = []
        var byKey: [String: Int] = [:]

        let ts = try db.prepare("""
            SELECT task_id, parent_id, name, interval_start_ns, interval_end_ns, complete, start_goid, end_goid,
                   goroutine_count, region_count, log_count, start_ns IS NULL, end_ns IS NULL
            FROM tasks WHERE trace_id = ? AND task_id <> 0 ORDER BY task_id
            """)
        try ts.bind(1, traceID)
        var taskIDs = Set<Int64>()
        while try ts.step() { taskIDs.insert(ts.int64(0)) }
        ts.reset()
        while try ts.step() {
            let id = ts.int64(0)
            var attrs: [(String, String)] = [("go.task.id", intAttr(id)), ("go.task.complete", boolAttr(ts.int64(5) != 0)),
                                             ("go.task.goroutines", intAttr(ts.int64(8))), ("go.task.regions", intAttr(ts.int64(9))),
                                             ("go.task.logs", intAttr(ts.int64(10)))]
            if !ts.isNull(6) { attrs.append(("go.task.start_goroutine", intAttr(ts.int64(6)))) }
            if !ts.isNull(7) { attrs.append(("go.task.end_goroutine", intAttr(ts.int64(7)))) }
            if ts.int64(11) != 0 { attrs.append(("go.task.began_before_trace", boolAttr(true))) }
            if ts.int64(12) != 0 { attrs.append(("go.task.open_at_trace_end", boolAttr(true))) }
            var parent: String? = nil
            if !ts.isNull(1), ts.int64(1) != 0, taskIDs.contains(ts.int64(1)) { parent = "task/\(ts.int64(1))" }
            if !ts.isNull(1), ts.int64(1) != 0 { attrs.append(("go.task.parent_id", intAttr(ts.int64(1)))) }
            byKey["task/\(id)"] = spans.count
            spans.append(Span(key: "task/\(id)", parentKey: parent, name: ts.text(2), start: ts.int64(3), end: ts.int64(4),
                              attributes: attrs, incomplete: ts.int64(5) == 0))
            stats.tasks += 1
        }

        let rs = try db.prepare("""
            SELECT goid, idx, task_id, name, interval_start_ns, interval_end_ns, complete, parent_idx, depth,
                   exec_ns, sched_wait_ns, syscall_ns, syscall_block_ns, block_ns, frame_func, frame_file, frame_line
            FROM regions WHERE trace_id = ? AND synthetic = 0 ORDER BY goid, idx
            """)
        try rs.bind(1, traceID)
        var regionKeys = Set<String>()
        var regionRows: [(key: String, parentIdxKey: String?, task: Int64, span: Span)] = []
        while try rs.step() {
            let g = rs.int64(0), idx = rs.int64(1), task = rs.int64(2)
            var attrs: [(String, String)] = [
                ("go.goroutine.id", intAttr(g)), ("go.region.index", intAttr(idx)), ("go.task.id", intAttr(task)),
                ("go.region.complete", boolAttr(rs.int64(6) != 0)), ("go.region.depth", intAttr(rs.isNull(8) ? 0 : rs.int64(8))),
                ("go.region.exec_ns", intAttr(rs.int64(9))), ("go.region.sched_wait_ns", intAttr(rs.int64(10))),
                ("go.region.syscall_ns", intAttr(rs.int64(11) + rs.int64(12))), ("go.region.block_ns", intAttr(rs.int64(13))),
            ]
            if !rs.isNull(14) { attrs.append(("code.function", strAttr(rs.text(14)))) }
            if !rs.isNull(15) { attrs.append(("code.filepath", strAttr(rs.text(15)))) }
            if !rs.isNull(16) { attrs.append(("code.lineno", intAttr(rs.int64(16)))) }
            let key = "region/\(g)/\(idx)"
            regionKeys.insert(key)
            let pk = rs.isNull(7) ? nil : "region/\(g)/\(rs.int64(7))"
            regionRows.append((key, pk, task, Span(key: key, parentKey: nil, name: rs.text(3), start: rs.int64(4), end: rs.int64(5),
                                                  attributes: attrs, incomplete: rs.int64(6) == 0)))
        }
        for var r in regionRows {
            if let pk = r.parentIdxKey, regionKeys.contains(pk) { r.span.parentKey = pk }
            else if r.task != 0, taskIDs.contains(r.task) { r.span.parentKey = "task/\(r.task)" }
            byKey[r.key] = spans.count
            spans.append(r.span)
            stats.regions += 1
        }

        // Logs as span events of their task.
        let ls = try db.prepare("SELECT ts_ns, goid, task_id, category, message FROM logs WHERE trace_id = ? AND task_id <> 0 ORDER BY seq")
        try ls.bind(1, traceID)
        while try ls.step() {
            guard let i = byKey["task/\(ls.int64(2))"] else { continue }
            var attrs: [(String, String)] = [("go.log.category", strAttr(ls.text(3))), ("go.log.message", strAttr(ls.text(4)))]
            if !ls.isNull(1) { attrs.append(("go.goroutine.id", intAttr(ls.int64(1)))) }
            spans[i].events.append((ls.int64(0), ls.text(3).isEmpty ? "log" : ls.text(3), attrs))
        }

        // Roots and trace ids.
        func root(_ i: Int) -> Int {
            var i = i, seen = 0
            while let pk = spans[i].parentKey, let p = byKey[pk], seen < 10_000 { i = p; seen += 1 }
            return i
        }
        var traceIDs: [Int: String] = [:]
        func hex(_ bytes: ArraySlice<UInt8>) -> String { bytes.map { String(format: "%02x", $0) }.joined() }
        func digest(_ s: String) -> [UInt8] {
            var h = SHA256()
            Array(s.utf8).withUnsafeBytes { h.update($0) }
            var d = h.finalize()
            if d.allSatisfy({ $0 == 0 }) { d[0] = 1 }
            return d
        }

        let js = JSONValue.quote
        out.write("{\"resourceSpans\":[{\"resource\":{\"attributes\":[")
        var resAttrs: [(String, String)] = [
            ("service.name", strAttr(options.serviceName)), ("go.trace.file", strAttr(info.fileName)),
            ("go.trace.sha256", strAttr(info.sha256)), ("go.version", strAttr(info.goVersion)),
            ("tracedb.trace_id", intAttr(info.id)),
            ("tracedb.time_base", strAttr(stats.wallClock ? "wall-clock" : "trace-relative")),
        ]
        for l in info.labels { resAttrs.append(("go.trace.label.\(l.key)", strAttr(l.value))) }
        out.write(resAttrs.map { "{\"key\":\(js($0.0)),\"value\":\($0.1)}" }.joined(separator: ","))
        out.write("]},\"scopeSpans\":[{\"scope\":{\"name\":\"tracedb\",\"version\":\"1\"},\"spans\":[")
        for (i, s) in spans.enumerated() {
            let r = root(i)
            let tidHex: String
            if let t = traceIDs[r] { tidHex = t } else {
                tidHex = hex(digest("\(info.sha256)/trace/\(spans[r].key)")[0..<16])
                traceIDs[r] = tidHex
            }
            let spanID = hex(digest("\(info.sha256)/span/\(s.key)")[0..<8])
            let parentID = s.parentKey.flatMap { byKey[$0] != nil ? hex(digest("\(info.sha256)/span/\($0)")[0..<8]) : nil } ?? ""
            if i > 0 { out.write(",") }
            out.write("\n{\"traceId\":\"\(tidHex)\",\"spanId\":\"\(spanID)\",\"parentSpanId\":\"\(parentID)\",")
            out.write("\"name\":\(js(s.name.isEmpty ? "(unnamed)" : s.name)),\"kind\":1,")
            out.write("\"startTimeUnixNano\":\"\(base + s.start)\",\"endTimeUnixNano\":\"\(base + s.end)\",")
            var attrs = s.attributes
            attrs.append(("tracedb.kind", strAttr(s.key.hasPrefix("task/") ? "task" : "region")))
            attrs.append(("go.trace.start_ns", intAttr(s.start)))
            out.write("\"attributes\":[" + attrs.map { "{\"key\":\(js($0.0)),\"value\":\($0.1)}" }.joined(separator: ",") + "]")
            if !s.events.isEmpty {
                out.write(",\"events\":[")
                out.write(s.events.map { e in
                    "{\"timeUnixNano\":\"\(base + e.t)\",\"name\":\(js(e.name)),\"attributes\":["
                        + e.attributes.map { "{\"key\":\(js($0.0)),\"value\":\($0.1)}" }.joined(separator: ",") + "]}"
                }.joined(separator: ","))
                out.write("]")
            }
            out.write(",\"status\":{}}")
        }
        out.write("\n]}]}]}\n")
        stats.traces = traceIDs.count
        return stats
    }
}
