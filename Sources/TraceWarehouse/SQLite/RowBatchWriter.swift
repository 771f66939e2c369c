/// Writes rows of mixed values (integers, text) through multi-row `INSERT` statements, 64 rows to a
/// statement, on the caller's thread: the post-stream derived tables (lengths, wait_lengths,
/// wakeup_lengths) write a few hundred thousand rows each, which one-row statements took ~3 µs a row
/// to run. ``BatchInserter`` is the integer-only sibling that hands its rows to the writer thread.
///
/// `suffix` follows the VALUES list (an `ON CONFLICT … DO UPDATE` clause: a key repeated within one
/// statement updates the row its first occurrence inserted, as with one row a statement).
///
/// ```swift
/// let w = try RowBatchWriter(db: db, insert: "INSERT INTO t(a, b)", columns: 2)
/// w.add(.int(1)); w.add(.text("x")); try w.endRow()
/// try w.flush()
/// ```
final class RowBatchWriter {
    let columns: Int
    let rowsPerStatement: Int
    private let bulk: Statement
    private let single: Statement
    /// The rows not written yet: up to rowsPerStatement × columns values.
    @exclusivity(unchecked) private var values: [SQLValue]
    @exclusivity(unchecked) private var count = 0
    @exclusivity(unchecked) private(set) var written = 0

    init(db: Database, insert head: String, columns: Int, suffix: String = "", rowsPerStatement: Int = 64) throws {
        precondition(columns > 0 && rowsPerStatement > 0)
        self.columns = columns
        self.rowsPerStatement = rowsPerStatement
        let one = "(" + Array(repeating: "?", count: columns).joined(separator: ",") + ")"
        bulk = try db.prepare(head + " VALUES " + Array(repeating: one, count: rowsPerStatement).joined(separator: ",") + " " + suffix)
        single = try db.prepare(head + " VALUES " + one + " " + suffix)
        values = Array(repeating: .null, count: columns * rowsPerStatement)
    }

    /// The next value of the current row.
    @inline(__always) func add(_ v: SQLValue) {
        values[count] = v
        count += 1
    }

    /// Ends a row of `columns` values; writes a full statement's worth.
    @inline(__always) func endRow() throws {
        precondition(count % columns == 0, "a row of \(columns) values expected")
        if count == values.count { try write() }
    }

    /// Writes the rows added so far.
    func flush() throws {
        precondition(count % columns == 0, "a row of \(columns) values expected")
        let rows = count / columns
        guard rows > 0 else { return }
        if rows == rowsPerStatement { return try write() }
        for r in 0..<rows {
            for c in 0..<columns { try single.bind(Int32(c + 1), values[r * columns + c]) }
            try single.run()
        }
        written += rows
        count = 0
    }

    private func write() throws {
        for i in 0..<count { try bulk.bind(Int32(i + 1), values[i]) }
        try bulk.run()
        written += rowsPerStatement
        count = 0
    }
}
