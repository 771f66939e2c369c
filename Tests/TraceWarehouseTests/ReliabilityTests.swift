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
}

/// Reads every event; returns the count, the number of Sync events and the error that stopped it.
func countEvents(_ r: TraceReader) throws -> (events: Int, syncs: Int, error: TraceError?) {
    var n = 0, syncs = 0
    do {
        while let ev = try r.next() { n += 1; if ev.kind == .sync { syncs += 1 } }
    } catch let e as TraceError { return (n, syncs, e) }
    return (n, syncs, nil)
}
