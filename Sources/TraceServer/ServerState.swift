import Foundation
import TraceWarehouse

/// The warehouse as the server sees it: read-only connections (SQLite's `query_only`, the same open
/// as `tracedb sql` without `--write`), each used by one request at a time, plus the saved queries.
/// Connections are pooled, so a slow page (a report over millions of events) does not hold up the others.
public final class ServerState: @unchecked Sendable {
    public let databasePath: String
    public let library: QueryLibrary
    private var idle: [Database] = []
    private let lock = NSLock()
    /// Idle connections kept open.
    static let maxIdle = 4

    /// Opens `databasePath` read-only (``TraceResolver/openReadOnly(_:)``: a missing file is a
    /// ``NoDatabaseError``, an old schema an ``InputError``).
    public init(databasePath: String, library: QueryLibrary) throws {
        self.databasePath = databasePath
        self.library = library
        idle = [try TraceResolver.openReadOnly(databasePath)]
    }

    /// Runs `body` with a connection of its own (taken from the pool, or opened).
    func read<T>(_ body: (Database) throws -> T) throws -> T {
        lock.lock()
        let pooled = idle.popLast()
        lock.unlock()
        let db = try pooled ?? TraceResolver.openReadOnly(databasePath)
        defer {
            lock.lock()
            if idle.count < Self.maxIdle { idle.append(db) }
            lock.unlock()
        }
        return try body(db)
    }

    private var checkpointsByTrace: [Int64: GoroutineCheckpoints] = [:]
    private let checkpointsLock = NSLock()

    /// The trace's ``GoroutineCheckpoints`` (where goroutine intervals open at a point are found),
    /// built on first use with one pass over its closing events and kept. Built by one request at a time.
    func checkpoints(_ id: Int64, _ db: Database) throws -> GoroutineCheckpoints {
        checkpointsLock.lock()
        defer { checkpointsLock.unlock() }
        if let c = checkpointsByTrace[id] { return c }
        let c = try GoroutineCheckpoints(db: db, traceID: id)
        checkpointsByTrace[id] = c
        return c
    }

    /// Builds every trace's checkpoints on a background thread (newest first), so the first timeline
    /// window or Chrome download of a large trace does not wait seconds for them. `tracedb serve` calls it.
    public func warmCheckpoints() {
        let path = databasePath
        let thread = Thread { [self] in
            guard let db = try? TraceResolver.openReadOnly(path) else { return }
            var ids: [Int64] = []
            if let s = try? db.prepare("SELECT trace_id FROM traces ORDER BY trace_id DESC") {
                while (try? s.step()) == true { ids.append(s.int64(0)) }
            }
            for id in ids { _ = try? checkpoints(id, db) }
        }
        thread.start()
    }

    /// The trace `id`, or a 404 naming it.
    func info(_ id: Int64, _ db: Database) throws -> TraceInfo {
        guard try db.scalarInt("SELECT 1 FROM traces WHERE trace_id = ?", [.int(id)]) != nil else {
            throw ServeError.notFound("no run with id \(id)")
        }
        return try TraceInfo(db: db, traceID: id)
    }

    /// A comparison side (`7`, `commit=abc`, `latest`): its own read-only connection to the same file.
    /// Only trace references, never a file path (the CLI's resolver would ingest one).
    func source(_ ref: String) throws -> TraceSource {
        let r = ref.trimmingCharacters(in: .whitespaces)
        guard !r.isEmpty, !r.contains("/"), !r.contains(":"), !r.contains("\\") else {
            throw ServeError.bad("a run is a trace id, latest, latest~N or key=value, got '\(r.prefix(60))'")
        }
        do {
            return try TraceResolver.resolve("\(databasePath):\(r)", defaultDatabase: databasePath, mode: .allRuns)
        } catch let e as InputError {
            throw ServeError.notFound(e.message)
        }
    }
}
