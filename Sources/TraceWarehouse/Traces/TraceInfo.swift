import Foundation

/// The facts about one trace that every exporter needs.
public struct TraceInfo: Sendable {
    public var id: Int64
    public var fileName: String
    public var sha256: String
    public var goVersion: String
    public var startAbsNs: Int64
    /// Trace end relative to its start (the final Sync): the duration.
    public var durationNs: Int64
    public var wallStartUnixNs: Int64?
    public var gomaxprocs: Int64?
    public var maxGomaxprocs: Int64?
    public var eventCount: Int64
    public var goroutineCount: Int64
    public var gcCount: Int64
    public var complete: Bool
    public var labels: [(key: String, value: String)]

    public init(db: Database, traceID: Int64) throws {
        let s = try db.prepare("""
            SELECT file_name, sha256, go_version, coalesce(start_abs_ns, 0), coalesce(duration_ns, 0), wall_start_unix_ns,
                   gomaxprocs, max_gomaxprocs, event_count, goroutine_count, gc_count, complete
            FROM traces WHERE trace_id = ?
            """)
        try s.bind(1, traceID)
        guard try s.step() else { throw WarehouseError("no trace with id \(traceID)") }
        id = traceID
        fileName = s.text(0); sha256 = s.text(1); goVersion = s.text(2)
        startAbsNs = s.int64(3); durationNs = s.int64(4)
        wallStartUnixNs = s.isNull(5) ? nil : s.int64(5)
        gomaxprocs = s.isNull(6) ? nil : s.int64(6)
        maxGomaxprocs = s.isNull(7) ? nil : s.int64(7)
        eventCount = s.int64(8); goroutineCount = s.int64(9); gcCount = s.int64(10)
        complete = s.int64(11) != 0
        let l = try db.prepare("SELECT key, value FROM trace_labels WHERE trace_id = ? ORDER BY key")
        try l.bind(1, traceID)
        var labels: [(String, String)] = []
        while try l.step() { labels.append((l.text(0), l.text(1))) }
        self.labels = labels
    }
}
