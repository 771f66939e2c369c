import Foundation
import Testing
@testable import TraceWarehouse

/// A database made by an older tracedb is migrated in place when it is opened for writing.
@Suite("Schema migrations")
struct MigrationTests {
    /// A schema-2 database (before migration 3 narrowed `events`) with one small trace in the old layout.
    static func makeVersion2Database(at path: String) throws {
        let db = try Database(path: path)
        for m in Warehouse.migrations where m.version <= 2 { try db.execute(m.sql) }
        try db.execute("PRAGMA user_version = 2")
        try db.execute("""
            INSERT INTO traces(trace_id, file_name, file_path, file_size, sha256, go_version, ingested_at, tracedb_version,
                               start_abs_ns, end_abs_ns, duration_ns, event_count, complete)
              VALUES (1, 'old.trace', '/tmp/old.trace', 100, 'abc', 'go1.23', '2026-11-28T00:00:00Z', '0.1.0', 1000, 1100, 100, 5, 1);
            INSERT INTO strings VALUES (1, 1, ''), (1, 2, '/gc/heap/goal:bytes'), (1, 3, 'chan receive'), (1, 4, 'task type');
            -- seq, ts, kind, M, P, G, stack, res_kind, res_id, from, to, reason_id, st_stack, name_id, task, parent, value, text,
            -- iv_start_seq, iv_start_ns, iv_flags, iv_blocked_ns
            INSERT INTO events VALUES
              (1, 0, 0, 1, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 1, NULL, NULL, NULL, NULL, NULL),
              (1, 1, 5, 2, 7, 0, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 2, NULL, NULL, 4194304, NULL, NULL, NULL, NULL, NULL),
              (1, 2, 10, 13, 7, 0, 1, NULL, 1, 1, 3, 4, 3, 1, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
              (1, 3, 40, 8, 7, 0, 1, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 4, 9, 0, NULL, NULL, NULL, NULL, NULL, NULL),
              (1, 4, 70, 13, 7, 0, 2, NULL, 1, 1, 4, 2, 1, NULL, NULL, NULL, NULL, NULL, NULL, 2, 10, 0, NULL);
            INSERT INTO metrics VALUES (1, '/gc/heap/goal:bytes', 1, 5, 4194304);
            INSERT INTO metrics_raw VALUES (1, 2, 1, 5, 4194304);
            INSERT INTO thread_intervals VALUES (1, 7, 10, 30, 1, 0, NULL), (1, 7, 30, 70, 2, NULL, 1);
            """)
    }

    /// Rows as text, NULL as "NULL".
    static func rows(_ w: Warehouse, _ sql: String) throws -> [[String]] {
        let s = try w.db.prepare(sql)
        var out: [[String]] = []
        while try s.step() {
            out.append((0..<s.columnCount).map { i in
                switch s.value(i) {
                case .null: "NULL"
                case .int(let v): String(v)
                case .double(let d): String(d)
                case .text(let t): t
                case .blob: "<blob>"
                }
            })
        }
        return out
    }

    @Test("schema 2 → 3: events narrowed losslessly, intervals, metrics and thread states unchanged")
    func version2To3() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tracedb-migrate-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("old.db").path
        try Self.makeVersion2Database(at: path)

        let w = try Warehouse(path: path)
        #expect(try w.db.scalarInt("PRAGMA user_version") == Int64(Warehouse.schemaVersion))
        #expect(Warehouse.schemaVersion >= 3)
        #expect(try w.db.scalarText("PRAGMA integrity_check") == "ok")

        let rows = try Self.rows(w, """
            SELECT seq, ts_ns, kind, name_id, st_stack_id, iv_back, iv_dur_ns, iv_flags FROM events WHERE trace_id = 1 ORDER BY seq
            """)
        #expect(rows == [
            ["0", "0", "1", "NULL", "NULL", "NULL", "NULL", "NULL"],
            ["1", "5", "2", "2", "NULL", "NULL", "NULL", "NULL"],
            ["2", "10", "13", "3", "1", "NULL", "NULL", "NULL"],     // reason_id 3 → name_id
            ["3", "40", "8", "4", "NULL", "NULL", "NULL", "NULL"],
            ["4", "70", "13", "1", "NULL", "2", "60", "NULL"],       // interval from seq 2 at 10 ns: back 2, 60 ns
        ])
        #expect(try Self.rows(w, "SELECT seq, task_id, parent_task_id, value, text_id FROM event_args ORDER BY seq") == [
            ["0", "NULL", "NULL", "1", "NULL"],
            ["1", "NULL", "NULL", "4194304", "NULL"],
            ["3", "9", "0", "NULL", "NULL"],
        ])
        #expect(try Self.rows(w, "SELECT goid, state, start_ns, end_ns, duration_ns, start_seq, end_seq, reason_id, first_run FROM goroutine_states") == [
            ["1", "4", "10", "70", "60", "2", "4", "3", "0"],
        ])
        #expect(try Self.rows(w, "SELECT name, seq, ts_ns, value FROM metrics") == [["/gc/heap/goal:bytes", "1", "5", "4194304"]])
        #expect(try Self.rows(w, "SELECT thread_id, start_ns, end_ns, duration_ns, state_name FROM thread_states ORDER BY start_ns") == [
            ["7", "10", "30", "20", "running"], ["7", "30", "70", "40", "syscall"],
        ])
        #expect(try Self.rows(w, "SELECT kind, reason, name, task_id, parent_task_id, value FROM events_v ORDER BY seq") == [
            ["Sync", "NULL", "NULL", "NULL", "NULL", "1"],
            ["Metric", "NULL", "/gc/heap/goal:bytes", "NULL", "NULL", "4194304"],
            ["StateTransition", "chan receive", "NULL", "NULL", "NULL", "NULL"],
            ["TaskBegin", "NULL", "task type", "9", "0", "NULL"],
            ["StateTransition", "", "NULL", "NULL", "NULL", "NULL"],
        ])
        // The old tables are gone; deleting the trace clears every remaining table.
        #expect(try w.db.scalarInt("SELECT count(*) FROM sqlite_schema WHERE name IN ('metrics_raw', 'events_new', 'thread_intervals_new')") == 0)
        try w.db.transaction { try w.deleteTrace(1) }
        #expect(try w.db.scalarInt("SELECT count(*) FROM events") == 0)
        #expect(try w.db.scalarInt("SELECT count(*) FROM event_args") == 0)
    }
}
