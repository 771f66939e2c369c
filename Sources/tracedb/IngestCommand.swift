import ArgumentParser
import Foundation
import TraceWarehouse

struct IngestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingest",
        abstract: "Load Go execution traces into the warehouse.",
        discussion: """
        Each trace is loaded in one transaction: an invalid trace leaves the database as it was. A trace \
        cut off mid-way (crashed program) is loaded up to its last complete generation and marked \
        incomplete, with a warning. The same file (same SHA-256) is skipped unless --replace.

        Examples:
          go test -trace=trace.out ./... && tracedb ingest trace.out
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

    @Argument(help: ArgumentHelp("Trace files written by runtime/trace or go test -trace.", valueName: "trace"))
    var files: [String]

    func validate() throws {
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
        do { warehouse = try Warehouse(path: database.path, maxPageCount: testMaxPageCount) } catch {
            // A WarehouseError names the database itself; a bare SQLite error does not.
            printError(error is WarehouseError ? "tracedb: \(error)" : "tracedb: \(database.path): \(error)")
            throw ExitCode(2)
        }
        let loader = TraceLoader(warehouse: warehouse)
        var failed = false
        for file in files {
            let progress = ProgressLine(label: "ingesting \((file as NSString).lastPathComponent)")
            var options = IngestOptions(labels: pairs, replace: replace)
            if progress.enabled {
                options.progress = { @Sendable (done: Int, total: Int) in progress.update(done: done, total: total) }
            }
            do {
                let r = try loader.ingest(path: file, options: options)
                progress.clear()
                if r.skipped {
                    print("trace \(r.traceID): \(file) is already in \(database.path) (same SHA-256); skipped (use --replace to load it again)")
                    continue
                }
                let secs = String(format: "%.2f s", r.seconds)
                print("trace \(r.traceID): \(file): \(HumanFormat.count(r.events)) events, \(HumanFormat.count(r.goroutines)) goroutines, "
                    + "\(HumanFormat.duration(r.durationNs)), \(r.gcCycles) GC cycles (\(secs))")
                if let w = r.warning { printError("tracedb: warning: \(file): \(w)") }
            } catch {
                progress.clear()
                printError("tracedb: \(error)")
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
