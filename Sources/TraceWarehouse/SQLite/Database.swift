import CSQLite
import Foundation
import GoTrace

/// An error from SQLite, carrying the result code, SQLite's message and the SQL that failed.
public struct SQLiteError: Error, CustomStringConvertible, Sendable {
    public var code: Int32
    public var message: String
    public var sql: String?

    public var description: String {
        var s = "SQLite error \(code): \(message)"
        if let sql { s += "\n  in: \(sql.count > 400 ? String(sql.prefix(400)) + "…" : sql)" }
        return s
    }
    /// The database (or its disk) is full.
    public var isDiskFull: Bool { code & 0xff == SQLITE_FULL }
    /// Another connection holds a lock for longer than the busy timeout.
    public var isBusy: Bool { code & 0xff == SQLITE_BUSY || code & 0xff == SQLITE_LOCKED }
    /// SQLite may not write: the file, its folder (for the -wal/-shm files) or the file system is read-only.
    public var isReadOnly: Bool { code & 0xff == SQLITE_READONLY }
    /// The file (or its folder, for the -wal/-shm files) could not be opened or created.
    public var isCantOpen: Bool { code & 0xff == SQLITE_CANTOPEN }
    /// SQLite could not create its -wal/-shm files because the database's folder is read-only.
    public var isReadOnlyDirectory: Bool { code == SQLITE_READONLY | (6 << 8) }  // SQLITE_READONLY_DIRECTORY
}

/// One SQLite connection: a thin wrapper over the C API (open, exec, prepare, transactions).
///
/// ```swift
/// let db = try Database(path: "tracedb.db")
/// let stmt = try db.prepare("SELECT count(*) FROM traces WHERE trace_id = ?")
/// try stmt.bind(1, Int64(1)); _ = try stmt.step(); print(stmt.int64(0))
/// ```
///
/// Marked `@unchecked Sendable` because `OpaquePointer` is not Sendable; a `Database` must still be
/// used from one thread at a time (SQLite is opened in multi-thread mode, not serialized).
public final class Database: @unchecked Sendable {
    let handle: OpaquePointer
    public let path: String

    /// Opens (and by default creates) the database at `path`. `immutable` (read-only only) tells SQLite the
    /// file cannot change while open, so it needs no -shm/-wal files (for databases in read-only folders).
    public init(path: String, readOnly: Bool = false, create: Bool = true, immutable: Bool = false) throws {
        self.path = path
        var db: OpaquePointer?
        var flags = SQLITE_OPEN_NOMUTEX
        if readOnly { flags |= SQLITE_OPEN_READONLY } else {
            flags |= SQLITE_OPEN_READWRITE
            if create { flags |= SQLITE_OPEN_CREATE }
        }
        var name = path
        if readOnly && immutable {
            // A URI: percent-encode what URIs reserve (SQLite decodes %HH in the path).
            flags |= SQLITE_OPEN_URI
            var uri = Array((path.hasPrefix("/") ? "file://" : "file:").utf8)
            for b in path.utf8 {
                if b == UInt8(ascii: "%") || b == UInt8(ascii: "?") || b == UInt8(ascii: "#") || b < 0x20 {
                    uri += Array(String(format: "%%%02X", b).utf8)
                } else {
                    uri.append(b)
                }
            }
            name = String(decoding: uri + Array("?immutable=1".utf8), as: UTF8.self)
        }
        let rc = sqlite3_open_v2(name, &db, flags, nil)
        guard rc == SQLITE_OK, let db else {
            let msg = db.map { String(cString: sqlite3_errmsg($0)) } ?? "cannot open"
            if let db { sqlite3_close_v2(db) }
            throw SQLiteError(code: rc, message: "\(msg) (\(path))", sql: nil)
        }
        handle = db
        sqlite3_extended_result_codes(db, 1)
        sqlite3_busy_timeout(db, 600_000)
    }

    private var isClosed = false

    deinit { if !isClosed { sqlite3_close_v2(handle) } }

    /// Closes the connection now (its files are released when this returns); fails, leaving it open,
    /// while a statement of it is still alive. The connection must not be used afterwards.
    public func close() throws {
        guard !isClosed else { return }
        let rc = sqlite3_close(handle)
        if rc != SQLITE_OK { throw SQLiteError(code: rc, message: "cannot close \(path): a statement is still open", sql: nil) }
        isClosed = true
    }

    /// Runs one or more statements that return no rows.
    public func execute(_ sql: String) throws {
        var err: UnsafeMutablePointer<CChar>?
        let rc = sqlite3_exec(handle, sql, nil, nil, &err)
        if rc != SQLITE_OK {
            let msg = err.map { String(cString: $0) } ?? String(cString: sqlite3_errmsg(handle))
            sqlite3_free(err)
            throw SQLiteError(code: sqlite3_extended_errcode(handle), message: msg, sql: sql)
        }
    }

    /// Compiles one statement.
    public func prepare(_ sql: String) throws -> Statement {
        var stmt: OpaquePointer?
        let rc = sqlite3_prepare_v2(handle, sql, -1, &stmt, nil)
        guard rc == SQLITE_OK, let stmt else { throw error(rc, sql: sql) }
        return Statement(db: self, handle: stmt, sql: sql)
    }

    /// Runs `body` in a transaction (BEGIN IMMEDIATE by default): commit on return, rollback on throw.
    public func transaction<T>(immediate: Bool = true, _ body: () throws -> T) throws -> T {
        try execute(immediate ? "BEGIN IMMEDIATE" : "BEGIN")
        do {
            let result = try body()
            try execute("COMMIT")
            return result
        } catch {
            try? execute("ROLLBACK")
            throw error
        }
    }

    /// Makes the statement running on this connection stop with SQLITE_INTERRUPT as soon as it can
    /// (safe to call from another thread: sqlite3_interrupt; a server's time limit on ad hoc SQL).
    public func interrupt() { sqlite3_interrupt(handle) }

    /// True if the connection cannot write to the main database (opened read-only, or the file is
    /// write-protected: SQLite then silently opens it read-only even when asked for read-write).
    public var isReadOnlyFile: Bool { sqlite3_db_readonly(handle, "main") == 1 }

    /// The rowid of the last INSERT on this connection.
    public var lastInsertRowID: Int64 { sqlite3_last_insert_rowid(handle) }
    /// Rows changed by the last statement.
    public var changes: Int { Int(sqlite3_changes(handle)) }

    /// The first column of the first row of `sql` as an integer (nil if no row or NULL).
    public func scalarInt(_ sql: String, _ params: [SQLValue] = []) throws -> Int64? {
        let s = try prepare(sql)
        try s.bind(params)
        guard try s.step() else { return nil }
        return s.isNull(0) ? nil : s.int64(0)
    }

    /// The first column of the first row of `sql` as text.
    public func scalarText(_ sql: String, _ params: [SQLValue] = []) throws -> String? {
        let s = try prepare(sql)
        try s.bind(params)
        guard try s.step() else { return nil }
        return s.isNull(0) ? nil : s.text(0)
    }

    func error(_ rc: Int32, sql: String?) -> SQLiteError {
        SQLiteError(code: sqlite3_extended_errcode(handle), message: String(cString: sqlite3_errmsg(handle)), sql: sql)
    }

    /// Configures the SQLite library for multi-threaded use (each connection used by one thread at a
    /// time, no global mutexes per call) without memory statistics: faster bulk loads. Must be called
    /// before the first connection is opened; later calls are ignored. Also has glibc's malloc give
    /// freed memory back to the OS at a fixed threshold (shim.h): the peak RSS of an ingest of the
    /// 44.7 MB bench trace is 123 MiB with it, 128.5 MiB without.
    public static func configureForBulkLoad() {
        _ = tracedb_sqlite3_config_multi_thread()
        _ = tracedb_sqlite3_config_memstatus(0)
        tracedb_malloc_return_freed_memory()
    }
}

/// A value for binding or reading generically (used off the hot path).
public enum SQLValue: Sendable, Equatable, CustomStringConvertible {
    case null
    case int(Int64)
    case double(Double)
    case text(String)
    case blob([UInt8])

    public var description: String {
        switch self {
        case .null: "NULL"
        case .int(let v): String(v)
        case .double(let v): String(v)
        case .text(let s): s
        case .blob(let b): "<\(b.count) bytes>"
        }
    }
}

/// A prepared statement with typed binds (1-based) and column reads (0-based).
public final class Statement: @unchecked Sendable {
    let handle: OpaquePointer
    unowned let db: Database
    public let sql: String

    init(db: Database, handle: OpaquePointer, sql: String) {
        self.db = db; self.handle = handle; self.sql = sql
    }
    deinit { sqlite3_finalize(handle) }

    @inline(__always) public func bind(_ i: Int32, _ v: Int64) throws {
        let rc = sqlite3_bind_int64(handle, i, v)
        if rc != SQLITE_OK { throw db.error(rc, sql: sql) }
    }
    @inline(__always) public func bind(_ i: Int32, _ v: Int64?) throws {
        let rc = v.map { sqlite3_bind_int64(handle, i, $0) } ?? sqlite3_bind_null(handle, i)
        if rc != SQLITE_OK { throw db.error(rc, sql: sql) }
    }
    public func bind(_ i: Int32, _ v: Double) throws {
        let rc = sqlite3_bind_double(handle, i, v)
        if rc != SQLITE_OK { throw db.error(rc, sql: sql) }
    }
    public func bind(_ i: Int32, _ v: String?) throws {
        guard let v else { return try bindNull(i) }
        // The explicit byte count keeps a NUL inside the string (-1 would stop at it). A string from
        // a trace is bound as its exact bytes (GoTrace's `withTraceBytes`), valid UTF-8 or not.
        let rc = v.withTraceBytes { p -> Int32 in
            // (A NULL pointer would bind NULL, not the empty string.)
            guard let base = p.baseAddress else { return sqlite3_bind_text(handle, i, "", 0, tracedb_sqlite3_transient()) }
            return sqlite3_bind_text(handle, i, UnsafeRawPointer(base).assumingMemoryBound(to: CChar.self), Int32(p.count),
                                     tracedb_sqlite3_transient())
        }
        if rc != SQLITE_OK { throw db.error(rc, sql: sql) }
    }
    public func bind(_ i: Int32, _ v: [UInt8]) throws {
        let rc = v.withUnsafeBytes { sqlite3_bind_blob(handle, i, $0.baseAddress, Int32($0.count), tracedb_sqlite3_transient()) }
        if rc != SQLITE_OK { throw db.error(rc, sql: sql) }
    }
    @inline(__always) public func bindNull(_ i: Int32) throws {
        let rc = sqlite3_bind_null(handle, i)
        if rc != SQLITE_OK { throw db.error(rc, sql: sql) }
    }
    public func bind(_ i: Int32, _ v: SQLValue) throws {
        switch v {
        case .null: try bindNull(i)
        case .int(let x): try bind(i, x)
        case .double(let x): try bind(i, x)
        case .text(let s): try bind(i, s)
        case .blob(let b): try bind(i, b)
        }
    }
    /// Binds positional parameters 1…n.
    public func bind(_ values: [SQLValue]) throws {
        for (k, v) in values.enumerated() { try bind(Int32(k + 1), v) }
    }
    /// Binds a named parameter (`:name`); does nothing if the statement has no such parameter.
    public func bind(named name: String, _ v: SQLValue) throws {
        let i = sqlite3_bind_parameter_index(handle, name)
        if i > 0 { try bind(i, v) }
    }
    /// The names of the statement's parameters (`:trace_id`, …), in order.
    public var parameterNames: [String] {
        let n = sqlite3_bind_parameter_count(handle)
        guard n > 0 else { return [] }
        return (1...n).map { sqlite3_bind_parameter_name(handle, $0).map { String(cString: $0) } ?? "?\($0)" }
    }

    /// Advances to the next row: true if there is a row, false when done.
    @inline(__always) @discardableResult
    public func step() throws -> Bool {
        let rc = sqlite3_step(handle)
        if rc == SQLITE_ROW { return true }
        if rc == SQLITE_DONE { return false }
        throw db.error(rc, sql: sql)
    }
    /// Resets the statement for re-execution (bindings are kept).
    @inline(__always) public func reset() { sqlite3_reset(handle) }
    public func clearBindings() { sqlite3_clear_bindings(handle) }
    /// Runs the statement to completion (for INSERT/UPDATE/DELETE) and resets it.
    @inline(__always) public func run() throws {
        defer { sqlite3_reset(handle) }
        while try step() {}
    }

    public var columnCount: Int32 { sqlite3_column_count(handle) }
    public func columnName(_ i: Int32) -> String { String(cString: sqlite3_column_name(handle, i)) }
    public func isNull(_ i: Int32) -> Bool { sqlite3_column_type(handle, i) == SQLITE_NULL }
    @inline(__always) public func int64(_ i: Int32) -> Int64 { sqlite3_column_int64(handle, i) }
    public func double(_ i: Int32) -> Double { sqlite3_column_double(handle, i) }
    public func text(_ i: Int32) -> String {
        guard let p = sqlite3_column_text(handle, i) else { return "" }
        // By byte count, not up to the first NUL (a string from a trace may hold one).
        let n = Int(sqlite3_column_bytes(handle, i))
        return String(decoding: UnsafeBufferPointer(start: p, count: n), as: UTF8.self)
    }
    /// A text column holding a string from a trace, with its exact bytes (GoTrace's
    /// `String(traceBytes:)`), also when they are not valid UTF-8; `text(_:)` repairs them instead.
    public func traceText(_ i: Int32) -> String {
        guard let p = sqlite3_column_text(handle, i) else { return "" }
        return String(traceBytes: UnsafeBufferPointer(start: p, count: Int(sqlite3_column_bytes(handle, i))))
    }
    /// Whether the statement only reads (SQLite's `sqlite3_stmt_readonly`).
    public var isReadOnly: Bool { sqlite3_stmt_readonly(handle) != 0 }
    /// The value of column `i` in its own type.
    public func value(_ i: Int32) -> SQLValue {
        switch sqlite3_column_type(handle, i) {
        case SQLITE_INTEGER: return .int(int64(i))
        case SQLITE_FLOAT: return .double(double(i))
        case SQLITE_TEXT: return .text(text(i))
        case SQLITE_BLOB:
            let n = Int(sqlite3_column_bytes(handle, i))
            guard n > 0, let p = sqlite3_column_blob(handle, i) else { return .blob([]) }
            return .blob(Array(UnsafeRawBufferPointer(start: p, count: n)))
        default: return .null
        }
    }
}
