import ArgumentParser
import Foundation
import TraceInput
import TraceWarehouse

struct IngestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingest",
        abstract: "Load Go execution traces into the warehouse.",
        discussion: """
        Each trace is loaded in one transaction: an invalid trace leaves the database as it was (a database \
        that does not exist yet is written to a temporary file and put in place when complete). A trace \
        cut off mid-way (crashed program) is loaded up to its last complete generation and marked \
        incomplete, with a warning. The same file (same SHA-256) is skipped unless --replace.

        TRACE may be `-`: the trace is read from standard input (copied to a temporary file first, then \
        loaded like a file; the run is named `stdin` unless --name). Or an http(s) URL of a Go program's \
        net/http/pprof trace endpoint, http://HOST:PORT/debug/pprof/trace?seconds=N (http://HOST:PORT \
        alone means that endpoint): the program records for N seconds (--seconds N sets it; Go's default \
        is 1) and the trace is loaded when it has arrived.

        Examples:
          go test -trace=trace.out ./pkg && tracedb ingest trace.out
          ssh host cat trace.out | tracedb ingest - --name host-trace
          tracedb ingest http://localhost:6060/debug/pprof/trace --seconds 5
          tracedb ingest --db runs.db --label commit=$(git rev-parse --short HEAD) trace.out
          tracedb ingest --git --label benchmark=BenchmarkServe *.trace
        """
    )

    @OptionGroup var database: DatabaseOption

    @Option(name: .customLong("label"), help: ArgumentHelp("A label key=value for every trace (repeatable).", valueName: "key=value"))
    var labels: [String] = []

    @Flag(help: "Record the current git commit, branch and dirty flag as labels.")
    var git = false

    @Flag(help: "Re-ingest files already in the database (their old rows are replaced).")
    var replace = false

    @Option(help: ArgumentHelp("The run's name for a trace read from standard input or a URL (default: stdin, HOST:PORT.trace).", valueName: "name"))
    var name: String?

    @Option(help: ArgumentHelp("For a URL: how long the program records (its seconds parameter).", valueName: "seconds"))
    var seconds: Double?

    @Option(help: ArgumentHelp("For a URL: seconds allowed for connecting and, beyond the recording time, for the answer.", valueName: "seconds"))
    var timeout: Double = 30

    @Argument(help: ArgumentHelp("Trace files written by runtime/trace or go test -trace; - for standard input; an http://HOST:PORT/debug/pprof/trace URL.", valueName: "trace"))
    var files: [String]

    func validate() throws {
        if files.filter({ $0 == "-" }).count > 1 { throw ValidationError("standard input (-) can be read only once") }
        if let name, name.isEmpty || name.contains("/") { throw ValidationError("--name wants a plain name without /, got '\(name)'") }
        guard timeout > 0 else { throw ValidationError("--timeout wants a number of seconds above 0") }
        for l in labels where !l.contains("=") || l.hasPrefix("=") {
            throw ValidationError("--label wants key=value, got '\(l)'")
        }
    }

    func run() throws {
        var pairs = labels.map { l -> (key: String, value: String) in
            let i = l.firstIndex(of: "=")!
            return (String(l[..<i]), String(l[l.index(after: i)...]))
        }
        if git { pairs += GitLabels.current() }
        Database.configureForBulkLoad()
        let warehouse: Warehouse
        do { warehouse = try Warehouse(path: database.path, maxPageCount: testMaxPageCount, deferCreation: true) } catch {
            // A WarehouseError names the database itself; a bare SQLite error does not.
            printError(error is WarehouseError ? "tracedb: \(error)" : "tracedb: \(database.path): \(error)")
            throw ExitCode(2)
        }
        let loader = TraceLoader(warehouse: warehouse)
        var failed = false
        let settings = TraceArgumentSettings(name: name, seconds: seconds, timeout: timeout)
        for file in files {
            let trace: LocalTrace
            do { trace = try TraceArguments.open(file, settings) } catch {
                printError("tracedb: \(error)")
                failed = true
                continue
            }
            defer { trace.cleanup() }
            if ingestAndReport(trace, loader: loader, warehouse: warehouse, options: IngestOptions(labels: pairs, replace: replace),
                               databasePath: database.path) == nil {
                failed = true
            }
        }
        if failed { throw ExitCode(2) }
    }
}

/// Labels from the git repository in the current directory.
enum GitLabels {
    static func current() -> [(key: String, value: String)] {
        var out: [(String, String)] = []
        if let c = run(["rev-parse", "HEAD"]) { out.append(("commit", c)) }
        if let b = run(["rev-parse", "--abbrev-ref", "HEAD"]) { out.append(("branch", b)) }
        if let s = run(["status", "--porcelain", "--untracked-files=no"]) { out.append(("dirty", s.isEmpty ? "false" : "true")) }
        return out
    }

    /// True if the current directory is inside a git work tree (git installed and the folder tracked).
    static func insideWorkTree() -> Bool { run(["rev-parse", "--is-inside-work-tree"]) == "true" }

    static func run(_ args: [String]) -> String? {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["git"] + args
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = FileHandle.nullDevice
        do { try p.run() } catch { return nil }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else { return nil }
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
