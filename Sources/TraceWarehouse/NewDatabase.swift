import Foundation

/// The new-database write path: a database that does not exist yet is written whole into a
/// temporary file next to it, without a rollback journal or WAL (`journal_mode=OFF`,
/// `synchronous=OFF`: every page is written once, straight into the file), switched to WAL, synced
/// and then linked into place under its name, atomically. So:
///
/// - a killed ingest leaves no database, only its temporary file (`NAME.tracedb-tmp-PID-…`), which
///   the next new-database ingest into that folder removes once its process is gone;
/// - an invalid trace leaves nothing (the temporary file is removed);
/// - two processes creating the same database race at the link: the first one's file is the
///   database, the other one finds it there and loads its trace into it through the ordinary
///   transactional path (``TraceLoader`` retries).
///
/// Existing databases are never written this way.
final class StagedDatabase {
    /// The connection to the temporary file (nil once closed). Used through ``load(_:)`` only, so that
    /// nothing else keeps it open when it is closed (its lock is on the file that becomes the database).
    private var db: Database?
    let temporaryPath: String
    let target: String
    private var finished = false

    /// The prefix of the temporary files for the database `target`.
    static func temporaryPrefix(for target: String) -> String {
        (target as NSString).lastPathComponent + ".tracedb-tmp-"
    }

    /// Creates the temporary file next to `target` and opens it for a bulk load, with the schema.
    /// Removes the temporary files of earlier ingests whose process is gone.
    init(target: String, maxPageCount: Int?) throws {
        self.target = target
        Self.removeAbandoned(target: target)
        var random = SystemRandomNumberGenerator()
        let name = Self.temporaryPrefix(for: target) + "\(getpid())-" + String(random.next() & 0xffff_ffff, radix: 16)
        temporaryPath = ((Warehouse.folder(of: target)) as NSString).appendingPathComponent(name)
        let db = try Database(path: temporaryPath)
        self.db = db
        do {
            if let n = maxPageCount, n > 0 { try db.execute("PRAGMA max_page_count = \(n)") }
            // Nobody else knows the file: no locking, no journal, no syncs while loading.
            try db.execute("PRAGMA locking_mode = EXCLUSIVE")
            try db.execute("PRAGMA journal_mode = OFF")
            try db.execute("PRAGMA synchronous = OFF")
            try Warehouse.migrate(db, path: target)
        } catch {
            discard()
            throw error
        }
    }

    deinit { discard() }

    /// Runs `body` on the connection to the temporary file.
    func load<T>(_ body: (Database) throws -> T) throws -> T {
        guard let db else { throw WarehouseError("internal error: the new database \(target) was already closed") }
        return try body(db)
    }

    /// Removes the temporary file (the load failed, or another process created the database first).
    func discard() {
        guard !finished else { return }
        finished = true
        try? db?.close()
        db = nil
        for suffix in ["", "-wal", "-shm", "-journal"] { unlink(temporaryPath + suffix) }
    }

    /// Makes the loaded file the database: switches it to WAL (what every other open expects), closes
    /// it, syncs it and links it into place. Returns false, and removes the file, if a database
    /// appeared at `target` meanwhile (created by another process).
    func publish() throws -> Bool {
        guard let db else { throw WarehouseError("internal error: the new database \(target) was already closed") }
        let mode = try db.scalarText("PRAGMA journal_mode = WAL")
        guard mode == "wal" else { throw WarehouseError("cannot switch the new database \(target) to WAL (journal mode \(mode ?? "?"))") }
        // Closing the last connection checkpoints the (empty) WAL and removes the -wal file. It must be
        // closed before the link: its exclusive lock would then hold the database itself.
        try db.close()
        self.db = nil
        unlink(temporaryPath + "-wal"); unlink(temporaryPath + "-shm")
        try Self.sync(temporaryPath)
        // link() fails with EEXIST instead of replacing: the race between two creators has one winner.
        if link(temporaryPath, target) == 0 {
            finished = true
            unlink(temporaryPath)
            try? Self.sync(Warehouse.folder(of: target))
            return true
        }
        let err = errno
        if err == EEXIST { discard(); return false }
        // A file system without hard links: rename, unless a database is there by now.
        if err == EPERM || err == EOPNOTSUPP || err == ENOTSUP || err == EMLINK {
            if access(target, F_OK) == 0 { discard(); return false }
            if rename(temporaryPath, target) == 0 {
                finished = true
                try? Self.sync(Warehouse.folder(of: target))
                return true
            }
        }
        let message = String(cString: strerror(errno))
        discard()
        throw WarehouseError("cannot put the new database in place at \(target): \(message)")
    }

    /// fsync(2) of a file or folder.
    static func sync(_ path: String) throws {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw WarehouseError("cannot open \(path) to sync it: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        if fsync(fd) != 0 { throw WarehouseError("cannot sync \(path): \(String(cString: strerror(errno)))") }
    }

    /// Removes the temporary files of new-database ingests into `target` whose process has ended (killed).
    static func removeAbandoned(target: String) {
        let dir = Warehouse.folder(of: target)
        let prefix = temporaryPrefix(for: target)
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: dir) else { return }
        for name in names where name.hasPrefix(prefix) {
            let rest = name.dropFirst(prefix.count)
            guard let pid = rest.split(separator: "-").first.flatMap({ Int32($0) }), pid > 0 else { continue }
            if pid == getpid() { continue }
            if kill(pid, 0) == 0 || errno != ESRCH { continue }   // still running (or not ours to judge)
            unlink((dir as NSString).appendingPathComponent(name))
        }
    }
}
