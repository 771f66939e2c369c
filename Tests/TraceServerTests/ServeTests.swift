import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
import TestSupport
import TraceExport
@testable import TraceServer
import TraceWarehouse

/// Four fixtures ingested once into a temporary database (two labelled for compare and trend), and a
/// server over it, read-only.
final class ServeFixture: @unchecked Sendable {
    static let shared: ServeFixture = try! ServeFixture()

    let dir: URL
    let path: String
    let db: Database
    let library: QueryLibrary
    let server: TraceServer
    /// trace ids: sequential (commit=before), pool (commit=after), tasks, gcheavy.
    let ids: [Int64]

    init() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("tracedb-serve-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        path = dir.appendingPathComponent("serve.db").path
        let w = try Warehouse(path: path)
        let traces = RepoPaths.fixtures.appendingPathComponent("traces/go1.27")
        var ids: [Int64] = []
        for (file, labels) in [("sequential", [("commit", "before")]), ("pool", [("commit", "after")]), ("tasks", []), ("gcheavy", [])] {
            let r = try TraceLoader(warehouse: w).ingest(path: traces.appendingPathComponent("\(file).trace").path,
                                                         options: IngestOptions(labels: labels.map { (key: $0.0, value: $0.1) }))
            ids.append(r.traceID)
        }
        self.ids = ids
        try w.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        library = try QueryLibrary.builtIn()
        db = try TraceResolver.openReadOnly(path)
        server = TraceServer(state: try ServerState(databasePath: path, library: library))
    }

    struct Answer {
        var status: Int
        var type: String
        var body: String
        var bytes: [UInt8]
        var disposition: String?
    }

    /// GETs `uri` through the router (HummingbirdTesting, no socket).
    func get(_ uri: String) async throws -> Answer {
        let app = Application(router: server.router())
        return try await app.test(.router) { client in
            try await client.execute(uri: uri, method: .get) { r in
                var buf = r.body
                let bytes = buf.readBytes(length: buf.readableBytes) ?? []
                return Answer(status: Int(r.status.code), type: r.headers[.contentType] ?? "", body: String(decoding: bytes, as: UTF8.self),
                              bytes: bytes, disposition: r.headers[.contentDisposition])
            }
        }
    }

    func jsonObject(_ s: String) throws -> Any { try JSONSerialization.jsonObject(with: Data(s.utf8)) }
}

@Suite("ServeTests", .serialized)
struct ServeTests {
    let f = ServeFixture.shared

    // MARK: pages

    @Test func runsPageShowsEveryRunWithItsStoredDuration() async throws {
        let a = try await f.get("/")
        #expect(a.status == 200)
        #expect(a.type.hasPrefix("text/html"))
        for id in f.ids {
            let d = try #require(try f.db.scalarInt("SELECT duration_ns FROM traces WHERE trace_id = ?", [.int(id)]))
            #expect(a.body.contains("<tr data-trace=\"\(id)\">"))
            #expect(a.body.contains("data-ns=\"\(d)\""), "run \(id): duration \(d)")
        }
        let filtered = try await f.get("/?label=commit%3Dbefore")
        #expect(filtered.body.contains("data-trace=\"\(f.ids[0])\""))
        #expect(!filtered.body.contains("data-trace=\"\(f.ids[1])\""))
    }

    @Test func runPageIsTheReportWithLinks() async throws {
        let id = f.ids[2]
        let a = try await f.get("/runs/\(id)")
        #expect(a.status == 200 && a.type.hasPrefix("text/html"))
        #expect(a.body.contains("<section id=\"findings\">"))
        #expect(a.body.contains("/runs/\(id)/timeline"))
        #expect(a.body.contains(HTMLReport.render(try ReportData(db: f.db, traceID: id)).split(separator: "<main>")[1].prefix(2000)))
    }

    @Test func queriesPageListsEverySavedQuery() async throws {
        let a = try await f.get("/queries?trace=\(f.ids[0])")
        #expect(a.status == 200)
        for q in f.library.queries { #expect(a.body.contains("id=\"q-\(q.name)\""), "\(q.name)") }
    }

    @Test(arguments: ["sched-latency", "goroutine-analysis", "blocking-by-reason", "trace-summary", "tasks"])
    func queryJSONEqualsQueryRunner(_ name: String) async throws {
        for id in f.ids {
            let q = try #require(f.library.query(named: name))
            let expected = ResultRenderer.json(try QueryRunner.run(q, db: f.db, traceID: id)).render() + "\n"
            let a = try await f.get("/queries/\(name)?trace=\(id)&format=json")
            #expect(a.status == 200 && a.type == "application/json")
            #expect(a.body == expected, "\(name) on \(id)")
        }
    }

    @Test func queryParametersAreBound() async throws {
        let q = try #require(f.library.query(named: "goroutine-analysis"))
        let id = f.ids[1]
        guard q.params.contains(where: { $0.name == "top" }) else { return }
        let expected = ResultRenderer.json(try QueryRunner.run(q, db: f.db, traceID: id, params: ["top": .int(2)])).render() + "\n"
        let a = try await f.get("/queries/goroutine-analysis?trace=\(id)&top=2&format=json")
        #expect(a.body == expected)
    }

    @Test func queryPageLinksGoroutinesAndSplitsStacks() async throws {
        let id = f.ids[1]
        let a = try await f.get("/queries/regions-slowest?trace=\(f.ids[2])")
        #expect(a.status == 200)
        #expect(a.body.contains("href=\"/runs/\(f.ids[2])/goroutines/"))
        #expect(a.body.contains("class=\"sortable\""))
        let s = try await f.get("/queries/sched-latency-by-stack?trace=\(id)")
        #expect(s.status == 200)
        #expect(s.body.contains("<ol class=\"frames\">"))
    }

    @Test func sqlIsReadOnlyAndEqualsQueryRunner() async throws {
        let sql = "SELECT trace_id, duration_ns FROM traces ORDER BY trace_id"
        var unused: [String] = []
        let r = try QueryRunner.run(sql, db: f.db, allowWrite: false, unused: &unused)
        let expected = ResultRenderer.json(try #require(r[0].result)).render() + "\n"
        let a = try await f.get("/sql?format=json&q=" + HTMLq(sql))
        #expect(a.status == 200)
        #expect(a.body == expected)
        let page = try await f.get("/sql?q=" + HTMLq(sql))
        #expect(page.status == 200 && page.body.contains("<table"))
    }

    @Test func goroutinePageShowsStatesAndWakers() async throws {
        let id = f.ids[1]
        let goid = try #require(try f.db.scalarInt("SELECT goid FROM goroutines WHERE trace_id = ? AND is_system = 0 ORDER BY block_ns DESC LIMIT 1", [.int(id)]))
        let a = try await f.get("/runs/\(id)/goroutines/\(goid)")
        #expect(a.status == 200 && a.type.hasPrefix("text/html"))
        let exec = try #require(try f.db.scalarInt("SELECT exec_ns FROM goroutines WHERE trace_id = ? AND goid = ?", [.int(id), .int(goid)]))
        #expect(a.body.contains("data-ns=\"\(exec)\""))
        #expect(a.body.contains("id=\"states\""))
        let n = try #require(try f.db.scalarInt("SELECT count(*) FROM goroutine_states WHERE trace_id = ? AND goid = ?", [.int(id), .int(goid)]))
        #expect(a.body.contains("\(min(n, 2000)) intervals"))
        let wakers = try f.db.scalarInt("SELECT count(*) FROM goroutine_states WHERE trace_id = ? AND goid = ? AND unblock_goid IS NOT NULL", [.int(id), .int(goid)]) ?? 0
        if wakers > 0 { #expect(a.body.contains("<td class=\"woken-by\"><a href=\"/runs/\(id)/goroutines/")) }
    }

    /// Paged (a few intervals, a few events a page), the pages together hold every interval of
    /// goroutine_states once, in order, the open one last; bad cursors are 400s.
    @Test func goroutinePagesTogetherHoldEveryInterval() async throws {
        let id = f.ids[1]
        let info = try TraceInfo(db: f.db, traceID: id)
        let goid = try #require(try f.db.scalarInt("SELECT goid FROM goroutine_states WHERE trace_id = ? GROUP BY goid ORDER BY count(*) DESC, goid LIMIT 1", [.int(id)]))
        var want: [Int64] = []
        let s = try f.db.prepare("SELECT start_ns FROM goroutine_states WHERE trace_id = ? AND goid = ? ORDER BY start_seq")
        try s.bind([.int(id), .int(goid)])
        while try s.step() { want.append(s.int64(0)) }
        for (perPage, events) in [(3, Int64(1_000_000)), (1_000, Int64(50)), (2, Int64(7))] {
            var got: [Int64] = [], cursor: Int64? = nil, pages = 0
            repeat {
                let html = try Pages.goroutine(f.db, info, goid: goid, fromSeq: cursor, pageIntervals: perPage, pageEvents: events)
                got += Self.startTimes(html)
                cursor = Self.nextCursor(html)
                pages += 1
            } while cursor != nil && pages < 100_000
            #expect(got == want, "\(perPage) a page, \(events) events a page")
        }
        let first = try await f.get("/runs/\(id)/goroutines/\(goid)")
        #expect(first.status == 200 && Self.nextCursor(first.body) == nil)
        let mid = try await f.get("/runs/\(id)/goroutines/\(goid)?from_ns=\(info.durationNs / 2)")
        #expect(mid.status == 200 && mid.body.contains("first page"))
        for bad in ["from_seq=-1", "from_seq=99999999999", "from_seq=x", "from_ns=-5", "from_ns=\(Int64.max)"] {
            #expect(try await f.get("/runs/\(id)/goroutines/\(goid)?\(bad)").status == 400, "\(bad)")
        }
    }

    static func startTimes(_ html: String) -> [Int64] {
        guard let body = html.range(of: "id=\"states\"") else { return [] }
        var out: [Int64] = []
        for row in html[body.upperBound...].components(separatedBy: "<tr><td class=\"num\" data-v=\"").dropFirst() {
            if let v = Int64(row.prefix { $0.isNumber }) { out.append(v) }
        }
        return out
    }

    static func nextCursor(_ html: String) -> Int64? {
        guard let r = html.range(of: "id=\"next-page\" href=\"") else { return nil }
        let href = html[r.upperBound...].prefix { $0 != "\"" }
        guard let q = href.range(of: "from_seq=") else { return nil }
        return Int64(href[q.upperBound...])
    }

    @Test func compareEqualsTracedbCompare() async throws {
        let (a, b) = (f.ids[0], f.ids[1])
        let base = try TraceResolver.resolve("\(f.path):\(a)", defaultDatabase: f.path, mode: .allRuns)
        let head = try TraceResolver.resolve("\(f.path):\(b)", defaultDatabase: f.path, mode: .allRuns)
        let expected = try ComparisonReport.build(library: f.library, base: base, head: head).render(.json)
        let j = try await f.get("/compare?a=\(a)&b=\(b)&format=json")
        #expect(j.status == 200)
        #expect(j.body == expected)
        let page = try await f.get("/compare?a=\(a)&b=\(b)")
        #expect(page.status == 200 && page.body.contains("id=\"scorecard\""))
        // Sides given as labels resolve as `tracedb compare commit=before commit=after` does.
        let lb = try TraceResolver.resolve("\(f.path):commit=before", defaultDatabase: f.path, mode: .allRuns)
        let lh = try TraceResolver.resolve("\(f.path):commit=after", defaultDatabase: f.path, mode: .allRuns)
        let byLabel = try await f.get("/compare?a=commit%3Dbefore&b=commit%3Dafter&format=json")
        #expect(byLabel.status == 200)
        #expect(byLabel.body == (try ComparisonReport.build(library: f.library, base: lb, head: lh).render(.json)))
    }

    @Test func trendIsAnSVGChartOfTheMetric() async throws {
        let a = try await f.get("/trend?metric=sched-latency.p99_ns&by=commit")
        #expect(a.status == 200)
        #expect(a.body.contains("<svg"))
        let report = try TrendReport.build(db: f.db, library: f.library, path: try MetricPath.parse("sched-latency.p99_ns"), labelKey: "commit")
        #expect(a.body.contains(TrendHTML.render(report).split(separator: "<svg")[1].prefix(500)))
        let form = try await f.get("/trend")
        #expect(form.status == 200)
    }

    // MARK: timeline

    @Test func timelineWindowDetail() async throws {
        let id = f.ids[1]
        let dur = try #require(try f.db.scalarInt("SELECT duration_ns FROM traces WHERE trace_id = ?", [.int(id)]))
        let page = try await f.get("/runs/\(id)/timeline")
        #expect(page.status == 200 && page.body.contains("/assets/timeline.js"))
        let a = try await f.get("/api/runs/\(id)/timeline?start_ns=0&end_ns=\(dur)")
        #expect(a.status == 200 && a.type == "application/json")
        let o = try #require(try f.jsonObject(a.body) as? [String: Any])
        #expect(o["mode"] as? String == "detail")
        let procs = try #require(o["procs"] as? [[String: Any]])
        let nProcs = try f.db.scalarInt("SELECT count(*) FROM procs WHERE trace_id = ?", [.int(id)]) ?? 0
        #expect(procs.count == Int(nProcs))
        // Over the whole trace, the P intervals are exactly proc_states' rows.
        let rows = procs.reduce(0) { $0 + (($1["intervals"] as? [Any])?.count ?? 0) }
        #expect(Int64(rows) == (try f.db.scalarInt("SELECT count(*) FROM proc_states WHERE trace_id = ?", [.int(id)]) ?? -1))
        // The M lanes: one per thread, and over the whole trace exactly thread_intervals' rows.
        let threads = try #require(o["threads"] as? [[String: Any]])
        #expect(Int64(threads.count) == (try f.db.scalarInt("SELECT count(*) FROM threads WHERE trace_id = ?", [.int(id)]) ?? -1))
        let mRows = threads.reduce(0) { $0 + (($1["intervals"] as? [Any])?.count ?? 0) }
        #expect(Int64(mRows) == (try f.db.scalarInt("SELECT count(*) FROM thread_intervals WHERE trace_id = ?", [.int(id)]) ?? -1))
        let gs = try #require(o["goroutines"] as? [[String: Any]])
        #expect(!gs.isEmpty)
        // One goroutine's closed intervals equal goroutine_intervals'.
        let g = try #require(gs.first)
        let goid = try #require(g["goid"] as? Int)
        let closed = (g["intervals"] as? [[Any]] ?? []).filter { ($0[6] as? Int) == 0 }.count
        let expected = try f.db.scalarInt("SELECT count(*) FROM goroutine_intervals WHERE trace_id = ? AND goid = ? AND open_at_end = 0", [.int(id), .int(Int64(goid))]) ?? -1
        #expect(Int64(closed) == expected)
        #expect(o["events"] as? Int == Int(try f.db.scalarInt("SELECT event_count FROM traces WHERE trace_id = ?", [.int(id)]) ?? -1))
        // A narrow window has fewer events.
        let n = try await f.get("/api/runs/\(id)/timeline?start_ns=\(dur / 2)&end_ns=\(dur / 2 + dur / 100)&goids=\(goid)")
        let no = try #require(try f.jsonObject(n.body) as? [String: Any])
        #expect((no["events"] as? Int ?? .max) < (o["events"] as? Int ?? 0))
    }

    /// In detail mode every goroutine's lane is exactly goroutine_states over the window: each interval
    /// that overlaps it (start <= end_ns, end >= start_ns), by start and state, for windows anywhere
    /// (a goroutine with no event in the window, however far its interval closes, included).
    @Test(arguments: [1, 3]) func timelineLanesEqualGoroutineStates(_ k: Int) async throws {
        let id = f.ids[k]
        let dur = try #require(try f.db.scalarInt("SELECT duration_ns FROM traces WHERE trace_id = ?", [.int(id)]))
        var goids: [Int64] = []
        let gq = try f.db.prepare("SELECT goid FROM goroutines WHERE trace_id = ? ORDER BY goid")
        try gq.bind(1, id)
        while try gq.step() { goids.append(gq.int64(0)) }
        let want = try f.db.prepare("SELECT start_ns, state FROM goroutine_states WHERE trace_id = ? AND goid = ? AND start_ns <= ? AND end_ns >= ? ORDER BY start_ns, state")
        var windows: [(Int64, Int64)] = [(0, dur), (dur - 1, dur)]
        for i in 0..<12 { let a = dur * Int64(i) / 12; windows.append((a, min(a + max(dur / 400, 1), dur))) }
        for (a, b) in windows {
            for chunk in stride(from: 0, to: goids.count, by: 64) {
                let list = goids[chunk..<min(chunk + 64, goids.count)]
                let r = try await f.get("/api/runs/\(id)/timeline?start_ns=\(a)&end_ns=\(b)&goids=" + list.map(String.init).joined(separator: ","))
                let o = try #require(try f.jsonObject(r.body) as? [String: Any])
                guard o["mode"] as? String == "detail" else { continue }
                for lane in try #require(o["goroutines"] as? [[String: Any]]) {
                    let g = Int64(try #require(lane["goid"] as? Int))
                    let got = (lane["intervals"] as? [[Any]] ?? []).map { [Int64($0[0] as? Int ?? -1), Int64($0[2] as? Int ?? -1)] }
                        .sorted { ($0[0], $0[1]) < ($1[0], $1[1]) }
                    var exp: [[Int64]] = []
                    try want.bind([.int(id), .int(g), .int(b), .int(a)])
                    while try want.step() { exp.append([max(want.int64(0), 0), want.int64(1)]) }
                    want.reset()
                    #expect(got == exp, "run \(id) G\(g) window [\(a), \(b)]")
                }
            }
        }
    }

    @Test func timelineWindowAggregate() async throws {
        let id = f.ids[3]
        let a = try await f.get("/api/runs/\(id)/timeline?aggregate=1")
        #expect(a.status == 200)
        let o = try #require(try f.jsonObject(a.body) as? [String: Any])
        #expect(o["mode"] as? String == "aggregate")
        let b = try #require(o["buckets"] as? [[Any]])
        #expect(!b.isEmpty && b.count <= 1000)
        #expect(o["gc"] is [Any])
    }

    // MARK: exports

    @Test func exportsAreDownloads() async throws {
        let id = f.ids[1]
        let p = try await f.get("/runs/\(id)/export/sched.pb.gz")
        #expect(p.status == 200)
        #expect(p.bytes.prefix(2) == [0x1f, 0x8b])
        #expect(p.disposition?.contains("attachment") == true)
        let c = try await f.get("/runs/\(id)/export/chrome.json?start_ns=0&end_ns=1000000")
        #expect(c.status == 200)
        #expect(try f.jsonObject(c.body) is [String: Any] || (try f.jsonObject(c.body)) is [Any])
        let r = try await f.get("/runs/\(id)/report.html")
        #expect(r.status == 200 && r.body.contains("<!DOCTYPE html>") && r.disposition?.contains("report.html") == true)
        let asset = try await f.get("/assets/app.css")
        #expect(asset.status == 200 && asset.type.hasPrefix("text/css"))
    }

    // MARK: hostile inputs

    @Test(arguments: [
        ("/runs/999999", 404), ("/runs/abc", 400), ("/runs/1x/timeline", 400),
        ("/queries/no-such-query", 404), ("/queries/sched-latency?trace=999999", 404), ("/queries/sched-latency?trace=NaN", 400),
        ("/queries/sched-latency?bogus=1", 400),
        ("/sql?format=json&q=DELETE%20FROM%20traces", 400), ("/sql?format=json&q=DROP%20TABLE%20traces", 400),
        ("/sql?format=json&q=INSERT%20INTO%20trace_labels%20VALUES(1,'a','b')", 400),
        ("/sql?q=CREATE%20TABLE%20x(a)", 400), ("/sql?format=json&q=SELEC%20nonsense", 400),
        ("/sql?format=json&q=PRAGMA%20user_version%3D5", 400),
        ("/assets/..%2F..%2F..%2Fetc%2Fpasswd", 404), ("/assets/../../etc/passwd", 404),
        ("/runs/1/export/..%2F..%2Fetc%2Fpasswd", 404), ("/runs/1/export/nope.pb.gz", 404),
        ("/api/runs/1/timeline?start_ns=5&end_ns=1", 400), ("/api/runs/1/timeline?start_ns=abc", 400),
        ("/api/runs/1/timeline?start_ns=99999999999999999999", 400), ("/api/runs/1/timeline?start_ns=999999999999999", 400),
        ("/api/runs/1/timeline?goids=1,x", 400), ("/api/runs/999/timeline", 404), ("/api/runs/1/stacks/99999999", 404),
        ("/runs/1/goroutines/99999999", 404), ("/runs/1/goroutines/-", 400),
        ("/compare?a=1", 400), ("/compare?a=1&b=424242", 404), ("/compare?a=%2Fetc%2Fpasswd&b=1", 400), ("/compare?a=x.db:1&b=1", 400),
        ("/trend?metric=nonsense", 400), ("/trend?metric=no-such.p99_ns", 400),
    ])
    func hostileInputsGetClearErrors(_ uri: String, _ status: Int) async throws {
        let a = try await f.get(uri)
        #expect(a.status == status, "\(uri): \(a.body)")
        #expect(!a.body.isEmpty)
        if uri.hasPrefix("/api/") || uri.contains("format=json") {
            let o = try #require(try f.jsonObject(a.body) as? [String: Any], "\(uri)")
            #expect(o["error"] is String)
        }
    }

    @Test func hugeWindowsAreAggregatedNotSentWhole() async throws {
        // A window far larger than the trace is clipped to it; the answer is bounded either way.
        let id = f.ids[3]
        let a = try await f.get("/api/runs/\(id)/timeline?start_ns=0&end_ns=9223372036854775807")
        #expect(a.status == 200)
        let o = try #require(try f.jsonObject(a.body) as? [String: Any])
        #expect(o["end_ns"] as? Int == Int(try f.db.scalarInt("SELECT duration_ns FROM traces WHERE trace_id = ?", [.int(id)]) ?? -1))
    }

    @Test func endlessSQLIsCutOffNotHeldInMemory() async throws {
        let q = HTMLq("WITH RECURSIVE r(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM r) SELECT x FROM r")
        let a = try await f.get("/sql?format=json&q=" + q)
        #expect(a.status == 200)
        #expect((try f.jsonObject(a.body) as? [Any])?.count == 10_000)
        let page = try await f.get("/sql?q=" + q)
        #expect(page.body.contains("stopped after 10000 rows"))
    }

    @Test func theDatabaseIsUnchanged() async throws {
        let before = try f.db.scalarInt("SELECT count(*) FROM traces")
        _ = try await f.get("/sql?q=DELETE%20FROM%20traces")
        _ = try await f.get("/sql?q=ATTACH%20'%2Ftmp%2Fx.db'%20AS%20x")
        #expect(try f.db.scalarInt("SELECT count(*) FROM traces") == before)
    }
}

func HTMLq(_ s: String) -> String {
    var allowed = CharacterSet.alphanumerics
    allowed.insert(charactersIn: "-._~")
    return s.addingPercentEncoding(withAllowedCharacters: allowed) ?? ""
}
