import Foundation

/// A problem with what the user asked for (a trace reference, a metric, a threshold, a parameter):
/// the CLI prints it and exits 2.
public struct InputError: Error, CustomStringConvertible, Sendable {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// A database that holds no traces yet; the CLI words it (how to ingest one).
public struct NoTracesError: Error, Sendable, Equatable {
    public var path: String
}

/// One side of a comparison, or the trace a query runs on: a database plus one or more of its traces.
///
/// Several traces come from a `label=value` reference that matches repeated runs (``TraceResolver``
/// with `.allRuns`). A trace file reference is ingested into a temporary database that ``cleanup()``
/// removes (call it before the process exits; `exit()` does not run deinitializers).
public final class TraceSource: @unchecked Sendable {
    /// The connection (read-only unless the database was made on the fly).
    public let db: Database
    /// Path of the database file.
    public let databasePath: String
    /// The selected traces, oldest first (the newest is `traceIDs.last`).
    public let traceIDs: [Int64]
    /// The reference as the user gave it.
    public let reference: String
    /// A temporary folder holding an on-the-fly database (removed by `cleanup()`).
    public let temporaryDirectory: URL?

    init(db: Database, databasePath: String, traceIDs: [Int64], reference: String, temporaryDirectory: URL? = nil) {
        self.db = db; self.databasePath = databasePath; self.traceIDs = traceIDs
        self.reference = reference; self.temporaryDirectory = temporaryDirectory
    }

    /// The newest selected trace.
    public var newest: Int64 { traceIDs.last! }

    /// Removes the temporary database, if any.
    public func cleanup() {
        if let temporaryDirectory { try? FileManager.default.removeItem(at: temporaryDirectory) }
    }

    /// A short human description: `trace 3 (pool.trace, commit=abc)` or `3 runs (traces 4, 5, 6; commit=abc)`.
    public func describe() -> String {
        let infos = traceIDs.compactMap { try? TraceSummaryRow(db: db, traceID: $0) }
        let where_ = temporaryDirectory != nil ? " ingested on the fly" : ""
        if infos.count == 1, let i = infos.first {
            var extra = [i.fileName]
            if !i.labels.isEmpty { extra.append(i.labels) }
            return "trace \(i.id) (\(extra.joined(separator: ", ")))\(where_)"
        }
        let ids = traceIDs.map(String.init).joined(separator: ", ")
        return "\(traceIDs.count) runs (traces \(ids); \(reference))\(where_)"
    }
}

/// The facts about one trace that listings show (a row of `runs`).
public struct TraceSummaryRow: Sendable, Equatable {
    public var id: Int64
    public var fileName: String
    public var goVersion: String
    public var ingestedAt: String
    public var durationNs: Int64?
    public var events: Int64
    public var goroutines: Int64
    public var gcCycles: Int64
    public var gomaxprocs: Int64?
    public var complete: Bool
    /// `key=value` pairs separated by spaces, sorted by key.
    public var labels: String
    public var labelPairs: [(key: String, value: String)] {
        labels.split(separator: " ").compactMap { (p: Substring) -> (key: String, value: String)? in
            guard let i = p.firstIndex(of: "=") else { return nil }
            return (String(p[..<i]), String(p[p.index(after: i)...]))
        }
    }

    static let select = """
        SELECT t.trace_id, t.file_name, t.go_version, t.ingested_at, t.duration_ns, t.event_count, t.goroutine_count,
               t.gc_count, t.gomaxprocs, t.complete,
               coalesce((SELECT group_concat(key || '=' || value, ' ')
                         FROM (SELECT key, value FROM trace_labels l WHERE l.trace_id = t.trace_id ORDER BY key)), '')
        FROM traces t
        """

    init(_ s: Statement) {
        id = s.int64(0); fileName = s.text(1); goVersion = s.text(2); ingestedAt = s.text(3)
        durationNs = s.isNull(4) ? nil : s.int64(4)
        events = s.int64(5); goroutines = s.int64(6); gcCycles = s.int64(7)
        gomaxprocs = s.isNull(8) ? nil : s.int64(8)
        complete = s.int64(9) != 0
        labels = s.text(10)
    }

    public init(db: Database, traceID: Int64) throws {
        let s = try db.prepare(Self.select + " WHERE t.trace_id = ?")
        try s.bind(1, traceID)
        guard try s.step() else { throw InputError("no trace with id \(traceID) in \(db.path)") }
        self.init(s)
    }

    /// Every trace of the database, in ingest order; only those carrying every `label` pair if given.
    public static func all(db: Database, labels: [(key: String, value: String?)] = []) throws -> [TraceSummaryRow] {
        var sql = select
        var params: [SQLValue] = []
        if !labels.isEmpty {
            sql += " WHERE " + labels.map { l -> String in
                params.append(.text(l.key))
                if let v = l.value {
                    params.append(.text(v))
                    return "EXISTS (SELECT 1 FROM trace_labels l WHERE l.trace_id = t.trace_id AND l.key = ? AND l.value = ?)"
                }
                return "EXISTS (SELECT 1 FROM trace_labels l WHERE l.trace_id = t.trace_id AND l.key = ?)"
            }.joined(separator: " AND ")
        }
        sql += " ORDER BY t.trace_id"
        let s = try db.prepare(sql)
        try s.bind(params)
        var out: [TraceSummaryRow] = []
        while try s.step() { out.append(TraceSummaryRow(s)) }
        return out
    }

    public static func == (a: TraceSummaryRow, b: TraceSummaryRow) -> Bool {
        a.id == b.id && a.fileName == b.fileName && a.labels == b.labels && a.ingestedAt == b.ingestedAt
    }
}

/// Turns a trace reference into a ``TraceSource``.
///
/// A reference is one of:
/// - `latest` (or nothing): the most recently ingested trace; `latest~N`: the Nth before it;
/// - a trace id (`7`);
/// - `key=value` (e.g. `commit=abc123`; several as `commit=abc123,benchmark=Serve`): the traces carrying
///   those labels — the newest one for a single-trace command, all of them (repeated runs) for `compare`;
/// - a path to a tracedb database (`runs.db`, or any SQLite file): its latest trace, or
///   `runs.db:REF` for any of the above inside it;
/// - a path to a Go trace file: ingested into a temporary database (removed by ``TraceSource/cleanup()``);
/// - the file name a trace was ingested from (`pool.trace`): the newest such trace.
public enum TraceResolver {
    public enum Mode: Sendable {
        /// One trace: the newest of those matching.
        case newest
        /// Every trace matching a label reference (repeated runs); one trace for the other forms.
        case allRuns
    }

    /// Resolves `ref` against the database at `defaultDatabase` (opened read-only when needed).
    public static func resolve(_ ref: String?, defaultDatabase: String, mode: Mode = .newest) throws -> TraceSource {
        let r = (ref ?? "").trimmingCharacters(in: .whitespaces)
        let fm = FileManager.default
        var isDir: ObjCBool = false

        // A file on disk: a database or a Go trace.
        if !r.isEmpty, fm.fileExists(atPath: r, isDirectory: &isDir), !isDir.boolValue {
            if isSQLiteFile(r) {
                let db = try openReadOnly(r)
                let ids = try select("latest", in: db, mode: mode)
                return TraceSource(db: db, databasePath: r, traceIDs: ids, reference: r)
            }
            return try ingestOnTheFly(r)
        }
        // DATABASE:REF
        if let colon = r.lastIndex(of: ":"), colon != r.startIndex {
            let path = String(r[..<colon])
            if fm.fileExists(atPath: path, isDirectory: &isDir), !isDir.boolValue, isSQLiteFile(path) {
                let db = try openReadOnly(path)
                let ids = try select(String(r[r.index(after: colon)...]), in: db, mode: mode)
                return TraceSource(db: db, databasePath: path, traceIDs: ids, reference: r)
            }
        }
        if looksLikePath(r) {
            throw InputError("no such file: \(r)")
        }
        let db = try openReadOnly(defaultDatabase)
        let ids = try select(r, in: db, mode: mode)
        return TraceSource(db: db, databasePath: defaultDatabase, traceIDs: ids, reference: r.isEmpty ? "latest" : r)
    }

    /// Opens a tracedb database read-only, with input-error messages.
    public static func openReadOnly(_ path: String) throws -> Database {
        do {
            return try Warehouse(path: path, readOnly: true).db
        } catch let e as NoDatabaseError {
            throw e
        } catch let e as WarehouseError {
            throw InputError(e.message)
        } catch let e as SQLiteError {
            throw InputError("cannot open \(path) as a tracedb database: \(e.message)")
        }
    }

    /// The trace ids a reference (not a file) selects in `db`, oldest first.
    public static func select(_ ref: String, in db: Database, mode: Mode = .newest) throws -> [Int64] {
        let r = ref.trimmingCharacters(in: .whitespaces)
        let where_ = "in \(db.path)"
        do {
            if r.isEmpty || r == "latest" || r.hasPrefix("latest~") {
                var back: Int64 = 0
                if r.hasPrefix("latest~") {
                    guard let n = Int64(r.dropFirst("latest~".count)), n >= 0 else {
                        throw InputError("cannot read '\(r)': write latest~N, e.g. latest~1 for the trace before the latest")
                    }
                    back = n
                }
                let s = try db.prepare("SELECT trace_id FROM traces ORDER BY trace_id DESC LIMIT 1 OFFSET ?")
                try s.bind(1, back)
                guard try s.step() else {
                    if back == 0 { throw NoTracesError(path: db.path) }
                    throw InputError("\(db.path) holds fewer than \(back + 1) traces")
                }
                return [s.int64(0)]
            }
            if let n = Int64(r) {
                guard try db.scalarInt("SELECT trace_id FROM traces WHERE trace_id = ?", [.int(n)]) != nil else {
                    throw InputError("no trace with id \(n) \(where_) (tracedb runs lists them)")
                }
                return [n]
            }
            if r.contains("=") {
                let pairs = try parseLabels(r)
                let rows = try TraceSummaryRow.all(db: db, labels: pairs.map { ($0.key, Optional($0.value)) })
                guard let last = rows.last else {
                    throw InputError("no trace labelled \(r) \(where_) (tracedb runs lists the labels)")
                }
                return mode == .allRuns ? rows.map(\.id) : [last.id]
            }
            if let id = try db.scalarInt("SELECT max(trace_id) FROM traces WHERE file_name = ? OR file_path = ?", [.text(r), .text(r)]) {
                return [id]
            }
        } catch let e as SQLiteError {
            throw InputError("cannot read the traces \(where_): \(e.message)")
        }
        throw InputError("no trace '\(r)' \(where_): give a trace id, latest, latest~N, key=value (a label), a .db file, a trace file or an ingested file name")
    }

    /// `commit=abc,host=ci` → pairs.
    public static func parseLabels(_ s: String) throws -> [(key: String, value: String)] {
        try s.split(separator: ",").map { part in
            guard let i = part.firstIndex(of: "="), i != part.startIndex else {
                throw InputError("cannot read the label '\(part)' in '\(s)': write key=value")
            }
            return (String(part[..<i]).trimmingCharacters(in: .whitespaces), String(part[part.index(after: i)...]))
        }
    }

    /// Ingests a Go trace file into a fresh temporary database.
    public static func ingestOnTheFly(_ path: String) throws -> TraceSource {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tracedb-onthefly-\(UUID().uuidString)")
        do {
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            let dbPath = dir.appendingPathComponent("tracedb.db").path
            let warehouse = try Warehouse(path: dbPath)
            let result = try TraceLoader(warehouse: warehouse).ingest(path: path)
            return TraceSource(db: warehouse.db, databasePath: dbPath, traceIDs: [result.traceID], reference: path,
                               temporaryDirectory: dir)
        } catch {
            try? FileManager.default.removeItem(at: dir)
            if let e = error as? IngestError { throw InputError("cannot ingest \(e.description)") }
            throw InputError("cannot ingest \(path): \(error)")
        }
    }

    /// True if the file starts with SQLite's header (`SQLite format 3\0`).
    static func isSQLiteFile(_ path: String) -> Bool {
        guard let h = FileHandle(forReadingAtPath: path) else { return false }
        defer { try? h.close() }
        let head = (try? h.read(upToCount: 16)) ?? Data()
        return head == Data("SQLite format 3\0".utf8)
    }

    /// A reference that can only be a path (so a missing file is the error, not an unknown label).
    static func looksLikePath(_ r: String) -> Bool {
        guard !r.contains("=") else { return r.hasPrefix("/") || r.hasPrefix("./") }
        return r.contains("/") || r.hasSuffix(".db") || r.hasSuffix(".sqlite")
    }
}

extension TraceSummaryRow {
    /// The columns of `tracedb runs`.
    public static let columns = ["trace_id", "ingested_at", "file_name", "go_version", "duration_ns", "events", "goroutines",
                                 "gc_cycles", "gomaxprocs", "complete", "labels"]

    /// The traces as a result table (raw values) and the human style of each column.
    public static func result(_ rows: [TraceSummaryRow]) -> (QueryResult, [ValueStyle]) {
        let r = QueryResult(columns: columns, rows: rows.map { t in
            [.int(t.id), .text(t.ingestedAt), .text(t.fileName), .text(t.goVersion), t.durationNs.map { .int($0) } ?? .null,
             .int(t.events), .int(t.goroutines), .int(t.gcCycles), t.gomaxprocs.map { .int($0) } ?? .null,
             .int(t.complete ? 1 : 0), .text(t.labels)]
        })
        let styles: [ValueStyle] = [.raw, .raw, .raw, .raw, .unit(.ns), .unit(.count), .unit(.count), .unit(.count), .raw, .raw, .raw]
        return (r, styles)
    }
}
