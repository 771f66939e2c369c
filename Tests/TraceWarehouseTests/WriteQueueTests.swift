import Foundation
import Testing
@testable import TraceWarehouse

/// The loader's writer thread: order, back-pressure, errors.
@Suite("WriteQueue")
struct WriteQueueTests {
    final class Log: @unchecked Sendable {
        let lock = NSLock()
        var ran: [Int] = []
        var skipped: [Int] = []
        var threads = Set<String>()
        func add(_ i: Int, run: Bool) {
            lock.lock(); defer { lock.unlock() }
            if run { ran.append(i) } else { skipped.append(i) }
            threads.insert(Thread.isMainThread ? "main" : "worker")
        }
    }
    struct Boom: Error, Equatable { var n: Int }

    @Test("jobs run in submission order on the worker; after finish() they run inline")
    func order() throws {
        let q = WriteQueue(capacity: 4)
        let log = Log()
        q.start()
        for i in 0..<1000 { try q.submit { run in log.add(i, run: run) } }
        try q.finish()
        #expect(log.ran == Array(0..<1000))
        #expect(log.skipped.isEmpty)
        #expect(q.inline)
        try q.submit { run in log.add(1000, run: run) }
        #expect(log.ran.last == 1000)
    }

    @Test("the first failure is rethrown; later jobs are skipped but told so")
    func failure() throws {
        let q = WriteQueue(capacity: 2)
        let log = Log()
        q.start()
        var thrown: Error?
        var submitted = 0
        do {
            for i in 0..<500 {
                try q.submit { run in
                    log.add(i, run: run)
                    if run && i == 10 { throw Boom(n: i) }
                }
                submitted += 1
            }
        } catch { thrown = error }
        let finished = #expect(throws: Boom.self) { try q.finish() }
        #expect(finished == Boom(n: 10))
        if let thrown { #expect(thrown as? Boom == Boom(n: 10)) }
        #expect(log.ran == Array(0...10))
        // Every submitted job was called exactly once, ran or skipped.
        #expect(log.ran.count + log.skipped.count == submitted)
        #expect(Set(log.ran).isDisjoint(with: log.skipped))
    }

    @Test("BatchInserter through the queue writes every row, in chunks and the remainder")
    func batches() throws {
        let w = try TempWarehouse()
        let db = w.warehouse.db
        try db.execute("CREATE TABLE t(a INTEGER, b INTEGER, c INTEGER, PRIMARY KEY(a, b)) WITHOUT ROWID")
        let q = WriteQueue(capacity: 3)
        try db.transaction {
            q.start()
            let ins = try BatchInserter(db: db, table: "t", columns: ["a", "b", "c"], rowsPerStatement: 8, chunkStatements: 2, queue: q)
            for i in 0..<1001 {
                if i % 2 == 0 { ins.add(Int64(1)); ins.add(Int64(i)); ins.add(i % 3 == 0 ? BatchInserter.null : Int64(i * 2)); try ins.endRow() }
                else { let r = ins.row(); r[0] = 1; r[1] = Int64(i); r[2] = Int64(i * 2); try ins.commitRow() }
            }
            try ins.flush()
            try q.finish()
        }
        #expect(try db.scalarInt("SELECT count(*) FROM t") == 1001)
        #expect(try db.scalarInt("SELECT sum(b) FROM t") == 1000 * 1001 / 2)
        #expect(try db.scalarInt("SELECT count(*) FROM t WHERE c IS NULL") == 167)  // even multiples of 3 below 1001
        #expect(try db.scalarInt("SELECT count(*) FROM t WHERE c IS NOT NULL AND c <> 2 * b") == 0)
    }
}
