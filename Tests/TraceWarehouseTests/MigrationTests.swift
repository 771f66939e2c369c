import Foundation
import Testing
@testable import TraceWarehouse

/// The schema is one current file (Schema/001_schema.sql); a database made by a tracedb from before it
/// (four migrations that rewrote each other, no application id) is refused with a clear "re-ingest".
@Suite("Schema versions")
struct MigrationTests {
    static func tempDB(_ name: String) throws -> (dir: URL, path: String) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tracedb-schema-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return (dir, dir.appendingPathComponent(name).path)
    }

    @Test("a fresh database has the current schema: application id 'trdb', user_version, commented tables and views")
    func freshDatabase() throws {
        let (dir, path) = try Self.tempDB("new.db")
        defer { try? FileManager.default.removeItem(at: dir) }
        let w = try Warehouse(path: path)
        #expect(Warehouse.migrations.map(\.name).first == "001_schema.sql")
        #expect(try w.db.scalarInt("PRAGMA application_id") == Warehouse.applicationID)
        #expect(try w.db.scalarInt("PRAGMA user_version") == Int64(Warehouse.schemaVersion))
        // Every table and view carries its comments into sqlite_schema (what `.schema` prints), so the
        // shell is its own manual.
        let s = try w.db.prepare("SELECT name, sql FROM sqlite_schema WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite_%'")
        var n = 0
        while try s.step() {
            n += 1
            let name = s.text(0), sql = s.text(1)
            if ["event_kinds", "go_states", "proc_states_names", "resource_kinds", "thread_state_names"].contains(name) { continue }
            #expect(sql.contains("--"), "\(name) has no comments in its definition")
        }
        #expect(n >= 40, "tables and views: \(n)")
        // Opening it again changes nothing.
        _ = try Warehouse(path: path)
        _ = try Warehouse(path: path, readOnly: true)
    }

    @Test("a database made by an older tracedb (schema 4, no application id) is refused: re-ingest", arguments: [false, true])
    func olderDatabase(readOnly: Bool) throws {
        let (dir, path) = try Self.tempDB("old.db")
        defer { try? FileManager.default.removeItem(at: dir) }
        do {
            let db = try Database(path: path)
            try db.execute("CREATE TABLE traces (trace_id INTEGER PRIMARY KEY); PRAGMA user_version = 4")
        }
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        do {
            _ = try Warehouse(path: path, readOnly: readOnly)
            Issue.record("an older database was opened")
        } catch let e as WarehouseError {
            #expect(e.message.contains("older tracedb") && e.message.contains("re-ingest") && e.message.contains(path), "\(e.message)")
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before, "the old database was changed")
    }
}
