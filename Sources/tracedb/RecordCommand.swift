import ArgumentParser
import Foundation
import TraceInput
import TraceWarehouse

struct RecordCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "record",
        abstract: "Run go test with tracing on, ingest its trace and print the headline numbers.",
        discussion: """
        Runs the command after -- with -trace=FILE added (a -trace already in the command is respected \
        and its file kept), ingests the trace, labels the run with the command line (label `command`), \
        its outcome (`status=pass|fail`, `exit_status`) and, with --git (the default inside a git work \
        tree), the commit, branch and dirty flag, then prints the scorecard of the run. The command's \
        own output and exit status pass through; a failing test still has its trace ingested.

        --compare compares the run with the latest earlier run of the same command (the benchstat \
        habit: change the code, record again, see the delta).

        go test over several packages cannot write one trace: record one package at a time. For a \
        command other than go test, give the trace file it writes with --trace-file.

        Examples:
          tracedb record -- go test -run TestServe ./server
          tracedb record --compare -- go test -run '^$' -bench BenchmarkParse -count 1 ./parser
          tracedb record --label host=ci --trace-file out.trace -- ./myprog -trace out.trace

        Exit status: the command's own when it fails; otherwise 0, or 2 if tracedb could not record \
        (no trace written, an ingest error, a usage error).
        """
    )

    @OptionGroup var database: DatabaseOption

    @Option(name: .customLong("label"), help: ArgumentHelp("A label key=value for the run (repeatable).", valueName: "key=value"))
    var labels: [String] = []

    @Flag(inversion: .prefixedNo, help: "Label the run with the git commit, branch and dirty flag (default: when inside a git work tree).")
    var git: Bool?

    @Flag(help: "Compare the run with the latest earlier run of the same command.")
    var compare = false

    @Option(help: ArgumentHelp("For a command other than go test: the trace file it writes.", valueName: "file"))
    var traceFile: String?

    @Argument(parsing: .captureForPassthrough, help: ArgumentHelp("The command, after --: go test [flags] [package].", valueName: "command"))
    var command: [String] = []

    func validate() throws {
        for l in labels where !l.contains("=") || l.hasPrefix("=") {
            throw ValidationError("--label wants key=value, got '\(l)'")
        }
    }

    var commandArguments: [String] { command.first == "--" ? Array(command.dropFirst()) : command }

    func run() throws {
        let args = commandArguments
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("tracedb-record-\(UUID().uuidString)")
        let plan: GoTestPlan
        do {
            plan = try GoTestPlan.plan(args, defaultTraceFile: scratch.appendingPathComponent("trace.out").path, traceFile: traceFile)
        } catch {
            printError("tracedb record: \(error)")
            throw ExitCode(Exit.usage)
        }
        // The database first: a bad --db is reported before a long test run, not after.
        Database.configureForBulkLoad()
        let warehouse: Warehouse
        do { warehouse = try Warehouse(path: database.path, deferCreation: true) } catch {
            printError(error is WarehouseError ? "tracedb record: \(error)" : "tracedb record: \(database.path): \(error)")
            throw ExitCode(Exit.usage)
        }
        if !plan.userTraceFile {
            try? FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        }
        defer { try? FileManager.default.removeItem(at: scratch) }
        // A trace file left by an earlier run would be ingested again as if this run wrote it.
        if plan.userTraceFile { try? FileManager.default.removeItem(atPath: plan.traceFile) }

        let status = runPassingThrough(plan.arguments)
        guard let status else { throw ExitCode(Exit.usage) }
        let commandLine = GoTestPlan.commandLine(args)
        let size = (try? FileManager.default.attributesOfItem(atPath: plan.traceFile)[.size] as? NSNumber)?.intValue
        guard let size, size > 0 else {
            printError("tracedb record: `\(commandLine)` exited \(status) and wrote no trace (\(plan.traceFile))"
                + (status != 0 ? "; did it build? (a test binary that fails to compile writes none)" : ""))
            throw ExitCode(status != 0 ? status : Exit.usage)
        }

        var pairs = labels.map { l -> (key: String, value: String) in
            let i = l.firstIndex(of: "=")!
            return (String(l[..<i]), String(l[l.index(after: i)...]))
        }
        pairs.insert(("command", commandLine), at: 0)
        pairs.append(("status", status == 0 ? "pass" : "fail"))
        pairs.append(("exit_status", String(status)))
        if git ?? GitLabels.insideWorkTree() { pairs += GitLabels.current() }

        let trace = LocalTrace(path: plan.traceFile, display: plan.userTraceFile ? plan.traceFile : "trace of `\(commandLine)`",
                               recordedSource: plan.userTraceFile ? nil : "record: \(commandLine)", spool: nil)
        let loader = TraceLoader(warehouse: warehouse)
        guard let result = ingestAndReport(trace, loader: loader, warehouse: warehouse,
                                           options: IngestOptions(labels: pairs), databasePath: database.path) else {
            throw ExitCode(status != 0 ? status : Exit.usage)
        }
        if status != 0 {
            printError("tracedb record: the command failed (exit status \(status)); its trace was ingested as trace \(result.traceID) (label status=fail)")
        }
        do {
            let library = try QueryLibrary.load(directories: QueryLibrary.environmentDirectories(ProcessInfo.processInfo.environment))
            if compare {
                try printComparison(library: library, newID: result.traceID, commandLine: commandLine, db: warehouse.db)
            } else {
                try printHeadline(library: library, traceID: result.traceID)
            }
        } catch {
            printError("tracedb record: \(describeError(error))")
            throw ExitCode(status != 0 ? status : Exit.usage)
        }
        if status != 0 { throw ExitCode(status) }
    }

    /// Runs the command with this process's standard input, output and error; nil if it cannot start.
    func runPassingThrough(_ arguments: [String]) -> Int32? {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = arguments
        do { try p.run() } catch {
            printError("tracedb record: cannot run \(arguments[0]): \(error.localizedDescription)")
            return nil
        }
        p.waitUntilExit()
        if p.terminationReason == .uncaughtSignal { return 128 + p.terminationStatus }
        // env exits 127 when the command is not found (it said so on stderr).
        return p.terminationStatus
    }

    /// The scorecard lines of one run: label and value.
    func printHeadline(library: QueryLibrary, traceID: Int64) throws {
        let source = try TraceResolver.resolve(String(traceID), defaultDatabase: database.path)
        defer { source.cleanup() }
        let lines = try Comparer(library: library, base: source, head: source).scorecard()
        var table = TextTable(headers: ["metric", "value"], alignments: [.left, .right])
        for c in lines { table.add([c.label ?? c.path.description, c.headValue.map { HumanFormat.value($0, c.unit) } ?? "—"]) }
        print("\nScorecard (trace \(traceID))")
        print(table.render(indent: "  "), terminator: "")
    }

    /// The comparison with the latest earlier run labelled with the same command.
    func printComparison(library: QueryLibrary, newID: Int64, commandLine: String, db: Database) throws {
        let earlier = try TraceSummaryRow.all(db: db, labels: [("command", commandLine)]).map(\.id).filter { $0 < newID }
        guard let previous = earlier.max() else {
            print("\nNo earlier run of `\(commandLine)` in \(database.path) to compare with: this is the first.")
            try printHeadline(library: library, traceID: newID)
            return
        }
        let base = try TraceResolver.resolve(String(previous), defaultDatabase: database.path)
        defer { base.cleanup() }
        let head = try TraceResolver.resolve(String(newID), defaultDatabase: database.path)
        defer { head.cleanup() }
        let report = try ComparisonReport.build(library: library, base: base, head: head)
        print("\nCompared with trace \(previous), the latest earlier run of the same command:")
        print(report.render(.table, top: 10, showAllHint: "tracedb compare \(previous) \(newID) --top 0 for all"), terminator: "")
    }
}
