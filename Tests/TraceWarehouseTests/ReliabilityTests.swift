import Foundation
import GoTrace
import Testing
import TestSupport
@testable import TraceWarehouse

/// One trace is one transaction; cut-off traces load up to their last complete generation.
@Suite("Ingest reliability")
struct ReliabilityTests {
    /// tracegolden's sample trace (Fixtures/tracegolden-sample).
    static var sample: String { GoldenTrace.all[0].trace }

    /// A fingerprint of everything in the database: every table's row count and content checksum.
    static func fingerprint(_ w: TempWarehouse) throws -> [String] {
        let tables = try w.rows("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name").map { $0[0] }
        return try tables.map { t in
            let rows = try w.rows("SELECT * FROM \"\(t)\"")
            var h = SHA256()
            for r in rows.map({ $0.joined(separator: "\t") }).sorted() { h.update(Array((r + "\n").utf8)) }
            return "\(t) \(rows.count) " + h.finalize().prefix(8).map { String(format: "%02x", $0) }.joined()
        }
    }

    @Test("an invalid trace leaves the database exactly as it was")
    func invalidTraceRollsBack() throws {
        // Go's own trace that its reader refuses part way (Fixtures/go-conformance); fails if missing.
        let bad = RepoPaths.conformance("tests", "go122-create-syscall-with-p", ".trace").path
        _ = try requireBytes(URL(fileURLWithPath: bad))
        let w = try TempWarehouse()
        try w.ingest(Self.sample)
        let before = try Self.fingerprint(w)
        #expect(throws: IngestError.self) { try w.ingest(bad) }
        do { try w.ingest(bad) } catch let e as IngestError {
            #expect(e.description.contains("go122-create-syscall-with-p.trace"))
            #expect(e.description.contains("expected a proc but didn't have one"))
        }
        #expect(try Self.fingerprint(w) == before)
    }

    @Test("a file that is not a trace gives a clear error and no rows")
    func notATrace() throws {
        let w = try TempWarehouse()
        let path = w.dir.appendingPathComponent("notes.txt").path
        try "hello, this is not a trace\n".write(toFile: path, atomically: true, encoding: .utf8)
        let before = try Self.fingerprint(w)
        #expect(throws: IngestError.self) { try w.ingest(path) }
        #expect(try Self.fingerprint(w) == before)
    }

    @Test("a trace cut off mid-way is ingested up to its last complete generation and marked incomplete")
    func truncatedTrace() throws {
        // Go's three-generation trace (the fixtures hold one generation each).
        let big = RepoPaths.conformance("tests", "go125-sync", ".trace").path
        let bytes = try Array(Data(contentsOf: URL(fileURLWithPath: big)))
        // Count the generations and cut inside the last one.
        let full = try countEvents(TraceReader(bytes: bytes))
        try #require(full.syncs >= 3, "\(big): \(full.syncs) Sync events, want several generations to cut inside the last")
        let cut = Array(bytes.prefix(bytes.count - 64))
        let partial = try countEvents(TraceReader(bytes: cut))
        #expect(partial.error?.kind == .truncated)
        let w = try TempWarehouse()
        let path = w.dir.appendingPathComponent("cut.trace").path
        try Data(cut).write(to: URL(fileURLWithPath: path))
        let r = try w.ingest(path)
        #expect(r.complete == false)
        #expect(r.warning?.contains("incomplete") == true)
        #expect(r.events == partial.events)
        #expect(try w.rows("SELECT complete, event_count, warning IS NOT NULL FROM traces") == [["0", String(partial.events), "1"]])
    }

    @Test("two ingests into one database at the same time both succeed")
    func concurrentIngests() throws {
        let traces = GoldenTrace.all.map(\.trace).prefix(4)
        try #require(traces.count == 4, "\(traces.count) golden traces")
        let w = try TempWarehouse()
        let path = w.path
        let results = Locked<[Result<IngestResult, Error>]>([])
        DispatchQueue.concurrentPerform(iterations: traces.count) { i in
            let r = Result { try TraceLoader(warehouse: Warehouse(path: path)).ingest(path: traces[traces.startIndex + i]) }
            results.withLock { $0.append(r) }
        }
        for r in results.withLock({ $0 }) {
            if case .failure(let e) = r { Issue.record("ingest failed: \(e)") }
        }
        #expect(try w.rows("SELECT count(*) FROM traces") == [[String(traces.count)]])
        #expect(try w.rows("SELECT count(*) FROM traces t WHERE event_count = (SELECT count(*) FROM events e WHERE e.trace_id = t.trace_id)") == [[String(traces.count)]])
    }

    @Test("the same file twice is skipped; --replace loads it again")
    func sameFileTwice() throws {
        let sample = Self.sample
        let w = try TempWarehouse()
        let a = try w.ingest(sample)
        let b = try w.ingest(sample)
        #expect(b.skipped && b.traceID == a.traceID)
        let c = try TraceLoader(warehouse: w.warehouse).ingest(path: sample, options: IngestOptions(replace: true))
        // Trace ids are never reused (AUTOINCREMENT), so scripts never see another trace under an old id.
        #expect(!c.skipped && c.traceID == a.traceID + 1 && c.events == a.events)
        #expect(try w.rows("SELECT count(*), sum(event_count) FROM traces") == [["1", String(a.events)]])
        #expect(try w.rows("SELECT count(DISTINCT trace_id) FROM events") == [["1"]])
    }

    @Test("a database from a newer tracedb is refused with a clear error")
    func newerSchema() throws {
        let w = try TempWarehouse()
        try w.warehouse.db.execute("PRAGMA user_version = 999")
        #expect { try Warehouse(path: w.path) } throws: { e in
            "\(e)".contains("newer than this tracedb")
        }
    }

    // MARK: the new-database write path (NewDatabase.swift)

    /// A folder for a database that does not exist yet.
    static func emptyFolder() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tracedb-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    /// Everything in a database but the two columns that differ between any two ingests of a trace
    /// (`traces.ingested_at`, `traces.ingest_seconds`): every table's row count and content checksum.
    static func content(_ db: Database) throws -> [String] {
        func rows(_ sql: String) throws -> [String] {
            let s = try db.prepare(sql)
            var out: [String] = []
            while try s.step() { out.append((0..<s.columnCount).map { "\(s.value($0))" }.joined(separator: "\t")) }
            return out
        }
        let tables = try rows("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name")
        return try tables.map { t in
            let r = t == "traces"
                ? try rows("SELECT trace_id, file_name, file_path, file_size, sha256, go_version, event_count, complete, warning FROM traces")
                : try rows("SELECT * FROM \"\(t)\"")
            var h = SHA256()
            for line in r.sorted() { h.update(Array((line + "\n").utf8)) }
            return "\(t) \(r.count) " + h.finalize().prefix(8).map { String(format: "%02x", $0) }.joined()
        }
    }

    @Test("a new database is written to a temporary file and put in place whole, in WAL mode, with the same rows as the transactional path")
    func newDatabaseWrittenWhole() throws {
        let dir = try Self.emptyFolder(); defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("new.db").path
        let w = try Warehouse(path: path, deferCreation: true)
        #expect(w.isPendingCreation)
        #expect(!FileManager.default.fileExists(atPath: path), "created before the first ingest")
        #expect(try w.db.scalarInt("SELECT count(*) FROM traces") == 0)
        let r = try TraceLoader(warehouse: w).ingest(path: Self.sample)
        #expect(!r.skipped && r.complete && !w.isPendingCreation)
        // Only the database (and the -wal/-shm of the connection now open on it): no temporary file left.
        let names = try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted()
        #expect(names.filter { !$0.hasPrefix("new.db-") } == ["new.db"], "\(names)")
        #expect(try w.db.scalarText("PRAGMA journal_mode") == "wal")
        let other = try Database(path: path, readOnly: true)
        #expect(try other.scalarText("PRAGMA journal_mode") == "wal")
        #expect(try other.scalarText("PRAGMA integrity_check") == "ok")
        // The same rows as an ingest into an existing database.
        let old = try TempWarehouse()
        let o = try old.ingest(Self.sample)
        #expect(r.traceID == o.traceID && r.events == o.events)
        #expect(try Self.content(w.db) == Self.content(old.warehouse.db))
        // The next trace goes through the ordinary path into the file now there; the same file is skipped.
        let second = GoldenTrace.all[1].trace
        let r2 = try TraceLoader(warehouse: w).ingest(path: second)
        #expect(!r2.skipped && r2.traceID == r.traceID + 1)
        #expect(try TraceLoader(warehouse: w).ingest(path: Self.sample).skipped)
        #expect(try Warehouse(path: path).db.scalarInt("SELECT count(*) FROM traces") == 2)
    }

    @Test("an invalid trace into a new database leaves no file at all")
    func newDatabaseInvalidTrace() throws {
        let bad = RepoPaths.conformance("tests", "go122-create-syscall-with-p", ".trace").path
        _ = try requireBytes(URL(fileURLWithPath: bad))
        let dir = try Self.emptyFolder(); defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("new.db").path
        let w = try Warehouse(path: path, deferCreation: true)
        #expect { try TraceLoader(warehouse: w).ingest(path: bad) } throws: { e in
            (e as? IngestError)?.description.contains("expected a proc but didn't have one") == true
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == [])
        #expect(w.isPendingCreation)
        // Still usable: a good trace then creates it.
        #expect(try !TraceLoader(warehouse: w).ingest(path: Self.sample).skipped)
        #expect(FileManager.default.fileExists(atPath: path))
    }

    @Test("a trace cut off mid-way into a new database: loaded up to its last complete generation, marked incomplete")
    func newDatabaseTruncatedTrace() throws {
        let big = RepoPaths.conformance("tests", "go125-sync", ".trace").path
        let bytes = try Array(Data(contentsOf: URL(fileURLWithPath: big)))
        let cut = Array(bytes.prefix(bytes.count - 64))
        let partial = try countEvents(TraceReader(bytes: cut))
        let dir = try Self.emptyFolder(); defer { try? FileManager.default.removeItem(at: dir) }
        let trace = dir.appendingPathComponent("cut.trace").path
        try Data(cut).write(to: URL(fileURLWithPath: trace))
        let w = try Warehouse(path: dir.appendingPathComponent("new.db").path, deferCreation: true)
        let r = try TraceLoader(warehouse: w).ingest(path: trace)
        #expect(r.complete == false && r.warning?.contains("incomplete") == true && r.events == partial.events)
        let rows = try w.db.prepare("SELECT complete, event_count, (SELECT count(*) FROM events) FROM traces")
        #expect(try rows.step())
        #expect(rows.int64(0) == 0 && rows.int64(1) == Int64(partial.events) && rows.int64(2) == Int64(partial.events))
    }

    @Test("ingests into the same new database at the same time all succeed: one creates it, the others add to it")
    func concurrentNewDatabaseIngests() throws {
        let traces = GoldenTrace.all.map(\.trace).prefix(4)
        try #require(traces.count == 4, "\(traces.count) golden traces")
        let dir = try Self.emptyFolder(); defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("new.db").path
        // Every ingest also loads the first trace: it is there once.
        let results = Locked<[Result<[IngestResult], Error>]>([])
        DispatchQueue.concurrentPerform(iterations: traces.count) { i in
            let r = Result {
                let w = try Warehouse(path: path, deferCreation: true)
                let loader = TraceLoader(warehouse: w)
                return try [loader.ingest(path: traces[traces.startIndex + i]), loader.ingest(path: traces[traces.startIndex])]
            }
            results.withLock { $0.append(r) }
        }
        for r in results.withLock({ $0 }) {
            if case .failure(let e) = r { Issue.record("ingest failed: \(e)") }
        }
        let db = try Database(path: path, readOnly: true)
        #expect(try db.scalarInt("SELECT count(*) FROM traces") == Int64(traces.count))
        #expect(try db.scalarInt("SELECT count(*) FROM traces t WHERE event_count = (SELECT count(*) FROM events e WHERE e.trace_id = t.trace_id)") == Int64(traces.count))
        #expect(try db.scalarText("PRAGMA integrity_check") == "ok")
        let names = try FileManager.default.contentsOfDirectory(atPath: dir.path)
        #expect(!names.contains { $0.contains("tracedb-tmp") }, "temporary files left: \(names)")
    }

    @Test("the temporary file of a killed new-database ingest is removed by the next one; a live one's is kept")
    func abandonedTemporaryFile() throws {
        let dir = try Self.emptyFolder(); defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("new.db").path
        // A process that has ended: its pid is free (until reused, which a few milliseconds do not do).
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/true")
        try p.run(); p.waitUntilExit()
        let dead = dir.appendingPathComponent("new.db.tracedb-tmp-\(p.processIdentifier)-1234abcd").path
        let live = dir.appendingPathComponent("new.db.tracedb-tmp-1-5678").path   // pid 1 runs
        for f in [dead, live] { FileManager.default.createFile(atPath: f, contents: Data("partial".utf8)) }
        let w = try Warehouse(path: path, deferCreation: true)
        _ = try TraceLoader(warehouse: w).ingest(path: Self.sample)
        #expect(!FileManager.default.fileExists(atPath: dead))
        #expect(FileManager.default.fileExists(atPath: live))
        #expect(FileManager.default.fileExists(atPath: path))
    }
}

/// Reads every event; returns the count, the number of Sync events and the error that stopped it.
func countEvents(_ r: TraceReader) throws -> (events: Int, syncs: Int, error: TraceError?) {
    var n = 0, syncs = 0
    do {
        while let ev = try r.next() { n += 1; if ev.kind == .sync { syncs += 1 } }
    } catch let e as TraceError { return (n, syncs, e) }
    return (n, syncs, nil)
}
