import ArgumentParser
import Foundation
import TraceWarehouse

/// The `--db` option shared by every command.
struct DatabaseOption: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The tracedb database.", discussion: "Default: $TRACEDB_DB, else ./tracedb.db.", valueName: "path"))
    var db: String?

    var path: String {
        if let db { return db }
        if let env = ProcessInfo.processInfo.environment["TRACEDB_DB"], !env.isEmpty { return env }
        return "tracedb.db"
    }
}

/// Writes to stderr (quietly does nothing if stderr cannot be written: the non-throwing
/// `FileHandle.write(_:)` would trap, e.g. on `2>/dev/full`).
func printError(_ message: String) {
    try? FileHandle.standardError.write(contentsOf: Data((message + "\n").utf8))
}

/// True when stderr is a terminal (progress is shown only then).
var stderrIsTerminal: Bool { isatty(2) == 1 }

/// A progress line on stderr, redrawn in place, only when stderr is a terminal.
final class ProgressLine: @unchecked Sendable {
    let label: String
    let enabled: Bool
    private var last = Date.distantPast
    init(label: String) { self.label = label; enabled = stderrIsTerminal }
    func update(done: Int, total: Int) {
        guard enabled, Date().timeIntervalSince(last) > 0.1 || done == total else { return }
        last = Date()
        let pct = total > 0 ? Double(done) * 100 / Double(total) : 0
        try? FileHandle.standardError.write(contentsOf: Data(String(format: "\r%@ %5.1f%% (%@ of %@)", label, pct,
            HumanFormat.bytes(done), HumanFormat.bytes(total)).utf8))
    }
    func clear() {
        guard enabled else { return }
        try? FileHandle.standardError.write(contentsOf: Data("\r\u{1b}[K".utf8))
    }
}
