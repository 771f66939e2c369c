import ArgumentParser
import Foundation

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

/// Human-readable units.
enum Units {
    static func duration(ns: Int64) -> String {
        let a = abs(Double(ns))
        let sign = ns < 0 ? "-" : ""
        switch a {
        case ..<1_000: return "\(ns) ns"
        case ..<1_000_000: return sign + String(format: "%.1f µs", a / 1e3)
        case ..<1_000_000_000: return sign + String(format: "%.2f ms", a / 1e6)
        default: return sign + String(format: "%.3f s", a / 1e9)
        }
    }
    static func bytes(_ n: Int64) -> String {
        let a = abs(Double(n))
        switch a {
        case ..<1024: return "\(n) B"
        case ..<(1024 * 1024): return String(format: "%.1f KiB", Double(n) / 1024)
        case ..<(1024 * 1024 * 1024): return String(format: "%.1f MiB", Double(n) / 1048576)
        default: return String(format: "%.2f GiB", Double(n) / 1073741824)
        }
    }
    static func count(_ n: Int) -> String {
        let s = String(n)
        var out = ""
        for (i, c) in s.reversed().enumerated() {
            if i > 0 && i % 3 == 0 && c != "-" { out.append(",") }
            out.append(c)
        }
        return String(out.reversed())
    }
}

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
            Units.bytes(Int64(done)), Units.bytes(Int64(total))).utf8))
    }
    func clear() {
        guard enabled else { return }
        try? FileHandle.standardError.write(contentsOf: Data("\r\u{1b}[K".utf8))
    }
}
