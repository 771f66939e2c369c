import Foundation

/// Errors about the warehouse itself (not SQLite's, not the trace's).
public struct WarehouseError: Error, CustomStringConvertible, Sendable {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// A tracedb database: opens it, applies the schema migrations from `Schema/` and hands out the
/// connection to the loader and query runner.
public final class Warehouse: @unchecked Sendable {
    public let db: Database
    public let path: String

    /// The migrations shipped in the binary, in order: (version, file name, SQL).
    public static let migrations: [(version: Int, name: String, sql: String)] = {
        BundledSQL.files
            .filter { $0.path.hasPrefix("Schema/") && $0.path.hasSuffix(".sql") }
            .compactMap { f -> (Int, String, String)? in
                let name = String(f.path.dropFirst("Schema/".count))
                guard let v = Int(name.prefix { $0.isNumber }) else { return nil }
                return (v, name, f.text)
            }
            .sorted { $0.0 < $1.0 }
    }()

    /// The schema version this build of tracedb writes.
    public static var schemaVersion: Int { migrations.last?.version ?? 0 }

    /// Opens (creating if needed) the warehouse at `path` and brings its schema up to date.
    /// `readOnly` opens an existing database without changing it (it must be at this schema version or older
    /// than none: an older schema is an error asking for a writable open to migrate).
    public init(path: String, readOnly: Bool = false) throws {
        self.path = path
        if readOnly && !FileManager.default.fileExists(atPath: path) {
            throw WarehouseError("no tracedb database at \(path) (ingest a trace first: tracedb ingest FILE --db \(path))")
        }
        db = try Database(path: path, readOnly: readOnly)
        if readOnly {
            try db.execute("PRAGMA query_only = ON")
            let v = try Int(db.scalarInt("PRAGMA user_version") ?? 0)
            if v > Self.schemaVersion { throw Self.tooNew(path: path, version: v) }
            if v < Self.schemaVersion {
                throw WarehouseError("\(path) has schema version \(v), this tracedb needs \(Self.schemaVersion): open it once for writing (e.g. tracedb ingest) to migrate it")
            }
            return
        }
        try db.execute("PRAGMA journal_mode = WAL")
        try db.execute("PRAGMA synchronous = NORMAL")
        try migrate()
    }

    static func tooNew(path: String, version: Int) -> WarehouseError {
        WarehouseError("\(path) has schema version \(version), newer than this tracedb understands (\(schemaVersion)): upgrade tracedb")
    }

    /// Applies every migration newer than the database's `PRAGMA user_version`, each in its own transaction.
    func migrate() throws {
        try db.transaction {
            let current = try Int(db.scalarInt("PRAGMA user_version") ?? 0)
            if current > Self.schemaVersion { throw Self.tooNew(path: path, version: current) }
            for m in Self.migrations where m.version > current {
                do {
                    try db.execute(m.sql)
                } catch let e as SQLiteError {
                    throw WarehouseError("schema migration \(m.name) failed: \(e)")
                }
                try db.execute("PRAGMA user_version = \(m.version)")
            }
        }
    }

    /// The id of the trace with this file hash, if it is already in the warehouse.
    public func traceID(sha256: String) throws -> Int64? {
        try db.scalarInt("SELECT trace_id FROM traces WHERE sha256 = ?", [.text(sha256)])
    }

    /// The tables that hold per-trace rows (every table with a `trace_id` column), for deletion.
    public func perTraceTables() throws -> [String] {
        let s = try db.prepare("""
            SELECT m.name FROM sqlite_schema m
            WHERE m.type = 'table' AND m.name <> 'traces'
              AND EXISTS (SELECT 1 FROM pragma_table_info(m.name) c WHERE c.name = 'trace_id')
            ORDER BY m.name
            """)
        var names: [String] = []
        while try s.step() { names.append(s.text(0)) }
        return names
    }

    /// Deletes a trace and all its rows (call inside a transaction).
    public func deleteTrace(_ id: Int64) throws {
        for t in try perTraceTables() {
            let s = try db.prepare("DELETE FROM \"\(t)\" WHERE trace_id = ?")
            try s.bind(1, id); try s.run()
        }
        let s = try db.prepare("DELETE FROM traces WHERE trace_id = ?")
        try s.bind(1, id); try s.run()
    }
}

extension Warehouse {
    /// Rows in every per-trace table (benchmarks).
    public func totalRows() throws -> Int {
        var n: Int64 = 0
        for t in try perTraceTables() { n += try db.scalarInt("SELECT count(*) FROM \"\(t)\"") ?? 0 }
        return Int(n)
    }

    /// Bytes of the database file after a checkpoint (benchmarks).
    public func fileBytes() throws -> Int64 {
        try db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        let pages = try db.scalarInt("PRAGMA page_count") ?? 0
        let size = try db.scalarInt("PRAGMA page_size") ?? 0
        return pages * size
    }

    /// Clears the SHA-256 of every trace so the same file can be loaded again (benchmarks only).
    public func forgetHash() throws {
        try db.execute("UPDATE traces SET sha256 = sha256 || '-' || trace_id WHERE sha256 NOT LIKE '%-%'")
    }
}
