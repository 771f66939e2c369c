import Foundation
import GoTrace

/// What to do when ingesting a trace.
public struct IngestOptions: Sendable {
    /// User labels (`commit`, `branch`, …) stored in `trace_labels`.
    public var labels: [(key: String, value: String)] = []
    /// Re-ingest a file whose SHA-256 is already in the warehouse (the old rows are deleted).
    public var replace = false
    /// Called now and then with (bytes read, file size).
    public var progress: (@Sendable (Int, Int) -> Void)?
    /// Where the trace came from when the file read is only a temporary copy of it (`stdin`, a URL, a
    /// recorded command): stored as `traces.file_path` instead of the copy's path.
    public var source: String?
    public init(labels: [(key: String, value: String)] = [], replace: Bool = false,
                progress: (@Sendable (Int, Int) -> Void)? = nil) {
        self.labels = labels; self.replace = replace; self.progress = progress
    }
}

/// The outcome of ingesting one trace file.
public struct IngestResult: Sendable {
    public var traceID: Int64
    /// True if the file was already in the warehouse and nothing was done.
    public var skipped: Bool
    public var events: Int
    public var goroutines: Int
    public var durationNs: Int64
    public var gcCycles: Int
    public var complete: Bool
    public var warning: String?
    public var seconds: Double
    public var fileSize: Int
    /// CPU seconds of the SQLite writer thread (the rest of the ingest runs on the caller's thread).
    public var writerCPUSeconds: Double = 0
    /// Of `seconds`, the time of COMMIT and what follows it: the WAL checkpoint in an existing database;
    /// for a new one, the switch to WAL, the fsync and the link into place (`traces.ingest_seconds`,
    /// written inside the transaction, is `seconds` minus this).
    public var commitSeconds: Double = 0
    /// Wall seconds of each phase of the load, in order (the streaming pass, then each post-stream
    /// derivation), for `tracedb bench`.
    public var phases: [(name: String, seconds: Double)] = []
}

/// An ingest failed: names the file, what is wrong and where. The warehouse is unchanged.
public struct IngestError: Error, CustomStringConvertible, Sendable {
    public var file: String
    public var message: String
    public var description: String { "\(file): \(message)" }
}

/// Loads one trace into the warehouse in one transaction: every event, the lookup tables, the derived
/// intervals and Go's summary. Streaming: memory grows with the number of goroutines, stacks and
/// ranges, not with the number of events.
public final class TraceLoader {
    let warehouse: Warehouse
    var db: Database { warehouse.db }

    public init(warehouse: Warehouse) { self.warehouse = warehouse }

    public static let toolVersion = "0.1.0"

    /// Ingests the trace at `path`.
    public func ingest(path: String, options: IngestOptions = IngestOptions()) throws -> IngestResult {
        let started = Date()
        let attrs: [FileAttributeKey: Any]
        do { attrs = try FileManager.default.attributesOfItem(atPath: path) } catch {
            throw IngestError(file: path, message: "cannot read the file (\(error.localizedDescription))")
        }
        let size = (attrs[.size] as? NSNumber)?.intValue ?? 0
        if (attrs[.type] as? FileAttributeType) == .typeDirectory {
            throw IngestError(file: path, message: "is a folder, not a trace file")
        }
        // The header first: a file that is not a trace is refused before it is hashed (a big one would
        // take a while).
        let reader: TraceReader
        do { reader = try TraceReader(path: path) } catch let e as TraceError {
            throw IngestError(file: path, message: e.description)
        }
        let sha: String
        do { sha = try SHA256.hexDigest(ofFile: path) } catch {
            let posix = ((error as NSError).userInfo[NSUnderlyingErrorKey] as? NSError).map { String(cString: strerror(Int32($0.code))) }
            throw IngestError(file: path, message: "cannot read the file (\(posix ?? error.localizedDescription))")
        }

        do {
            if warehouse.isPendingCreation {
                // A new database: written whole into a temporary file, then put in place (NewDatabase.swift).
                let staged = try StagedDatabase(target: warehouse.path, maxPageCount: warehouse.maxPageCount)
                // One transaction still (without a journal it cannot roll back: a failure discards the file),
                // so that SQLite writes the pages once at the end instead of at every statement.
                var result = try staged.load { newDB in
                    try newDB.transaction {
                        try load(into: newDB, reader: reader, path: path, size: size, sha: sha, started: started, options: options)
                    }
                }
                if try staged.publish() {
                    try warehouse.attachToFile()
                    let total = Date().timeIntervalSince(started)
                    result.commitSeconds = total - result.seconds
                    result.seconds = total
                    return result
                }
                // Another process created the database meanwhile: load the trace into it as into any
                // existing database (from the start: a fresh reader).
                try warehouse.attachToFile()
                return try loadInTransaction(reader: TraceReader(path: path), path: path, size: size, sha: sha, started: started,
                                             options: options)
            }
            return try loadInTransaction(reader: reader, path: path, size: size, sha: sha, started: started, options: options)
        } catch let e as TraceError {
            throw IngestError(file: path, message: e.description)
        } catch let e as SQLiteError {
            if e.isDiskFull {
                throw IngestError(file: path, message: "the database or its disk is full (\(warehouse.path)); nothing was written")
            }
            if e.isReadOnly || e.isCantOpen {
                let why = Warehouse.explain(e, path: warehouse.path)?.message ?? e.message
                throw IngestError(file: path, message: "\(why); nothing was written")
            }
            if e.isBusy {
                throw IngestError(file: path, message: "the database \(warehouse.path) stayed locked by another process for longer than the busy timeout; nothing was written")
            }
            throw IngestError(file: path, message: "database error: \(e)")
        }
    }

    /// The existing-database path: the whole load in one transaction on the warehouse's connection.
    private func loadInTransaction(reader: TraceReader, path: String, size: Int, sha: String, started: Date,
                                   options: IngestOptions) throws -> IngestResult {
        var result = try db.transaction {
            try load(into: db, reader: reader, path: path, size: size, sha: sha, started: started, options: options)
        }
        if !result.skipped {
            let total = Date().timeIntervalSince(started)
            result.commitSeconds = total - result.seconds
            result.seconds = total
        }
        return result
    }

    /// Writes the trace's rows into `db` (inside the caller's transaction, or into a new database's
    /// temporary file); skips a file whose SHA-256 is there already unless `options.replace`.
    private func load(into db: Database, reader: TraceReader, path: String, size: Int, sha: String,
                      started: Date, options: IngestOptions) throws -> IngestResult {
        // A small page cache (2 MiB) for both paths: on the 42 MB bench trace a 16 MiB cache took the peak
        // over 128 MiB (143 MiB into an existing database) for no measurable gain in time (existing
        // database 29.9-33.4 s with 16 MiB, 31.9-33.7 s with 2 MiB; a new database 15.9-16.3 s either way).
        try? db.execute("PRAGMA cache_size = -2048")
        if let existing = try db.scalarInt("SELECT trace_id FROM traces WHERE sha256 = ?", [.text(sha)]) {
            if !options.replace {
                return IngestResult(traceID: existing, skipped: true, events: 0, goroutines: 0, durationNs: 0,
                                    gcCycles: 0, complete: true, warning: nil, seconds: 0, fileSize: size)
            }
            try warehouse.deleteTrace(existing)  // (only an existing database has one)
        }
        let absPath = options.source ?? URL(fileURLWithPath: path).standardizedFileURL.path
        let ins = try db.prepare("""
            INSERT INTO traces(file_name, file_path, file_size, sha256, go_version, ingested_at, tracedb_version, complete)
            VALUES (?, ?, ?, ?, ?, ?, ?, 0)
            """)
        try ins.bind(1, (path as NSString).lastPathComponent)
        try ins.bind(2, absPath)
        try ins.bind(3, Int64(size))
        try ins.bind(4, sha)
        try ins.bind(5, "go1.\(reader.goVersion)")
        try ins.bind(6, ISO8601DateFormatter().string(from: started))
        try ins.bind(7, Self.toolVersion)
        try ins.run()
        let traceID = db.lastInsertRowID
        let lab = try db.prepare("INSERT OR REPLACE INTO trace_labels(trace_id, key, value) VALUES (?, ?, ?)")
        for l in options.labels {
            try lab.bind(1, traceID); try lab.bind(2, l.key); try lab.bind(3, l.value); try lab.run()
        }
        let load = try TraceLoad(db: db, traceID: traceID, reader: reader, path: path, size: size, progress: options.progress)
        var result = try load.run()
        result.seconds = Date().timeIntervalSince(started)
        let upd = try db.prepare("UPDATE traces SET ingest_seconds = ? WHERE trace_id = ?")
        try upd.bind(1, result.seconds); try upd.bind(2, traceID); try upd.run()
        return result
    }
}
