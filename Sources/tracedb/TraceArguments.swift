import Foundation
import TraceInput
import TraceWarehouse

/// A trace argument of `ingest` (a file, `-` for standard input, or an http(s) URL) made into a
/// local file the loader reads. A pipe or a download is first copied into a temporary file (see
/// ``SpooledTrace``), so that it is hashed, de-duplicated and loaded in one transaction exactly like
/// a file; the copy is removed afterwards.
struct LocalTrace {
    /// The file to load.
    let path: String
    /// The name used in messages: the file as given, `stdin`, the URL.
    let display: String
    /// What the run's `file_path` says when it is not `path` (`stdin`, the URL).
    let recordedSource: String?
    let spool: SpooledTrace?

    func cleanup() { spool?.remove() }
}

/// How `-` and URLs are read (`ingest --name/--seconds/--timeout`).
struct TraceArgumentSettings {
    var name: String?
    var seconds: Double?
    var timeout: Double = 30
}

enum TraceArguments {
    static func open(_ argument: String, _ settings: TraceArgumentSettings) throws(TraceInputError) -> LocalTrace {
        if argument == "-" {
            if isatty(0) == 1 {
                throw TraceInputError(.empty, source: "stdin", message: "standard input is a terminal: pipe a trace in, e.g. `ssh host cat trace.out | tracedb ingest -`")
            }
            let name = settings.name ?? "stdin"
            let progress = ByteProgress(label: "reading \(name)")
            var report: ((Int) -> Void)?
            if progress.enabled { report = { (n: Int) -> Void in progress.update(bytes: n) } }
            let spool = try SpooledTrace.copy(fromDescriptor: 0, name: name, source: "stdin", progress: report)
            progress.clear()
            return LocalTrace(path: spool.path, display: name, recordedSource: "stdin", spool: spool)
        }
        if TraceDownload.isURL(argument) {
            let target = try TraceDownload.target(argument, seconds: settings.seconds)
            let name = settings.name ?? "\(target.host).trace"
            let progress = ByteProgress(label: "recording \(Int(target.seconds.rounded(.up))) s on \(target.host)")
            let seconds = target.seconds
            var report: (@Sendable (TraceDownload.Progress) -> Void)?
            if progress.enabled {
                report = { @Sendable (p: TraceDownload.Progress) -> Void in progress.update(bytes: p.bytes, elapsed: p.elapsed, of: seconds) }
            }
            let spool = try TraceDownload.fetchBlocking(target, name: name, timeout: settings.timeout, progress: report)
            progress.clear()
            return LocalTrace(path: spool.path, display: target.url, recordedSource: target.url, spool: spool)
        }
        return LocalTrace(path: argument, display: argument, recordedSource: nil, spool: nil)
    }
}

/// Loads one trace and prints what happened: one line on success or skip, a warning for a cut-off
/// trace, the error on stderr. Returns nil on failure (the database is unchanged).
func ingestAndReport(_ trace: LocalTrace, loader: TraceLoader, warehouse: Warehouse, options base: IngestOptions,
                     databasePath: String) -> IngestResult? {
    let progress = ProgressLine(label: "ingesting \((trace.display as NSString).lastPathComponent)")
    var options = base
    options.source = trace.recordedSource
    if progress.enabled {
        options.progress = { @Sendable (done: Int, total: Int) in progress.update(done: done, total: total) }
    }
    let r: IngestResult
    do {
        r = try loader.ingest(path: trace.path, options: options)
        progress.clear()
    } catch let e as IngestError {
        progress.clear()
        printError("tracedb: \(trace.display): \(e.message)")
        return nil
    } catch {
        progress.clear()
        printError("tracedb: \(trace.display): \(error)")
        return nil
    }
    if r.skipped {
        print("trace \(r.traceID): \(trace.display) is already in \(databasePath) (same SHA-256); skipped (use --replace to load it again)")
        return r
    }
    let secs = String(format: "%.2f s", r.seconds)
    print("trace \(r.traceID): \(trace.display): \(HumanFormat.count(r.events)) events, \(HumanFormat.count(r.goroutines)) goroutines, "
        + "\(HumanFormat.duration(r.durationNs)), \(r.gcCycles) GC cycles (\(secs))")
    if let w = r.warning { printError("tracedb: warning: \(trace.display): \(w)") }
    return r
}

/// A progress line for a stream of unknown length (a pipe, a download), only when stderr is a terminal.
final class ByteProgress: @unchecked Sendable {
    let label: String
    let enabled: Bool
    private var last = Date.distantPast
    private let lock = NSLock()
    init(label: String) { self.label = label; enabled = stderrIsTerminal }
    func update(bytes: Int, elapsed: Double? = nil, of seconds: Double? = nil) {
        lock.lock(); defer { lock.unlock() }
        guard enabled, Date().timeIntervalSince(last) > 0.1 else { return }
        last = Date()
        var line = "\r\u{1b}[K\(label): \(HumanFormat.bytes(Int64(bytes)))"
        if let elapsed { line += String(format: ", %.1f s", elapsed) + (seconds.map { String(format: " of %.0f s", $0) } ?? "") }
        try? FileHandle.standardError.write(contentsOf: Data(line.utf8))
    }
    func clear() {
        guard enabled else { return }
        try? FileHandle.standardError.write(contentsOf: Data("\r\u{1b}[K".utf8))
    }
}
