import TraceWarehouse

/// Reads stacks (leaf first) of one trace from `stack_frames`/`frames`, caching them by id.
final class StackReader {
    private let stmt: Statement
    private let traceID: Int64
    private var cache: [Int64: [ProfileFrame]] = [:]

    init(db: Database, traceID: Int64) throws {
        self.traceID = traceID
        stmt = try db.prepare("""
            SELECT fr.pc, fn.name, fl.path, fr.line
            FROM stack_frames sf
            JOIN frames fr ON fr.trace_id = sf.trace_id AND fr.frame_id = sf.frame_id
            JOIN funcs fn ON fn.trace_id = fr.trace_id AND fn.func_id = fr.func_id
            JOIN files fl ON fl.trace_id = fr.trace_id AND fl.file_id = fr.file_id
            WHERE sf.trace_id = ? AND sf.stack_id = ?
            ORDER BY sf.depth
            """)
    }

    /// The frames of stack `id`, leaf first; empty for no stack.
    func frames(_ id: Int64?) throws -> [ProfileFrame] {
        guard let id else { return [] }
        if let f = cache[id] { return f }
        stmt.reset()
        try stmt.bind(1, traceID); try stmt.bind(2, id)
        var out: [ProfileFrame] = []
        while try stmt.step() {
            out.append(ProfileFrame(pc: UInt64(bitPattern: stmt.int64(0)), function: stmt.text(1), file: stmt.text(2),
                                    line: stmt.int64(3)))
        }
        stmt.reset()
        cache[id] = out
        return out
    }
}
