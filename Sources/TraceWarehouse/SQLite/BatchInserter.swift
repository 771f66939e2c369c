import CSQLite

/// Inserts rows of integers into one table through multi-row `INSERT` statements (64 rows per
/// statement), the fastest way to load SQLite from a prepared statement. ``null`` becomes NULL.
///
/// Rows are collected in chunks of `chunkStatements` statements; a full chunk is handed to the
/// ``WriteQueue`` (written on the writer thread while the caller goes on). Call ``flush()`` to queue
/// the rest, and finish the queue before reading the table or committing.
///
/// Hot loops fill a row in place: `let r = ins.row(); r[0] = …; try ins.commitRow()` (one access to
/// the inserter per row); `add(_:)` … `endRow()` does the same value by value.
final class BatchInserter {
    static let null = Int64.min
    let columns: Int
    let rowsPerStatement: Int
    let chunkRows: Int
    private let bulk: Statement
    private let single: Statement
    /// What is bound to each parameter of `bulk` and `single` now (bindings survive sqlite3_reset; a
    /// fresh statement's parameters are NULL), so a value equal to the last one bound there (trace_id,
    /// the NULLs of rare columns) is not bound again.
    @exclusivity(unchecked) private var bulkBound: [Int64]
    @exclusivity(unchecked) private var singleBound: [Int64]
    private let queue: WriteQueue
    /// The chunk being filled: chunkRows × columns values.
    @exclusivity(unchecked) private var values: UnsafeMutablePointer<Int64>
    @exclusivity(unchecked) private var rows = 0
    @exclusivity(unchecked) private var col = 0
    @exclusivity(unchecked) private(set) var inserted = 0

    init(db: Database, table: String, columns names: [String], rowsPerStatement: Int = 64,
         chunkStatements: Int = 16, queue: WriteQueue = .inline()) throws {
        columns = names.count
        self.rowsPerStatement = rowsPerStatement
        self.queue = queue
        chunkRows = rowsPerStatement * max(chunkStatements, 1)
        let one = "(" + Array(repeating: "?", count: names.count).joined(separator: ",") + ")"
        let head = "INSERT INTO \(table)(\(names.joined(separator: ","))) VALUES "
        bulk = try db.prepare(head + Array(repeating: one, count: rowsPerStatement).joined(separator: ","))
        single = try db.prepare(head + one)
        bulkBound = [Int64](repeating: Self.null, count: names.count * rowsPerStatement)
        singleBound = [Int64](repeating: Self.null, count: names.count)
        values = queue.buffer(count: names.count * chunkRows)
    }

    deinit { queue.recycle(values, count: columns * chunkRows) }

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
        if rows == chunkRows { try ship() }
    }

    /// The next row's `columns` slots, to fill before ``commitRow()``.
    @inline(__always) func row() -> UnsafeMutablePointer<Int64> { values + rows &* columns }

    /// Ends a row filled through ``row()``.
    @inline(__always) func commitRow() throws {
        rows &+= 1
        if rows == chunkRows { try ship() }
    }

    /// Queues the rows collected so far.
    func flush() throws {
        if rows > 0 { try ship() }
    }

    private func ship() throws {
        let chunk = values, n = rows, count = columns * chunkRows
        rows = 0
        inserted &+= n
        if queue.inline {
            try write(chunk, rows: n)
        } else {
            values = queue.buffer(count: count)
            try queue.submit { [self] run in
                defer { self.queue.recycle(chunk, count: count) }
                if run { try self.write(chunk, rows: n) }
            }
        }
    }

    /// Binds and runs `n` rows of `chunk` (on the writer thread).
    private func write(_ v: UnsafeMutablePointer<Int64>, rows n: Int) throws {
        var r = 0
        try bulkBound.withUnsafeMutableBufferPointer { bound in
            while r + rowsPerStatement <= n {
                try run(bulk, v, from: r, rows: rowsPerStatement, bound: bound)
                r += rowsPerStatement
            }
        }
        try singleBound.withUnsafeMutableBufferPointer { bound in
            while r < n {
                try run(single, v, from: r, rows: 1, bound: bound)
                r += 1
            }
        }
    }

    @inline(__always) private func run(_ s: Statement, _ v: UnsafeMutablePointer<Int64>, from first: Int, rows n: Int,
                                       bound: UnsafeMutableBufferPointer<Int64>) throws {
        let h = s.handle
        var p: Int32 = 1
        var k = 0
        for i in (first * columns)..<((first + n) * columns) {
            let x = v[i]
            if bound[k] != x {
                if x == Self.null { sqlite3_bind_null(h, p) } else { sqlite3_bind_int64(h, p, x) }
                bound[k] = x
            }
            p &+= 1
            k &+= 1
        }
        try s.run()
    }
}
