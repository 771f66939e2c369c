import CSQLite
import Foundation

/// An SQL error located in its source: `FILE:LINE:COLUMN: message` (file and position when known).
public struct LocatedSQLError: Error, CustomStringConvertible, Sendable {
    public var file: String?
    public var line: Int?
    public var column: Int?
    public var message: String
    /// The parameter (without `:`) that had no value, when that is the error.
    public var unboundParameter: String?
    public init(file: String?, line: Int?, column: Int? = nil, message: String, unboundParameter: String? = nil) {
        self.file = file; self.line = line; self.column = column; self.message = message
        self.unboundParameter = unboundParameter
    }
    public var description: String {
        var loc = file ?? ""
        if let line { loc += (loc.isEmpty ? "line " : ":") + "\(line)" }
        if let column, line != nil { loc += ":\(column)" }
        return loc.isEmpty ? message : "\(loc): \(message)"
    }
}

/// Ad hoc SQL that writes was run without allowing writes.
public struct WriteRefusedError: Error, Sendable {
    public var statement: String
    /// The statement, trimmed and cut to 80 characters.
    public var shortStatement: String {
        let s = statement.trimmingCharacters(in: .whitespacesAndNewlines)
        return s.count > 80 ? String(s.prefix(80)) + "…" : s
    }
}

/// Parameter values that cannot be used; the CLI words them (naming its flags).
public enum QueryParamError: Error, Sendable, Equatable {
    /// A pair that is not `name=value`.
    case notNameValue(String)
    /// The same name twice.
    case givenTwice(String)
    /// `trace_id` given as a parameter when the trace is chosen separately.
    case traceIDGivenAsParameter
}

/// The rows a query returned.
public struct QueryResult: Sendable, Equatable {
    public var columns: [String]
    public var rows: [[SQLValue]]
    public init(columns: [String], rows: [[SQLValue]]) { self.columns = columns; self.rows = rows }

    /// The index of a column by name.
    public func index(of column: String) -> Int? { columns.firstIndex(of: column) }

    /// The values of one column.
    public func column(_ name: String) -> [SQLValue]? {
        guard let i = index(of: name) else { return nil }
        return rows.map { $0[i] }
    }
}

/// Errors from running a saved query with the wrong parameters.
public struct QueryParameterError: Error, CustomStringConvertible, Sendable {
    public var query: String
    public var message: String
    public var description: String { "\(query): \(message)" }
}

/// Parameter values given as `name=value` text (the CLI's `--param`).
public enum QueryParams {
    /// `["top=5", "trace_id=3"]` → named values. Integers and reals become numbers, `null` NULL, the rest text.
    public static func parse(_ pairs: [String]) throws -> [String: SQLValue] {
        var out: [String: SQLValue] = [:]
        for p in pairs {
            guard let i = p.firstIndex(of: "="), i != p.startIndex else {
                throw QueryParamError.notNameValue(p)
            }
            var name = String(p[..<i]).trimmingCharacters(in: .whitespaces)
            if let f = name.first, ":@$".contains(f) { name.removeFirst() }
            guard !name.isEmpty else { throw QueryParamError.notNameValue(p) }
            if out[name] != nil { throw QueryParamError.givenTwice(name) }
            out[name] = value(String(p[p.index(after: i)...]))
        }
        return out
    }

    /// The SQL value of a command-line string.
    public static func value(_ s: String) -> SQLValue {
        if let n = Int64(s) { return .int(n) }
        if s.lowercased() == "null" { return .null }
        if let d = Double(s), d.isFinite, s.contains(where: { $0.isNumber }) { return .double(d) }
        return .text(s)
    }
}

extension Database {
    /// Byte offset (UTF-8) of the last error in the SQL text, or nil.
    var lastErrorOffset: Int? {
        let o = Int(sqlite3_error_offset(handle))
        return o >= 0 ? o : nil
    }
}

/// Line and column (1-based) of a UTF-8 byte offset in `text`.
func lineAndColumn(_ text: String, byteOffset: Int) -> (line: Int, column: Int) {
    var line = 1, col = 1
    for (i, b) in text.utf8.enumerated() {
        if i >= byteOffset { break }
        if b == UInt8(ascii: "\n") { line += 1; col = 1 } else if b & 0xC0 != 0x80 { col += 1 }
    }
    return (line, col)
}

/// The one query runner: saved queries (with their named parameters bound, never spliced into the SQL
/// text), saved queries for one trace, and ad hoc SQL (`tracedb sql`), with errors that say where.
public enum QueryRunner {
    /// Runs `query` on `db`. `params` maps parameter names (without `:`) to values; parameters not given
    /// are bound to NULL, which the SQL turns into the default. A name the query does not take is an error.
    public static func run(_ query: SavedQuery, db: Database, params: [String: SQLValue] = [:]) throws -> QueryResult {
        let stmt = try db.prepare(query.sql)
        let names = stmt.parameterNames
        let bare = Set(names.map(bareName))
        for key in params.keys.sorted() {
            let k = key.hasPrefix(":") ? String(key.dropFirst()) : key
            guard bare.contains(k) else {
                let known = query.params.map(\.name).joined(separator: ", ")
                throw QueryParameterError(query: query.name, message: "unknown parameter '\(k)' (this query takes: \(known.isEmpty ? "none" : known))")
            }
        }
        for (i, name) in names.enumerated() {
            let k = bareName(name)
            let v = params[k] ?? params[":" + k] ?? .null
            try stmt.bind(Int32(i + 1), v)
        }
        let n = stmt.columnCount
        let columns = (0..<n).map { stmt.columnName($0) }
        var rows: [[SQLValue]] = []
        while try stmt.step() {
            rows.append((0..<n).map { stmt.value($0) })
        }
        return QueryResult(columns: columns, rows: rows)
    }

    /// The parameter names (without `:`) the query's statement uses; a compile error names the file and line.
    public static func parameters(of query: SavedQuery, db: Database) throws -> [String] {
        let stmt = try prepareLocated(query.sql, file: query.sourcePath, db: db)
        return stmt.parameterNames.map(bareName)
    }

    /// A statement's parameter name without its `:`, `@` or `$`.
    static func bareName(_ name: String) -> String {
        if let f = name.first, ":@$".contains(f) { return String(name.dropFirst()) }
        return name
    }

    /// Runs `query` on `db` for trace `traceID` (bound to `:trace_id` when the query takes it) with
    /// `params`. `strict`: a parameter the query does not take is an error; otherwise it is ignored
    /// (a `compare --param` applies to the queries that take it).
    public static func run(_ query: SavedQuery, db: Database, traceID: Int64?, params: [String: SQLValue] = [:],
                           strict: Bool = true) throws -> QueryResult {
        let names = try parameters(of: query, db: db)
        var bound = params
        if let traceID {
            if params["trace_id"] != nil { throw QueryParamError.traceIDGivenAsParameter }
            if names.contains("trace_id") { bound["trace_id"] = .int(traceID) }
        }
        if !strict { bound = bound.filter { names.contains($0.key) } }
        do {
            return try run(query, db: db, params: bound)
        } catch let e as QueryParameterError {
            throw InputError(e.description)
        } catch let e as SQLiteError {
            throw LocatedSQLError(file: query.sourcePath, line: nil, message: "query \(query.name) failed: \(e.message)")
        }
    }

    /// Prepares one statement; a compile error is located (file, line, column) when SQLite says where.
    static func prepareLocated(_ sql: String, file: String?, db: Database) throws -> Statement {
        do {
            return try db.prepare(sql)
        } catch let e as SQLiteError {
            throw located(e, sql: sql, startOffset: 0, db: db, file: file)
        }
    }

    static func located(_ e: SQLiteError, sql: String, startOffset: Int, db: Database, file: String?) -> LocatedSQLError {
        if let off = db.lastErrorOffset {
            let (l, c) = lineAndColumn(sql, byteOffset: startOffset + off)
            return LocatedSQLError(file: file, line: l, column: c, message: e.message)
        }
        // No position from SQLite: an unfinished statement is reported at its end, anything else where
        // the statement starts (after the header comments).
        let bytes = Array(sql.utf8)
        let at = e.message.contains("incomplete input")
            ? bytes.lastIndex { $0 != 0x20 && $0 != 0x0A && $0 != 0x0D && $0 != 0x09 } ?? 0
            : startOffset + leadingSpace(bytes, from: startOffset)
        return LocatedSQLError(file: file, line: lineAndColumn(sql, byteOffset: at).line, message: e.message)
    }
}

/// The outcome of one statement of ad hoc SQL run by ``QueryRunner``.
public struct SQLStatementResult: Sendable {
    /// The statement's text.
    public var sql: String
    /// The rows, for statements that return columns (SELECT, PRAGMA …); nil otherwise.
    public var result: QueryResult?
    /// Rows changed (writing statements).
    public var changes: Int
    /// The statement returned more rows than the `maxRows` it was run with; `result` holds the first ones.
    public var truncated = false
}

/// Ad hoc SQL (`tracedb sql`): one or more statements, in order.
extension QueryRunner {
    /// Runs every statement of `sql` in order. Unless `allowWrite`, a statement that writes
    /// (`sqlite3_stmt_readonly` false) is refused before it runs. `params` binds named parameters
    /// (`:name`); `unused` returns the names no statement took. `file` names the source in errors.
    /// `maxRows` stops reading a statement's rows after that many (``SQLStatementResult/truncated``):
    /// a server must not hold an endless `WITH RECURSIVE` in memory.
    public static func run(_ sql: String, db: Database, allowWrite: Bool, params: [String: SQLValue] = [:],
                           file: String? = nil, maxRows: Int? = nil, unused: inout [String]) throws -> [SQLStatementResult] {
        var results: [SQLStatementResult] = []
        var used = Set<String>()
        let bytes = Array(sql.utf8)
        var offset = 0
        while offset < bytes.count {
            var stmtHandle: OpaquePointer?
            var consumed = 0
            let rc: Int32 = bytes.withUnsafeBufferPointer { buf in
                buf.baseAddress!.withMemoryRebound(to: CChar.self, capacity: buf.count) { base in
                    let start = base + offset
                    var tail: UnsafePointer<CChar>?
                    let rc = sqlite3_prepare_v2(db.handle, start, Int32(buf.count - offset), &stmtHandle, &tail)
                    if let tail { consumed = tail - UnsafePointer(start) } else { consumed = buf.count - offset }
                    return rc
                }
            }
            if rc != SQLITE_OK {
                throw located(db.error(rc, sql: nil), sql: sql, startOffset: offset, db: db, file: file)
            }
            let startLine = lineAndColumn(sql, byteOffset: offset + leadingSpace(bytes, from: offset)).line
            offset += max(consumed, 1)
            guard let h = stmtHandle else { continue }  // only whitespace or comments
            let text = sqlite3_sql(h).map { String(cString: $0) } ?? ""
            let stmt = Statement(db: db, handle: h, sql: text)
            if !allowWrite && !stmt.isReadOnly { throw WriteRefusedError(statement: text) }
            for (i, name) in stmt.parameterNames.enumerated() {
                let k = bareName(name)
                guard let v = params[k] else {
                    throw LocatedSQLError(file: file, line: startLine, message: "parameter \(name) has no value", unboundParameter: k)
                }
                used.insert(k)
                try stmt.bind(Int32(i + 1), v)
            }
            let n = stmt.columnCount
            do {
                if n > 0 {
                    let columns = (0..<n).map { stmt.columnName($0) }
                    var rows: [[SQLValue]] = []
                    var truncated = false
                    while try stmt.step() {
                        if let maxRows, rows.count >= maxRows { truncated = true; break }
                        rows.append((0..<n).map { stmt.value($0) })
                    }
                    results.append(SQLStatementResult(sql: text, result: QueryResult(columns: columns, rows: rows), changes: 0,
                                                      truncated: truncated))
                } else {
                    while try stmt.step() {}
                    results.append(SQLStatementResult(sql: text, result: nil, changes: db.changes))
                }
            } catch let e as SQLiteError {
                throw LocatedSQLError(file: file, line: startLine, message: e.message)
            }
        }
        unused = params.keys.filter { !used.contains($0) }.sorted()
        return results
    }

    /// Bytes of whitespace and `--` comments from `from` (to find the line a statement starts on).
    static func leadingSpace(_ bytes: [UInt8], from: Int) -> Int {
        var i = from
        while i < bytes.count {
            let b = bytes[i]
            if b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09 { i += 1; continue }
            if b == UInt8(ascii: "-"), i + 1 < bytes.count, bytes[i + 1] == UInt8(ascii: "-") {
                while i < bytes.count && bytes[i] != 0x0A { i += 1 }
                continue
            }
            break
        }
        return i - from
    }
}
