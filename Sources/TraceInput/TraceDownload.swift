import AsyncHTTPClient
import Dispatch
import Foundation
import NIOCore
import NIOHTTP1

/// Downloads an execution trace from a Go program's `net/http/pprof` trace endpoint
/// (`http://HOST:PORT/debug/pprof/trace?seconds=N`), as `go tool pprof URL` does for profiles. The
/// server records for N seconds while it streams the trace; the body goes straight into a
/// ``SpooledTrace``.
public enum TraceDownload {
    /// The URL to fetch and how long the server will record.
    public struct Target: Sendable, Equatable {
        public var url: String
        /// The `seconds` the server records (net/http/pprof's default is 1).
        public var seconds: Double
        /// `HOST:PORT`, for messages and the default run name.
        public var host: String
    }

    /// True if `argument` names an HTTP(S) URL rather than a file.
    public static func isURL(_ argument: String) -> Bool {
        let l = argument.lowercased()
        return l.hasPrefix("http://") || l.hasPrefix("https://")
    }

    /// Resolves a URL as the user wrote it: a bare `http://HOST:PORT` (or `…/debug/pprof`) means the
    /// trace endpoint `/debug/pprof/trace`; `seconds` (if given) replaces the URL's `seconds` parameter.
    public static func target(_ argument: String, seconds: Double? = nil) throws(TraceInputError) -> Target {
        guard var c = URLComponents(string: argument), let scheme = c.scheme?.lowercased(),
              scheme == "http" || scheme == "https", let host = c.host, !host.isEmpty else {
            throw TraceInputError(.badURL, source: argument, message: "cannot read the URL: write http://HOST:PORT/debug/pprof/trace?seconds=N")
        }
        if c.path.isEmpty || c.path == "/" { c.path = "/debug/pprof/trace" }
        else if c.path == "/debug/pprof" || c.path == "/debug/pprof/" { c.path = "/debug/pprof/trace" }
        var items = c.queryItems ?? []
        if let seconds {
            guard seconds > 0, seconds.isFinite else {
                throw TraceInputError(.badURL, source: argument, message: "the recording time must be more than 0 seconds")
            }
            items.removeAll { $0.name == "seconds" }
            let text = seconds == seconds.rounded() ? String(Int(seconds)) : String(seconds)
            items.append(URLQueryItem(name: "seconds", value: text))
        }
        c.queryItems = items.isEmpty ? nil : items
        var recorded = 1.0
        if let s = items.last(where: { $0.name == "seconds" })?.value {
            guard let v = Double(s), v > 0 else {
                throw TraceInputError(.badURL, source: argument, message: "seconds=\(s) is not a positive number of seconds")
            }
            recorded = v
        }
        guard let url = c.string else {
            throw TraceInputError(.badURL, source: argument, message: "cannot read the URL")
        }
        return Target(url: url, seconds: recorded, host: c.port.map { "\(host):\($0)" } ?? host)
    }

    /// What the download is doing, for a progress line.
    public struct Progress: Sendable {
        /// Seconds since the request was sent.
        public var elapsed: Double
        /// Bytes of trace received so far.
        public var bytes: Int
    }

    /// Fetches `target` into a spool file called `name`. `timeout`: seconds allowed on top of the
    /// recording time for connecting and for the whole answer. Errors: `.connection` (refused,
    /// unreachable), `.httpStatus` (the server's status and the first line of its message),
    /// `.notATrace` (e.g. the pprof index page), `.timeout`, `.empty`, `.io`.
    public static func fetch(_ target: Target, name: String, timeout: Double, directory: String? = nil,
                             progress: (@Sendable (Progress) -> Void)? = nil) async throws(TraceInputError) -> SpooledTrace {
        try await fetch(target, name: name, timeout: timeout, directory: directory, progress: progress, created: nil)
    }

    static func fetch(_ target: Target, name: String, timeout: Double, directory: String?,
                      progress: (@Sendable (Progress) -> Void)?, created: (@Sendable (SpooledTrace) -> Void)?) async throws(TraceInputError) -> SpooledTrace {
        let source = target.url
        var config = HTTPClient.Configuration()
        config.timeout = .init(connect: .milliseconds(Int64(timeout * 1000)))
        config.redirectConfiguration = .follow(max: 5, allowCycles: false)
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: config)
        let started = Date()
        do {
            let spool = try await run(client, target, name: name, timeout: timeout, directory: directory, started: started,
                                      progress: progress, created: created)
            try? await client.shutdown()
            return spool
        } catch {
            try? await client.shutdown()
            if let e = error as? TraceInputError { throw e }
            throw classify(error, source: source, target: target, timeout: timeout, elapsed: Date().timeIntervalSince(started))
        }
    }

    /// `fetch` for synchronous callers (the command line): blocks the calling thread until done, or
    /// until the recording time plus `timeout` has passed: a server that sent its headers and then
    /// stalls is not waited for (the client's deadline covers only the response head).
    public static func fetchBlocking(_ target: Target, name: String, timeout: Double, directory: String? = nil,
                                     progress: (@Sendable (Progress) -> Void)? = nil) throws(TraceInputError) -> SpooledTrace {
        final class Box: @unchecked Sendable {
            let lock = NSLock()
            var result: Result<SpooledTrace, TraceInputError>?
            var abandoned = false
            var spool: SpooledTrace?
        }
        let box = Box()
        let done = DispatchSemaphore(value: 0)
        Task {
            let r: Result<SpooledTrace, TraceInputError>
            let created: @Sendable (SpooledTrace) -> Void = { s in
                box.lock.withLock {
                    box.spool = s
                    if box.abandoned { s.unlinkFiles() }
                }
            }
            do { r = .success(try await fetch(target, name: name, timeout: timeout, directory: directory, progress: progress, created: created)) }
            catch let e as TraceInputError { r = .failure(e) }
            catch { r = .failure(TraceInputError(.io, source: target.url, message: "\(error)")) }
            box.lock.withLock {
                if box.abandoned, case .success(let spool) = r { spool.remove() }
                box.result = r
            }
            done.signal()
        }
        let limit = target.seconds + timeout
        if done.wait(timeout: .now() + .milliseconds(Int((limit + 0.5) * 1000))) == .timedOut {
            // The download goes on in the background until the process exits: its file goes now.
            box.lock.withLock {
                box.abandoned = true
                box.spool?.unlinkFiles()
            }
            throw timeoutError(target, timeout: timeout, connecting: false)
        }
        return try box.lock.withLock { box.result! }.get()
    }

    static func timeoutError(_ target: Target, timeout: Double, connecting: Bool) -> TraceInputError {
        let what = connecting ? "could not connect to \(target.host)" : "no complete answer"
        return TraceInputError(.timeout, source: target.url, message: String(
            format: "\(what) within %.0f s (the server records %.0f s; --timeout allows %.0f s more)",
            connecting ? timeout : target.seconds + timeout, target.seconds, timeout))
    }

    private static func run(_ client: HTTPClient, _ target: Target, name: String, timeout: Double, directory: String?,
                            started: Date, progress: (@Sendable (Progress) -> Void)?,
                            created: (@Sendable (SpooledTrace) -> Void)?) async throws -> SpooledTrace {
        let source = target.url
        var request = HTTPClientRequest(url: target.url)
        request.headers.add(name: "User-Agent", value: "tracedb")
        let limit = target.seconds + timeout
        let deadline = NIODeadline.now() + .milliseconds(Int64(limit * 1000))
        progress?(Progress(elapsed: 0, bytes: 0))
        let response = try await client.execute(request, deadline: deadline)
        let contentType = response.headers.first(name: "Content-Type") ?? ""
        guard (200..<300).contains(response.status.code) else {
            var text = ""
            for try await chunk in response.body {
                text += String(decoding: chunk.readableBytesView, as: UTF8.self)
                if text.utf8.count > 2048 { break }
            }
            let first = text.split(whereSeparator: \.isNewline).first.map(String.init)?.trimmingCharacters(in: .whitespaces) ?? ""
            let hint = response.status.code == 404 ? " (is net/http/pprof imported, and is this its address? the trace endpoint is /debug/pprof/trace)" : ""
            throw TraceInputError(.httpStatus(Int(response.status.code)), source: source,
                                  message: "the server answered \(response.status.code) \(response.status.reasonPhrase)"
                                      + (first.isEmpty ? "" : ": \(first.prefix(200))") + hint)
        }
        let spool = try SpooledTrace(name: name, source: source, directory: directory)
        created?(spool)
        do {
            var head: [UInt8] = []
            var checked = false
            for try await chunk in response.body {
                if !checked {
                    head += chunk.readableBytesView.prefix(16 - head.count)
                    // Refused as soon as the first bytes show it is not a trace (a big page is not read).
                    if head.count >= 5 { try checkHeader(head, contentType: contentType, source: source); checked = true }
                }
                try chunk.withUnsafeReadableBytes { try spool.write($0) }
                progress?(Progress(elapsed: Date().timeIntervalSince(started), bytes: spool.bytes))
            }
            try spool.finish()
            if spool.bytes == 0 {
                throw TraceInputError(.empty, source: source, message: "the server sent an empty answer, not a Go execution trace")
            }
            if !checked { try checkHeader(head, contentType: contentType, source: source) }
            return spool
        } catch {
            spool.remove()
            throw error
        }
    }

    /// A trace starts with `go 1.NN trace` (or `go 1.NN` for old formats).
    static func checkHeader(_ head: [UInt8], contentType: String, source: String) throws(TraceInputError) {
        if head.starts(with: Array("go 1.".utf8)) { return }
        let text = String(decoding: head, as: UTF8.self).lowercased()
        let what: String
        if contentType.lowercased().contains("html") || text.hasPrefix("<") {
            what = "the server sent an HTML page (\(contentType.isEmpty ? "no Content-Type" : contentType)), not a Go execution trace"
        } else {
            what = "the server's answer is not a Go execution trace (it does not start with `go 1.`; Content-Type \(contentType.isEmpty ? "none" : contentType))"
        }
        throw TraceInputError(.notATrace, source: source,
                              message: what + ": the trace endpoint is /debug/pprof/trace?seconds=N")
    }

    static func classify(_ error: Error, source: String, target: Target, timeout: Double, elapsed: Double) -> TraceInputError {
        let text = String(describing: error)
        if let e = error as? HTTPClientError {
            if e == .deadlineExceeded || e == .readTimeout || e == .connectTimeout {
                return timeoutError(target, timeout: timeout, connecting: e == .connectTimeout)
            }
            if e == .remoteConnectionClosed {
                return TraceInputError(.connection, source: source, message: "the server at \(target.host) closed the connection before the trace was complete")
            }
        }
        if text.contains("refused") || text.contains("ECONNREFUSED") || text.contains("errno: 111") {
            return TraceInputError(.connection, source: source, message: "connection refused by \(target.host): is the program running, with net/http/pprof listening on that port?")
        }
        if error is CancellationError {
            return TraceInputError(.timeout, source: source, message: "cancelled after \(Int(elapsed)) s")
        }
        return TraceInputError(.connection, source: source, message: "cannot fetch the trace from \(target.host): \(text)")
    }
}
