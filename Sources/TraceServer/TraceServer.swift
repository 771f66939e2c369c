import Dispatch
import Foundation
import Hummingbird
import TraceExport
import TraceWarehouse

/// `tracedb serve`: the routes of the local web UI over a read-only warehouse.
///
/// ```swift
/// let server = TraceServer(state: try ServerState(databasePath: "tracedb.db", library: .builtIn()))
/// try server.runBlocking(host: "127.0.0.1", port: 0) { url in print(url) }
/// ```
///
/// Every handler answers; a bad request gets a 4xx with a one-line message (JSON under `/api/` and
/// for `format=json`, text otherwise), never a crash.
public struct TraceServer: Sendable {
    public let state: ServerState

    public init(state: ServerState) { self.state = state }

    /// The routes (the tests drive them through HummingbirdTesting without a socket).
    public func router() -> Router<BasicRequestContext> {
        let router = Router()
        let state = self.state
        router.add(middleware: HTTPErrorText())

        router.get("/") { req, _ in
            await respond(req) { try state.read { try html(Pages.runs($0, label: QueryString(req).value("label"))) } }
        }
        router.get("/runs/:id") { req, ctx in
            await respond(req) {
                try state.read { db in
                    let info = try state.info(try runID(ctx), db)
                    return html(try Pages.run(db, info))
                }
            }
        }
        router.get("/runs/:id/report.html") { req, ctx in
            await respond(req) {
                try state.read { db in
                    let info = try state.info(try runID(ctx), db)
                    return download(HTMLReport.render(try ReportData(db: db, traceID: info.id)), type: "text/html; charset=utf-8",
                                    name: "trace-\(info.id)-report.html")
                }
            }
        }
        router.get("/runs/:id/timeline") { req, ctx in
            await respond(req) {
                try state.read { db in
                    let info = try state.info(try runID(ctx), db)
                    return html(Pages.timeline(info, goids: try TimelineWindow.goids(QueryString(req).value("goids")?[...]) ?? []))
                }
            }
        }
        router.get("/runs/:id/goroutines/:goid") { req, ctx in
            await respond(req) {
                try state.read { db in
                    let info = try state.info(try runID(ctx), db)
                    let goid = try Param.requiredInt(ctx.parameters.get("goid")?[...], "goroutine id")
                    let q = QueryString(req)
                    return html(try Pages.goroutine(db, info, goid: goid, fromSeq: Param.int(q.value("from_seq")?[...], "from_seq"),
                                                    fromNs: Param.int(q.value("from_ns")?[...], "from_ns")))
                }
            }
        }
        router.get("/runs/:id/export/:file") { req, ctx in
            await respond(req) { try state.read { db in try export(db, state.info(try runID(ctx), db), file: ctx.parameters.get("file") ?? "", QueryString(req),
                                                                       checkpoints: { try state.checkpoints(try runID(ctx), db) }) } }
        }
        router.get("/api/runs/:id/timeline") { req, ctx in
            await respond(req, json: true) {
                try state.read { db in
                    let info = try state.info(try runID(ctx), db)
                    let q = QueryString(req)
                    let (s, e) = try TimelineWindow.window(start: Param.int(q.value("start_ns")?[...], "start_ns"),
                                                           end: Param.int(q.value("end_ns")?[...], "end_ns"), durationNs: info.durationNs)
                    let r = TimelineWindow.Request(startNs: s, endNs: e, goids: try TimelineWindow.goids(q.value("goids")?[...]),
                                                   aggregate: q.value("aggregate") == "1")
                    return json(try TimelineWindow.build(db: db, info: info, r, checkpoints: { try state.checkpoints(info.id, db) }))
                }
            }
        }
        router.get("/api/runs/:id/stacks/:stack") { req, ctx in
            await respond(req, json: true) {
                try state.read { db in
                    let info = try state.info(try runID(ctx), db)
                    let sid = try Param.requiredInt(ctx.parameters.get("stack")?[...], "stack id")
                    let frames = try Pages.stackFrames(db, traceID: info.id, stackID: sid)
                    guard !frames.isEmpty else { throw ServeError.notFound("run \(info.id) has no stack \(sid)") }
                    return json(.object([("stack_id", .int(sid)), ("frames", .array(frames.map { .string($0) }))]))
                }
            }
        }
        router.get("/queries") { req, _ in
            await respond(req) {
                try state.read { db in
                    let t = try Param.int(QueryString(req).value("trace")?[...], "trace")
                    return html(try Pages.queries(db, library: state.library, traceID: t))
                }
            }
        }
        router.get("/queries/:name") { req, ctx in
            let q = QueryString(req)
            return await respond(req, json: q.value("format") == "json") {
                let name = ctx.parameters.get("name") ?? ""
                guard let query = state.library.query(named: name) else {
                    throw ServeError.notFound("no saved query named '\(name.prefix(60))'")
                }
                return try state.read { db in
                    let traceID = try traceOrLatest(db, state, q.value("trace"))
                    if q.value("format") == "json" {
                        return json(ResultRenderer.json(try Pages.runQuery(db, query, traceID: traceID, q.pairs)))
                    }
                    return html(try Pages.query(db, query, traceID: traceID, q.pairs))
                }
            }
        }
        router.get("/sql") { req, _ in
            let q = QueryString(req)
            return await respond(req, json: q.value("format") == "json") {
                try state.read { db in
                    let t = try Param.int(q.value("trace")?[...], "trace")
                    if q.value("format") == "json" {
                        guard let text = q.value("q") else { throw ServeError.bad("missing q (the SQL)") }
                        let results = try Pages.runSQL(db, text, traceID: t).compactMap(\.result)
                        return json(results.count == 1 ? ResultRenderer.json(results[0]) : .array(results.map(ResultRenderer.json)))
                    }
                    if let text = q.value("q"), !text.isEmpty { _ = try Pages.runSQL(db, text, traceID: t) }   // errors as 4xx
                    return html(Pages.sql(db, q.value("q"), traceID: t))
                }
            }
        }
        router.get("/compare") { req, _ in
            let q = QueryString(req)
            return await respond(req, json: q.value("format") == "json") {
                guard let a = q.value("a"), let b = q.value("b") else { throw ServeError.bad("compare needs two runs: /compare?a=ID&b=ID") }
                let report = try Pages.compareReport(state, a: a, b: b)
                if q.value("format") == "json" { return text(report.render(.json), type: "application/json") }
                return html(Pages.compare(report))
            }
        }
        router.get("/trend") { req, _ in
            let q = QueryString(req)
            return await respond(req) { try state.read { html(try Pages.trend($0, library: state.library, metric: q.value("metric"), by: q.value("by"))) } }
        }
        router.get("/assets/:name") { req, ctx in
            await respond(req) {
                guard let a = Assets.all[ctx.parameters.get("name") ?? ""] else { throw ServeError.notFound("no such asset") }
                return text(a.text, type: a.type)
            }
        }
        return router
    }

    /// Serves on `host:port` (port 0: a free one) until SIGINT/SIGTERM; `onRunning` gets the URL once listening.
    public func run(host: String, port: Int, onRunning: @escaping @Sendable (String) async -> Void) async throws {
        let app = Application(
            router: router(),
            configuration: .init(address: .hostname(host, port: port), serverName: "tracedb"),
            onServerRunning: { channel in
                let p = channel.localAddress?.port ?? port
                let shown = host.contains(":") ? "[\(host)]" : host
                await onRunning("http://\(shown):\(p)/")
            }
        )
        try await app.runService()
    }

    /// ``run(host:port:onRunning:)`` for a synchronous caller (the CLI's `run()`).
    public func runBlocking(host: String, port: Int, onRunning: @escaping @Sendable (String) async -> Void) throws {
        final class Outcome: @unchecked Sendable { var error: Error? }
        let outcome = Outcome()
        let done = DispatchSemaphore(value: 0)
        let server = self
        Task {
            do { try await server.run(host: host, port: port, onRunning: onRunning) } catch { outcome.error = error }
            done.signal()
        }
        done.wait()
        if let e = outcome.error { throw e }
    }
}

// MARK: helpers

/// Hummingbird's own errors (no route for the path: 404; wrong method: 405) answered with a line
/// of text like every other error, instead of an empty body.
struct HTTPErrorText: RouterMiddleware {
    typealias Context = BasicRequestContext
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let e as HTTPError {
            let what = e.status == .notFound ? "no page at \(request.uri.path.prefix(100))" : (e.body ?? e.status.reasonPhrase)
            if request.uri.path.hasPrefix("/api/") {
                return text(JSONValue.object([("error", .string(what)), ("status", .int(Int64(e.status.code)))]).render() + "\n",
                            type: "application/json", status: e.status)
            }
            return text("error \(e.status.code): \(what)\n", type: "text/plain; charset=utf-8", status: e.status)
        }
    }
}

/// A request's query string, decoded as HTML forms send it (`+` is a space), in order.
struct QueryString {
    var pairs: [(String, String)]
    init(_ req: Request) { self.init(raw: req.uri.query) }
    init(raw: String?) {
        pairs = (raw ?? "").split(separator: "&").compactMap { part in
            let kv = part.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func dec(_ s: Substring) -> String { String(s).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String(s) }
            guard let k = kv.first, !k.isEmpty else { return nil }
            return (dec(k), kv.count > 1 ? dec(kv[1]) : "")
        }
    }
    func value(_ name: String) -> String? { pairs.last { $0.0 == name }?.1 }
}

func runID(_ ctx: BasicRequestContext) throws -> Int64 {
    try Param.requiredInt(ctx.parameters.get("id")?[...], "run id")
}

/// `trace=ID` (must exist), or the latest run.
func traceOrLatest(_ db: Database, _ state: ServerState, _ raw: String?) throws -> Int64 {
    if let t = try Param.int(raw?[...], "trace") { return try state.info(t, db).id }
    guard let t = try db.scalarInt("SELECT max(trace_id) FROM traces") else { throw ServeError.notFound("the database holds no runs yet") }
    return t
}

func text(_ s: String, type: String, status: HTTPResponse.Status = .ok) -> Response {
    var headers = HTTPFields()
    headers[.contentType] = type
    headers[.cacheControl] = "no-store"
    return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: s)))
}

func html(_ s: String) -> Response { text(s, type: "text/html; charset=utf-8") }

func json(_ v: JSONValue) -> Response { text(v.render() + "\n", type: "application/json") }

func download(_ s: String, type: String, name: String) -> Response { download(Array(s.utf8), type: type, name: name) }

func download(_ bytes: [UInt8], type: String, name: String) -> Response {
    var headers = HTTPFields()
    headers[.contentType] = type
    headers[.contentDisposition] = "attachment; filename=\"\(name)\""
    return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
}

/// Runs a handler body off Swift's cooperative threads (SQLite blocks; a slow page must not starve
/// the event handling), turning every error into an answer (``answer(_:json:_:)``).
func respond(_ req: Request, json: Bool = false, _ body: @escaping @Sendable () throws -> Response) async -> Response {
    await withCheckedContinuation { (c: CheckedContinuation<Response, Never>) in
        // A thread per request: GCD's pool is as wide as the cores, so two slow pages would queue the rest.
        let t = Thread { c.resume(returning: answer(req, json: json, body)) }
        t.stackSize = 8 << 20
        t.start()
    }
}

/// Runs a handler body; every error becomes an answer: a ``ServeError`` its status, the library's
/// input errors 400/404, anything else 500 with its text.
func answer(_ req: Request, json: Bool = false, _ body: () throws -> Response) -> Response {
    let status: HTTPResponse.Status
    let message: String
    do {
        return try body()
    } catch let e as ServeError {
        status = HTTPResponse.Status(code: e.kind.rawValue)
        message = e.message
    } catch let e as InputError {
        status = .badRequest; message = e.message
    } catch let e as NoTracesError {
        status = .notFound; message = "\(e.path) holds no runs yet"
    } catch let e as QueryParameterError {
        status = .badRequest; message = e.description
    } catch let e as LocatedSQLError {
        status = .badRequest; message = e.description
    } catch {
        status = .internalServerError; message = "\(error)"
    }
    let asJSON = json || req.uri.path.hasPrefix("/api/")
    if asJSON {
        return text(JSONValue.object([("error", .string(message)), ("status", .int(Int64(status.code)))]).render() + "\n",
                    type: "application/json", status: status)
    }
    return text("error \(status.code): \(message)\n", type: "text/plain; charset=utf-8", status: status)
}

/// The downloads of a run: `NAME.pb.gz` (a pprof profile, `tracedb export --profile NAME`),
/// `chrome.json` (Chrome/Perfetto trace-event JSON of the window `start_ns`–`end_ns`).
func export(_ db: Database, _ info: TraceInfo, file: String, _ q: QueryString,
            checkpoints: (() throws -> GoroutineCheckpoints)? = nil) throws -> Response {
    if file == "chrome.json" {
        let (s, e) = try TimelineWindow.window(start: Param.int(q.value("start_ns")?[...], "start_ns"),
                                               end: Param.int(q.value("end_ns")?[...], "end_ns"), durationNs: info.durationNs)
        let lo = try ChromeTraceExporter.firstSeq(atOrAfter: s, db: db, traceID: info.id, count: info.eventCount)
        let hi = try ChromeTraceExporter.firstSeq(atOrAfter: e + 1, db: db, traceID: info.id, count: info.eventCount)
        if hi - lo > chromeEventLimit {
            throw ServeError(.tooLarge, "the window holds \(hi - lo) events, more than \(chromeEventLimit) for one Chrome JSON download: zoom in, or use tracedb export")
        }
        let out = TextOutput()
        let goids = try TimelineWindow.goids(q.value("goids")?[...])
        try ChromeTraceExporter.export(db: db, traceID: info.id, options: ChromeTraceOptions(startNs: s, endNs: e, goroutines: goids,
                                                                                                checkpoints: try checkpoints?()), to: out)
        return download(out.bytes, type: "application/json", name: "trace-\(info.id)-\(s)-\(e).json")
    }
    if file.hasSuffix(".pb.gz"), let kind = ExportProfile(rawValue: String(file.dropLast(".pb.gz".count))) {
        let p = try ProfileExporter.profile(kind, db: db, traceID: info.id)
        return download(try p.pprof(info: info).gzipped(), type: "application/octet-stream", name: "trace-\(info.id)-\(kind.rawValue).pb.gz")
    }
    let names = ExportProfile.allCases.map { "\($0.rawValue).pb.gz" } + ["chrome.json"]
    throw ServeError.notFound("no export '\(file.prefix(60))' (exports: \(names.joined(separator: ", ")))")
}

/// Events in one Chrome JSON download of a window.
let chromeEventLimit: Int64 = 2_000_000
