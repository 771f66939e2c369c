import ArgumentParser
import Foundation
import TraceExport
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

/// Runs a command body, turning library errors into one line on stderr (`tracedb CMD: …`, or
/// `tracedb: …` without a command name) and exit status 2. `ExitCode` and `ValidationError` pass through.
func reportingErrors<T>(_ command: String? = nil, _ body: () throws -> T) throws -> T {
    do { return try body() } catch let e as ExitCode { throw e } catch let e as ValidationError { throw e } catch {
        printError("tracedb\(command.map { " \($0)" } ?? ""): \(describeError(error))")
        throw ExitCode(Exit.usage)
    }
}

/// `$TRACEDB_MAX_PAGE_COUNT`: the tests simulate a full disk with a page limit on the database they write.
var testMaxPageCount: Int? {
    ProcessInfo.processInfo.environment["TRACEDB_MAX_PAGE_COUNT"].flatMap { Int($0) }.flatMap { $0 > 0 ? $0 : nil }
}

/// The words for a library error. The libraries throw typed errors; the flag names are said here.
func describeError(_ error: Error) -> String {
    switch error {
    case let e as InputError: return e.message
    case let e as QueryFileError: return e.description
    case let e as LocatedSQLError:
        guard let k = e.unboundParameter else { return e.description }
        var w = e
        w.message += " (give it with --param \(k)=VALUE)"
        return w.description
    case let e as WriteRefusedError:
        return "refusing to run a statement that writes to the database without --write: \(e.shortStatement)"
    case let e as NoDatabaseError:
        return "no tracedb database at \(e.path) (ingest a trace first: tracedb ingest FILE --db \(e.path))"
    case let e as NoTracesError:
        return "\(e.path) holds no traces (ingest one first: tracedb ingest FILE --db \(e.path))"
    case let e as QueryParamError:
        switch e {
        case .notNameValue(let p): return "--param wants name=value, got '\(p)'"
        case .givenTwice(let name): return "--param \(name) is given twice"
        case .traceIDGivenAsParameter: return "give the trace with --trace, not --param trace_id"
        }
    case let e as GateRuleError:
        let example = "write QUERY.COLUMN>+N% (relative), >+N (a change in the column's unit) or >N (a limit), e.g. 'sched-latency.p99_ns>+10%'"
        switch e {
        case .noOperator(let rule): return "cannot read --fail-on '\(rule)': \(example)"
        case .noThreshold(let rule, let op): return "cannot read --fail-on '\(rule)': no threshold after '\(op)'; \(example)"
        case .contradictorySign(let rule, let op, let sign):
            return "cannot read --fail-on '\(rule)': '\(op)\(sign)' contradicts itself; use '>+N' for an increase, '<-N' for a decrease"
        case .badPercentage(let rule): return "cannot read the threshold in --fail-on '\(rule)': \(example)"
        case .badNumber(let rule, let threshold):
            return "cannot read the threshold '\(threshold)' in --fail-on '\(rule)': expected a number, optionally with a unit (50us, 2ms, 4MiB)"
        case .unknownUnit(let rule, let suffix, let metric, let unit, let allowed):
            let list = allowed.joined(separator: ", ")
            return "--fail-on '\(rule)': '\(suffix)' is not a unit of \(metric) (unit \(unit.rawValue)\(list.isEmpty ? "; give a plain number" : "; use one of \(list)"))"
        }
    case let e as ChromeTraceError:
        switch e {
        case .emptyWindow(let start, let end): return "empty window: --start \(start) ns is after --end \(end) ns"
        }
    case let e as ProfileQueryError:
        switch e {
        case .noValueColumn(let query): return "query \(query) has no value column (*_ns, *_bytes, count): give one with --value"
        }
    case let e as WarehouseError: return e.message
    case let e as SQLiteError: return e.description
    case let e as IngestError: return e.description
    case let e as QueryParameterError: return e.description
    default: return describeFileError(error) ?? "\(error)"
    }
}

/// "cannot write PATH: No space left on device" for Foundation's file errors (whose description is a dump).
func describeFileError(_ error: Error) -> String? {
    let ns = error as NSError
    guard ns.domain == NSCocoaErrorDomain else { return nil }
    let verb = (512..<768).contains(ns.code) ? "cannot write" : "cannot read"   // NSFileWrite… / NSFileRead… codes
    var reason = ns.localizedDescription
    if let u = ns.userInfo[NSUnderlyingErrorKey] as? NSError, u.domain == NSPOSIXErrorDomain {
        reason = String(cString: strerror(Int32(u.code)))
    } else if ns.code == CocoaError.fileWriteOutOfSpace.rawValue {
        reason = String(cString: strerror(ENOSPC))
    }
    let path = ns.userInfo[NSFilePathErrorKey] as? String ?? (ns.userInfo[NSURLErrorKey] as? URL)?.path
    return path.map { "\(verb) \($0): \(reason)" } ?? "\(verb) the output: \(reason)"
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
