/// Which goroutine state intervals are open at a point of a trace, without reading the trace from the
/// start: built once with one pass over the closing events (`events.iv_back`), it keeps, every
/// ``stride`` events, the closed intervals open there (begun before that event, closed at it or later).
/// ``closingSeqs(openBefore:db:)`` then answers for any seq with the checkpoint before it, the one after
/// it and at most ``stride`` events read on the primary key.
///
/// "Open before X": the interval began at an event before X (`start_seq < X`) and is closed by an
/// event at X or later (`end_seq >= X`). Intervals still open at the trace end are not here: they are
/// the rows of `goroutine_open_intervals`. A goroutine first seen at a status event has a first interval
/// that begins (start_ns) at a Sync long before that event: those are kept apart, by start time.
///
/// Memory: one pair of Int64 per interval per checkpoint it spans (the goroutines alive there).
public final class GoroutineCheckpoints: @unchecked Sendable {
    public static let defaultStride: Int64 = 65_536
    public let traceID: Int64
    public let stride: Int64
    /// Checkpoint k (seq k·stride): its intervals' start and end seqs.
    private let starts: [[Int64]]
    private let ends: [[Int64]]
    /// Closed first-seen intervals (iv_flags & 2): start_ns, start seq, end seq.
    private let firstSeen: [(startNs: Int64, start: Int64, end: Int64)]

    public init(db: Database, traceID: Int64, stride: Int64 = defaultStride) throws {
        precondition(stride > 0)
        self.traceID = traceID
        self.stride = stride
        let count = try db.scalarInt("SELECT coalesce(max(seq) + 1, 0) FROM events WHERE trace_id = ?", [.int(traceID)]) ?? 0
        let n = Int(count / stride) + 2
        var starts = [[Int64]](repeating: [], count: n), ends = [[Int64]](repeating: [], count: n)
        var firstSeen: [(startNs: Int64, start: Int64, end: Int64)] = []
        let s = try db.prepare("SELECT seq, iv_back, iv_flags, ts_ns - iv_dur_ns FROM events WHERE trace_id = ? AND iv_back IS NOT NULL")
        try s.bind(1, traceID)
        while try s.step() {
            let e = s.int64(0), b = e - s.int64(1)
            if s.int64(2) & 2 != 0 { firstSeen.append((s.int64(3), b, e)) }
            // Checkpoints P = k·stride with b < P <= e.
            var k = b / stride + 1
            while k * stride <= e {
                starts[Int(k)].append(b); ends[Int(k)].append(e)
                k += 1
            }
        }
        self.starts = starts
        self.ends = ends
        self.firstSeen = firstSeen
    }

    /// The closing seqs of the closed intervals open before `x` (start < x <= end) and of the closed
    /// first-seen ones begun by `t` ns (start_ns <= t) that close at `x` or later, ascending.
    public func closingSeqs(openBefore x: Int64, orBegunBy t: Int64, db: Database) throws -> [Int64] {
        let x = max(x, 0)
        let k = min(Int(x / stride), starts.count - 2)
        let p = Int64(k) * stride, q = p + stride
        var out: [Int64] = []
        for (b, e) in zip(starts[k], ends[k]) where e >= x { _ = b; out.append(e) }
        if x > p {
            for (b, e) in zip(starts[k + 1], ends[k + 1]) where b >= p && b < x { out.append(e) }
            let s = try db.prepare("""
                SELECT seq FROM events WHERE trace_id = ? AND seq >= ? AND seq < ? AND iv_back IS NOT NULL
                  AND seq - iv_back >= ? AND seq - iv_back < ?
                """)
            try s.bind([.int(traceID), .int(x), .int(q), .int(p), .int(x)])
            while try s.step() { out.append(s.int64(0)) }
        }
        for f in firstSeen where f.startNs <= t && f.end >= x { out.append(f.end) }
        return Array(Set(out)).sorted()
    }

    /// The same answer without checkpoints: every closing event from `x` to the trace end (one scan
    /// in SQLite; for a one-off export).
    public static func closingSeqs(openBefore x: Int64, orBegunBy t: Int64, db: Database, traceID: Int64) throws -> [Int64] {
        let s = try db.prepare("""
            SELECT seq FROM events WHERE trace_id = ?1 AND seq >= ?2 AND iv_back IS NOT NULL
              AND (seq - iv_back < ?2 OR (iv_flags & 2 <> 0 AND ts_ns - iv_dur_ns <= ?3)) ORDER BY seq
            """)
        try s.bind([.int(traceID), .int(max(x, 0)), .int(t)])
        var out: [Int64] = []
        while try s.step() { out.append(s.int64(0)) }
        return out
    }
}
