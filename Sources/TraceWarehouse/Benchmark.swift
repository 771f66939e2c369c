import CSQLite
import Foundation

/// Measurements for `tracedb bench`: the ingest rate and SQLite's own insert ceiling on this machine.
public enum WarehouseBenchmark {
    /// Peak resident set size of this process so far, in bytes (Linux: VmHWM).
    public static func peakRSS() -> Int64 {
        if let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) {
            for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
                let kb = line.split(separator: " ").compactMap { Int64($0) }.first ?? 0
                return kb * 1024
            }
        }
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Int64(usage.ru_maxrss) * 1024
    }

    /// CPU seconds (user + system) used by this process so far: on a shared, noisy machine this is a
    /// steadier measure than wall time.
    public static func cpuSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        func secs(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
        return secs(usage.ru_utime) + secs(usage.ru_stime)
    }

    /// The bare SQLite insert rate for tables of the given shapes (row count × integer columns), each a
    /// WITHOUT ROWID table keyed by its first two columns like the warehouse's, all in one
    /// transaction, with the same pragmas as the warehouse (WAL, synchronous=NORMAL), on one thread.
    /// `rowsPerStatement` 1 is the plain prepared-statement loop; 64 is the multi-row INSERT the
    /// loader uses. Returns (wall seconds, CPU seconds).
    public static func bareInsert(path: String, shapes: [(rows: Int, columns: Int)], rowsPerStatement: Int) throws -> (wall: Double, cpu: Double) {
        try? FileManager.default.removeItem(atPath: path)
        for suffix in ["-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        let db = try Database(path: path)
        try db.execute("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA cache_size = -16384")
        for (i, shape) in shapes.enumerated() {
            let cols = (0..<max(shape.columns, 2)).map { "c\($0)" }
            try db.execute("CREATE TABLE t\(i) (\(cols.map { "\($0) INTEGER" }.joined(separator: ", ")), PRIMARY KEY (c0, c1)) WITHOUT ROWID")
        }
        let start = Date()
        let cpu0 = cpuSeconds()
        try db.transaction {
            var x: Int64 = 0x9E37_79B9
            for (i, shape) in shapes.enumerated() {
                let columns = max(shape.columns, 2)
                let ins = try BatchInserter(db: db, table: "t\(i)", columns: (0..<columns).map { "c\($0)" },
                                            rowsPerStatement: rowsPerStatement)
                for r in 0..<shape.rows {
                    ins.add(1); ins.add(Int64(r))
                    for _ in 2..<columns {
                        // Small pseudo-random values of event-like widths (1–2 bytes).
                        x = x &* 6364136223846793005 &+ 1442695040888963407
                        ins.add((x >> 40) & 0xFFFF)
                    }
                    try ins.endRow()
                }
                try ins.flush()
            }
        }
        return (Date().timeIntervalSince(start), cpuSeconds() - cpu0)
    }
}
