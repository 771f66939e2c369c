import Foundation

/// Errors about the warehouse itself (not SQLite's, not the trace's).
public struct WarehouseError: Error, CustomStringConvertible, Sendable {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// A read-only open of a database that does not exist; the CLI words it (how to make one).
public struct NoDatabaseError: Error, Sendable, Equatable {
    public var path: String
    public init(path: String) { self.path = path }
}

/// A tracedb database: opens it, applies the schema migrations from `Schema/` and hands out the
/// connection to the loader and query runner.
public final class Warehouse: @unchecked Sendable {
    /// The connection. While ``isPendingCreation``, an empty in-memory database with the schema (reads
    /// find no traces); once the first ingest has put the file in place, a connection to it.
    public private(set) var db: Database
    public let path: String
    /// True while the database file does not exist yet and is to be written by the first ingest through
    /// the new-database path (see ``init(path:readOnly:maxPageCount:deferCreation:)`` and `NewDatabase.swift`).
    public private(set) var isPendingCreation = false
    let maxPageCount: Int?

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

    /// `PRAGMA application_id` of a database made by the current schema (Schema/001_schema.sql sets it):
    /// 'trdb'. A database with a user_version but another id was made by a tracedb before the schema was
    /// folded into one file, and cannot be migrated.
    public static let applicationID: Int64 = 0x7472_6462

    /// Opens (creating if needed) the warehouse at `path` and brings its schema up to date.
    /// `readOnly` opens an existing database without changing it (it must be at this schema version or older
    /// than none: an older schema is an error asking for a writable open to migrate); a missing file is a
    /// ``NoDatabaseError``. `maxPageCount` limits a writable database's size in pages (tests simulate a
    /// full disk with it: a full file system gives the same SQLITE_FULL).
    ///
    /// `deferCreation` (writable opens only): when no file exists at `path`, nothing is created now; the
    /// first ``TraceLoader/ingest(path:options:)`` writes the whole database to a temporary file next to
    /// it without a journal and renames it into place when complete (``isPendingCreation`` until then).
    public init(path: String, readOnly: Bool = false, maxPageCount: Int? = nil, deferCreation: Bool = false) throws {
        self.path = path
        self.maxPageCount = maxPageCount
        if readOnly && !FileManager.default.fileExists(atPath: path) {
            throw NoDatabaseError(path: path)
        }
        if !readOnly {
            try Self.checkWritable(path)
            // What a killed new-database ingest left (NewDatabase.swift).
            StagedDatabase.removeAbandoned(target: path)
        }
        if !readOnly && deferCreation && !FileManager.default.fileExists(atPath: path) {
            db = try Database(path: ":memory:")
            isPendingCreation = true
            try migrate()
            return
        }
        do {
            db = readOnly ? try Self.openForReading(path) : try Database(path: path)
        } catch let e as SQLiteError {
            throw Self.explain(e, path: path) ?? e
        }
        if readOnly {
            let v = try Int(db.scalarInt("PRAGMA user_version") ?? 0)
            if v > 0, try db.scalarInt("PRAGMA application_id") != Self.applicationID { throw Self.madeByOlder(path: path) }
            if v > Self.schemaVersion { throw Self.tooNew(path: path, version: v) }
            if v < Self.schemaVersion {
                throw WarehouseError("\(path) has schema version \(v), this tracedb needs \(Self.schemaVersion): open it once for writing (e.g. tracedb ingest) to migrate it")
            }
            return
        }
        try prepareForWriting()
    }

    /// Checks and configures a writable connection to the file at `path`: WAL, the schema up to date.
    private func prepareForWriting() throws {
        if db.isReadOnlyFile {
            throw WarehouseError("cannot write to \(path): the file is read-only (check its permissions); tracedb needs write access to change it")
        }
        do {
            if let n = maxPageCount, n > 0 {
                try db.execute("PRAGMA max_page_count = \(n)")
            }
            // Before anything writes (journal mode): a database of an older tracedb stays exactly as it was.
            if try (db.scalarInt("PRAGMA user_version") ?? 0) > 0, try db.scalarInt("PRAGMA application_id") != Self.applicationID {
                throw Self.madeByOlder(path: path)
            }
            try db.execute("PRAGMA journal_mode = WAL")
            try db.execute("PRAGMA synchronous = NORMAL")
            try migrate()
        } catch let e as SQLiteError {
            throw Self.explain(e, path: path) ?? e
        }
    }

    /// Connects to the file now at `path` (put there by the new-database path, or by another process
    /// while this one was pending) in place of the in-memory placeholder.
    func attachToFile() throws {
        precondition(isPendingCreation)
        do { db = try Database(path: path, create: false) } catch let e as SQLiteError {
            throw Self.explain(e, path: path) ?? e
        }
        isPendingCreation = false
        try prepareForWriting()
    }

    /// Opens an existing database read-only. A WAL database in a folder the user cannot write to (a
    /// read-only mount, someone else's folder) cannot be read normally, because SQLite must create its
    /// -shm file there; if no -wal file holds uncheckpointed changes, nobody can be writing it, and
    /// it is opened as immutable instead.
    static func openForReading(_ path: String) throws -> Database {
        let db = try Database(path: path, readOnly: true)
        do {
            try db.execute("PRAGMA query_only = ON")
            _ = try db.scalarInt("PRAGMA user_version")
            return db
        } catch let e as SQLiteError where e.isReadOnly || e.isCantOpen {
            let fm = FileManager.default
            let wal = (try? fm.attributesOfItem(atPath: path + "-wal")[.size] as? NSNumber)?.intValue ?? 0
            guard !fm.isWritableFile(atPath: folder(of: path)), wal == 0 else { throw e }
            let immutable = try Database(path: path, readOnly: true, immutable: true)
            try immutable.execute("PRAGMA query_only = ON")
            return immutable
        }
    }

    /// Fails with a clear error if a database cannot be created or changed at `path` (before SQLite
    /// reports it as a bare "unable to open database file").
    static func checkWritable(_ path: String) throws {
        let fm = FileManager.default
        var isDir: ObjCBool = false
        if fm.fileExists(atPath: path, isDirectory: &isDir) {
            if isDir.boolValue { throw WarehouseError("\(path) is a folder, not a tracedb database file") }
            return
        }
        let dir = folder(of: path)
        guard fm.fileExists(atPath: dir, isDirectory: &isDir), isDir.boolValue else {
            throw WarehouseError("cannot create the database \(path): the folder \(dir) does not exist")
        }
        if !fm.isWritableFile(atPath: dir) {
            throw WarehouseError("cannot create the database \(path): the folder \(dir) is not writable")
        }
    }

    static func folder(of path: String) -> String {
        let dir = (path as NSString).deletingLastPathComponent
        return dir.isEmpty ? "." : dir
    }

    /// A clear message for the SQLite errors a user can fix (read-only file or folder, full disk),
    /// nil for the others.
    static func explain(_ e: SQLiteError, path: String) -> WarehouseError? {
        let name = (path as NSString).lastPathComponent
        if e.isReadOnlyDirectory || ((e.isReadOnly || e.isCantOpen) && !FileManager.default.isWritableFile(atPath: folder(of: path))) {
            return WarehouseError("cannot write to \(path): its folder \(folder(of: path)) is read-only, and SQLite keeps \(name)-wal and \(name)-shm next to the database")
        }
        if e.isReadOnly {
            return WarehouseError("cannot write to \(path): the database is read-only (\(e.message))")
        }
        if e.isDiskFull {
            return WarehouseError("cannot write to \(path): the database or its disk is full")
        }
        if e.isCantOpen {
            return WarehouseError("cannot open \(path): \(e.message)")
        }
        return nil
    }

    static func madeByOlder(path: String) -> WarehouseError {
        WarehouseError("\(path) was made by an older tracedb whose schema this one cannot read: re-ingest its traces into a new database")
    }

    static func tooNew(path: String, version: Int) -> WarehouseError {
        WarehouseError("\(path) has schema version \(version), newer than this tracedb understands (\(schemaVersion)): upgrade tracedb")
    }

    /// Applies every migration newer than the database's `PRAGMA user_version`, each in its own transaction.
    func migrate() throws { try Self.migrate(db, path: path) }

    /// ``migrate()`` on any connection (the new-database path's temporary file, too).
    static func migrate(_ db: Database, path: String) throws {
        try db.transaction {
            let current = try Int(db.scalarInt("PRAGMA user_version") ?? 0)
            if current > 0, try db.scalarInt("PRAGMA application_id") != Self.applicationID { throw Self.madeByOlder(path: path) }
            if current > Self.schemaVersion { throw Self.tooNew(path: path, version: current) }
            for m in Self.migrations where m.version > current {
                do {
                    try db.execute(m.sql)
                } catch let e as SQLiteError {
                    if e.isDiskFull || e.isReadOnly || e.isCantOpen { throw e }
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

    /// Row count and column count of every per-trace table that has rows (benchmarks: the shape a
    /// bare insert loop must match).
    public func tableShapes() throws -> [(table: String, rows: Int, columns: Int)] {
        var out: [(String, Int, Int)] = []
        for t in try perTraceTables() {
            let rows = Int(try db.scalarInt("SELECT count(*) FROM \"\(t)\"") ?? 0)
            let cols = Int(try db.scalarInt("SELECT count(*) FROM pragma_table_info(?)", [.text(t)]) ?? 0)
            if rows > 0 { out.append((t, rows, cols)) }
        }
        return out
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
