import Foundation
import GoTrace
import Testing
@testable import TraceExport
import TestSupport
@testable import TraceWarehouse

/// Hostile and damaged traces through the whole loader: each is either loaded whole (every event it
/// yields is in the database) or refused with an `IngestError`, and then the database is exactly as
/// it was. Never a trap. The inputs are the fuzz findings and hostile traces committed under
/// Tests/GoTraceTests/FuzzRegressions/, Go's fuzz corpus, byte-flipped fixtures (fixed seed) and
/// truncations; a full disk is simulated with `PRAGMA max_page_count`.
@Suite("Corrupt ingest")
struct CorruptIngestTests {
    static let regressions = Paths.repo.appendingPathComponent("Tests/GoTraceTests/FuzzRegressions")

    /// A warehouse that already holds a good trace, so "unchanged" has something to protect.
    static func warehouse() throws -> TempWarehouse {
        let w = try TempWarehouse()
        try w.ingest(Paths.fixtures.appendingPathComponent("traces/go1.27/tasks.trace").path)
        return w
    }

    /// Ingests `path` and checks the outcome; returns true if it was loaded.
    @discardableResult
    static func ingestHostile(_ w: TempWarehouse, _ path: String, before: inout [String],
                              sourceLocation: SourceLocation = #_sourceLocation) throws -> Bool {
        do {
            let r = try w.ingest(path)
            if r.skipped { return false }
            // Loaded: whole, and consistent with what the reader yields.
            let rows = try w.rows("SELECT event_count, complete, (SELECT count(*) FROM events e WHERE e.trace_id = t.trace_id) FROM traces t WHERE trace_id = ?",
                                  [.int(r.traceID)])
            #expect(rows.count == 1 && rows[0][0] == rows[0][2] && rows[0][0] == String(r.events),
                    "\(path): \(rows)", sourceLocation: sourceLocation)
            #expect(r.complete || r.warning?.contains("incomplete") == true, "\(path)", sourceLocation: sourceLocation)
            // At least one whole generation (between two Syncs), never a stub of a trace.
            #expect(r.events >= 2, "\(path): \(r.events) events", sourceLocation: sourceLocation)
            // Remove it again so the database (and its fingerprint) stays small.
            try w.warehouse.db.transaction { try w.warehouse.deleteTrace(r.traceID) }
            before = try ReliabilityTests.fingerprint(w)
            return true
        } catch let e as IngestError {
            #expect(e.description.contains((path as NSString).lastPathComponent), "\(e)", sourceLocation: sourceLocation)
            #expect(!e.message.contains("SQLite error"), "\(path): \(e)", sourceLocation: sourceLocation)
            #expect(try ReliabilityTests.fingerprint(w) == before, "\(path): the database changed", sourceLocation: sourceLocation)
            return false
        }
    }

    @Test("fuzz findings and hostile traces: loaded whole or refused, the database unchanged")
    func regressions() throws {
        let fm = FileManager.default
        var files = ((try? fm.contentsOfDirectory(atPath: Self.regressions.path)) ?? [])
            .filter { !$0.hasPrefix(".") && $0 != "README.md" }.sorted().map { Self.regressions.appendingPathComponent($0).path }
        #expect(files.count > 50, "FuzzRegressions/ is missing")
        let goFuzz = RepoPaths.conformanceTraces("fuzz")
        #expect(goFuzz.count == 17, "Go's fuzz corpus (Fixtures/go-conformance/fuzz): \(goFuzz.count) traces")
        files += goFuzz.map { RepoPaths.conformance("fuzz", $0, ".trace").path }
        let w = try Self.warehouse()
        var before = try ReliabilityTests.fingerprint(w)
        var loaded = 0
        for f in files where try Self.ingestHostile(w, f, before: &before) {
            loaded += 1
            // A corrupt GOMAXPROCS (2^40) would make Go's utilization analysis allocate per-P state
            // without bound (fuzz finding oom-f0d68cf1…): such traces are refused.
            #expect(!f.contains("gomaxprocs-huge-tasks"), "\(f) was loaded")
        }
        #expect(try w.rows("PRAGMA integrity_check") == [["ok"]])
        // Most hostile traces are refused; the absurd-but-valid ones (huge times, odd frequencies) load.
        #expect(loaded > 0 && loaded < files.count, "\(loaded) of \(files.count) loaded")

    }

    @Test("byte-flipped fixtures (fixed seed): loaded whole or refused, the database unchanged")
    func flips() throws {
        let w = try Self.warehouse()
        var before = try ReliabilityTests.fingerprint(w)
        var state: UInt64 = 0x5EED
        func next(_ n: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(n))
        }
        var loaded = 0, refused = 0
        for version in ["go1.22", "go1.25", "go1.27"] {
            let original = try [UInt8](Data(contentsOf: Paths.fixtures.appendingPathComponent("traces/\(version)/workers.trace")))
            for round in 0..<8 {
                var bytes = original
                for _ in 0..<(round % 3 == 0 ? 12 : 1 + next(3)) {
                    let at = 16 + next(bytes.count - 16)
                    bytes[at] ^= UInt8(1) << UInt8(next(8))
                }
                let path = w.dir.appendingPathComponent("flip-\(version)-\(round).trace").path
                try Data(bytes).write(to: URL(fileURLWithPath: path))
                if try Self.ingestHostile(w, path, before: &before) { loaded += 1 } else { refused += 1 }
            }
        }
        #expect(refused > 0)
        #expect(try w.rows("PRAGMA integrity_check") == [["ok"]])
    }

    @Test("a trace cut at many points: its complete generations or nothing")
    func truncations() throws {
        // Go's three-generation trace: cuts give 0, 1 or 2 complete generations.
        let sync = RepoPaths.conformance("tests", "go125-sync", ".trace").path
        let candidates = [sync, Paths.fixtures.appendingPathComponent("traces/go1.27/workers.trace").path]
        for source in candidates { _ = try requireBytes(URL(fileURLWithPath: source)) }
        let w = try Self.warehouse()
        var before = try ReliabilityTests.fingerprint(w)
        var loadedCuts = 0
        for source in candidates {
            let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: source)))
            let full = try countEvents(TraceReader(bytes: bytes))
            for cut in Set(Swift.stride(from: 0, to: bytes.count, by: max(1, bytes.count / 23))).sorted() {
                let path = w.dir.appendingPathComponent("cut-\(cut)-\((source as NSString).lastPathComponent)").path
                try Data(bytes[0..<cut]).write(to: URL(fileURLWithPath: path))
                do {
                    let r = try w.ingest(path)
                    // Loaded: incomplete, only whole generations (at least one), fewer events than the whole trace.
                    #expect(!r.complete && r.events >= 3 && r.events < full.events, "cut at \(cut): \(r.events) events")
                    #expect(try w.rows("SELECT count(*) FROM events WHERE trace_id = ?", [.int(r.traceID)]) == [[String(r.events)]])
                    try w.warehouse.db.transaction { try w.warehouse.deleteTrace(r.traceID) }
                    before = try ReliabilityTests.fingerprint(w)
                    loadedCuts += 1
                } catch let e as IngestError {
                    #expect(e.message.contains("cut off") || e.message.contains("truncated") || e.message.contains("not a Go execution trace"), "cut at \(cut): \(e)")
                    #expect(try ReliabilityTests.fingerprint(w) == before, "cut at \(cut): the database changed")
                }
            }
        }
        // Go's three-generation trace cut late keeps its first generations.
        #expect(loadedCuts > 0 || !FileManager.default.fileExists(atPath: sync))
    }

    @Test("a full disk: a clear error, the database unchanged, and usable once there is room")
    func diskFull() throws {
        let w = try Self.warehouse()
        let before = try ReliabilityTests.fingerprint(w)
        let pages = try #require(try w.warehouse.db.scalarInt("PRAGMA page_count"))
        // Room for a few pages only: the big trace cannot fit.
        try w.warehouse.db.execute("PRAGMA max_page_count = \(pages + 8)")
        let big = Paths.fixtures.appendingPathComponent("traces/go1.27/gcheavy.trace").path
        #expect { try w.ingest(big) } throws: { e in
            guard let e = e as? IngestError else { return false }
            return e.description.contains("gcheavy.trace") && e.message.contains("full") && e.message.contains("nothing was written")
        }
        #expect(try ReliabilityTests.fingerprint(w) == before)
        #expect(try w.rows("PRAGMA integrity_check") == [["ok"]])
        try w.warehouse.db.execute("PRAGMA max_page_count = 1073741823")
        let r = try w.ingest(big)
        #expect(!r.skipped && r.complete)
    }

    @Test("SQLite errors a user can fix are explained: full disk, read-only file or folder")
    func explainedErrors() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tracedb-explain-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let db = dir.appendingPathComponent("t.db").path
        func explain(_ code: Int32) -> String? {
            Warehouse.explain(SQLiteError(code: code, message: "m", sql: nil), path: db)?.message
        }
        #expect(explain(13)?.contains("full") == true)                       // SQLITE_FULL
        #expect(explain(8)?.contains("read-only") == true)                   // SQLITE_READONLY
        #expect(explain(8 | (6 << 8))?.contains("its folder") == true)       // SQLITE_READONLY_DIRECTORY
        #expect(explain(1) == nil)                                           // SQLITE_ERROR: not the user's disk
        // A database in a folder that does not exist, or a folder given as the database.
        #expect { try Warehouse(path: dir.appendingPathComponent("nope/t.db").path) } throws: { e in
            "\(e)".contains("does not exist")
        }
        #expect { try Warehouse(path: dir.path) } throws: { e in "\(e)".contains("is a folder") }
    }
}
