import CSQLite

/// Inserts rows of integers into one table through multi-row `INSERT` statements (64 rows per
/// statement), the fastest way to load SQLite from a prepared statement. `nil` becomes NULL.
///
/// Rows are buffered; call ``flush()`` before reading the table or committing.
final class BatchInserter {
    static let null = Int64.min
    let columns: Int
    let rowsPerStatement: Int
    private let bulk: Statement
    private let single: Statement
    private var values: [Int64]
    private var rows = 0
    private var col = 0
    private(set) var inserted = 0

    init(db: Database, table: String, columns names: [String], rowsPerStatement: Int = 64) throws {
        columns = names.count
        self.rowsPerStatement = rowsPerStatement
        let one = "(" + Array(repeating: "?", count: names.count).joined(separator: ",") + ")"
        let head = "INSERT INTO \(table)(\(names.joined(separator: ","))) VALUES "
        bulk = try db.prepare(head + Array(repeating: one, count: rowsPerStatement).joined(separator: ","))
        single = try db.prepare(head + one)
        values = [Int64](repeating: 0, count: names.count * rowsPerStatement)
    }

    @inline(__always) func add(_ v: Int64) {
        values[rows &* columns &+ col] = v
        col &+= 1
    }
    @inline(__always) func add(_ v: Int64?) { add(v ?? Self.null) }
    @inline(__always) func add(_ v: Int) { add(Int64(v)) }
    /// Adds a goroutine/proc/thread id, turning Go's -1 ("none") into NULL.
    @inline(__always) func addID(_ v: Int64) { add(v < 0 ? Self.null : v) }

    @inline(__always) func endRow() throws {
        precondition(col == columns, "row has \(col) values, table has \(columns) columns")
        col = 0
        rows &+= 1
        if rows == rowsPerStatement { try write(bulk, rows: rows) ; rows = 0 }
    }

    func flush() throws {
        for r in 0..<rows { try write(single, rows: 1, from: r) }
        rows = 0
    }

    private func write(_ s: Statement, rows n: Int, from first: Int = 0) throws {
        let h = s.handle
        var p: Int32 = 1
        for i in (first * columns)..<((first + n) * columns) {
            let v = values[i]
            if v == Self.null { sqlite3_bind_null(h, p) } else { sqlite3_bind_int64(h, p, v) }
            p &+= 1
        }
        try s.run()
        inserted &+= n
    }
}
