import ArgumentParser
import Foundation
import GoTrace
import TraceWarehouse

struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure ingest speed against SQLite's own insert ceiling on this machine.",
        discussion: """
        Ingests FILE into a fresh database (and, with --preload N, into one that already holds N copies), \
        then times a bare SQLite insert loop of the same row count and width. Prints events/s, MB/s, \
        rows/s, peak RSS and database bytes per event.

        Example:
          tracedb bench /tmp/large.trace --preload 10
        """
    )

    @Argument(help: "A trace file.") var file: String
    @Option(help: "Also ingest into a database that already holds N other traces (the same file re-labelled).")
    var preload: Int = 0
    @Option(help: "Folder for the scratch databases.") var dir: String = NSTemporaryDirectory()
    @Flag(help: "Skip the bare SQLite insert measurement.") var noBare = false

    func run() throws {
        Database.configureForBulkLoad()
        let size = (try FileManager.default.attributesOfItem(atPath: file)[.size] as? NSNumber)?.intValue ?? 0
        let dbPath = (dir as NSString).appendingPathComponent("tracedb-bench-\(getpid()).db")
        defer { for s in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: dbPath + s) } }
        for s in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: dbPath + s) }

        // As `tracedb ingest` creates a database: written whole into a temporary file, then put in place.
        let w = try Warehouse(path: dbPath, deferCreation: true)
        let cpu0 = WarehouseBenchmark.cpuSeconds()
        let r = try TraceLoader(warehouse: w).ingest(path: file)
        let ingestCPU = WarehouseBenchmark.cpuSeconds() - cpu0
        let shapes = try w.tableShapes()
        let rows = shapes.reduce(0) { $0 + $1.rows }
        let dbBytes = try w.fileBytes()
        report("ingest (fresh database)", r, size: size, rows: rows, dbBytes: dbBytes)
        print(String(format: "  CPU time %.2f s (%.2f s on the SQLite writer thread, %.2f s parsing and deriving) = %.2fM events/s, %.2fM rows/s of CPU",
                     ingestCPU, r.writerCPUSeconds, ingestCPU - r.writerCPUSeconds,
                     Double(r.events) / ingestCPU / 1e6, Double(rows) / ingestCPU / 1e6))
        print(String(format: "  wall %.2f s = %.2f s loading + %.2f s COMMIT, sync and putting the file in place", r.seconds, r.seconds - r.commitSeconds, r.commitSeconds))
        print("  phases: " + r.phases.map { String(format: "%@ %.2f s", $0.name, $0.seconds) }.joined(separator: ", "))
        print("  rows: " + shapes.map { "\($0.table) \($0.rows)×\($0.columns)" }.joined(separator: ", "))

        if preload > 0 {
            for s in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: dbPath + s) }
            let w2 = try Warehouse(path: dbPath)
            let loader = TraceLoader(warehouse: w2)
            for i in 0..<preload {
                _ = try loader.ingest(path: file, options: IngestOptions(labels: [("copy", "\(i)")], replace: true))
                try w2.forgetHash()
            }
            let c2 = WarehouseBenchmark.cpuSeconds()
            let r2 = try loader.ingest(path: file)
            print(String(format: "  CPU time %.2f s", WarehouseBenchmark.cpuSeconds() - c2))
            report("ingest (database with \(preload) traces)", r2, size: size, rows: nil, dbBytes: nil)
        }
        if !noBare {
            let bare = dbPath + ".bare"
            defer { for s in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: bare + s) } }
            // The same tables, row counts and widths as the ingest wrote, inserted by a bare loop.
            let bareShapes = shapes.map { (rows: $0.rows, columns: $0.columns) }
            for (label, per) in [("bare insert, 1 row/statement", 1), ("bare insert, 64 rows/statement", 64)] {
                let t = try WarehouseBenchmark.bareInsert(path: bare, shapes: bareShapes, rowsPerStatement: per)
                print(String(format: "%@: the same %d rows in %d tables of the same widths in %.2f s wall, %.2f s CPU = %.2fM rows/s; ingest reached %.0f%% of that rate (wall), %.0f%% (CPU)",
                             label, rows, bareShapes.count, t.wall, t.cpu, Double(rows) / t.wall / 1e6,
                             100 * t.wall / r.seconds, 100 * t.cpu / ingestCPU))
            }
        }
        print(String(format: "peak RSS: %.1f MiB", Double(WarehouseBenchmark.peakRSS()) / 1048576))
    }

    func report(_ label: String, _ r: IngestResult, size: Int, rows: Int?, dbBytes: Int64?) {
        var s = String(format: "%@: %d events in %.2f s = %.2fM events/s, %.1f MB/s", label, r.events, r.seconds,
                       Double(r.events) / r.seconds / 1e6, Double(size) / r.seconds / 1e6)
        if let rows { s += String(format: "; %d rows = %.2fM rows/s", rows, Double(rows) / r.seconds / 1e6) }
        if let dbBytes {
            s += String(format: "; database %.1f MB = %.1f bytes/event = %.1f× the trace", Double(dbBytes) / 1e6,
                        Double(dbBytes) / Double(r.events), Double(dbBytes) / Double(max(size, 1)))
        }
        print(s)
    }
}
