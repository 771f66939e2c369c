import Foundation

extension Warehouse {
    /// Records where a trace came from when it was not read from a file of its own: `stdin` for a
    /// pipe, the URL it was downloaded from. The loader reads such a trace from a temporary copy and
    /// stores that copy's path; this replaces it with `source` (runs are found by file name or path).
    public func setSource(traceID: Int64, path source: String) throws {
        let s = try db.prepare("UPDATE traces SET file_path = ? WHERE trace_id = ?")
        try s.bind(1, source); try s.bind(2, traceID); try s.run()
    }
}
