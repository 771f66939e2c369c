import ArgumentParser
import Foundation
import TraceExport
import TraceWarehouse

struct CompareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Compare two traces (or two sets of repeated runs) and gate CI on regressions.",
        discussion: """
        BASE and HEAD are trace references: an id, latest, latest~N, key=value (a label: every trace \
        with it is a repeated run of that side), a .db file (DB or DB:REF) or a trace file (ingested on the \
        fly into a temporary database). The databases are opened read-only.

        First a scorecard: wall duration, goroutines created, sched latency p50/p99/max, block time per \
        reason, syscall time, GC cycles, total and max stop-the-world pause, MMU at 10 ms, peak goroutines. \
        Then, for each comparable saved query (or those named with --query), its rows joined on the key \
        columns with base, head, Δ and Δ% for every metric, largest change first. Queries keyed by \
        instances (ranks, cycle numbers, time buckets, thread ids) are compared only when named.

        With repeated runs a side's value is the mean of its runs; the table adds each side's min…max and \
        says whether the change is beyond run-to-run noise: every run of one side is beyond every run of \
        the other (the min…max ranges do not overlap), or the means differ by more than three standard \
        errors.

        --fail-on METRIC OP THRESHOLD (repeatable), METRIC being QUERY.COLUMN of an overall query or \
        QUERY[KEY=VALUE].COLUMN of a keyed one; numbers are in the column's unit:
          'sched-latency.p99_ns>+10%'      head more than 10% above base
          'gc-summary.mmu_10ms<-5%'        head more than 5% below base
          'sched-latency.p99_ns>+50us'     head − base above 50 µs (signed: a change)
          'gc-summary.stw_max_ns>1ms'      head above 1 ms (unsigned: a limit)
          'blocking-by-reason[reason=sync].total_ns>+20%'
        Exceeding a rule is a regression: compare lists it and exits 1. With repeated runs, a rule \
        exceeded within run-to-run noise is reported but does not fail, unless --ignore-noise.

        Examples:
          tracedb compare commit=abc123 commit=def456
          tracedb compare latest~1 latest --fail-on 'sched-latency.p99_ns>+10%'
          tracedb compare before.trace after.trace --query sched-latency
          tracedb compare base.db head.db --format markdown > comment.md
          tracedb compare 3 7 --format json | jq '.gate.passed'

        \(Exit.compareHelp)
        """
    )

    @Argument(help: ArgumentHelp("The reference side (before).", valueName: "base"))
    var base: String

    @Argument(help: ArgumentHelp("The side under test (after).", valueName: "head"))
    var head: String

    @Option(name: .customLong("query"), help: ArgumentHelp("Compare only this saved query (repeatable).", valueName: "name"))
    var queryNames: [String] = []

    @Option(name: .customLong("fail-on"), help: ArgumentHelp("A regression rule, e.g. 'sched-latency.p99_ns>+10%' (repeatable).", valueName: "rule"))
    var failOn: [String] = []

    @Flag(help: "Fail on a rule exceeded even when the change is within run-to-run noise.")
    var ignoreNoise = false

    @Flag(help: "Leave out the scorecard.")
    var noScorecard = false

    @Option(help: ArgumentHelp("Changed rows shown per query in table and markdown output (0: all).", valueName: "n"))
    var top = 10

    @Option(name: .customLong("param"), help: ArgumentHelp("A parameter for every query that takes it (repeatable), e.g. --param short_ns=5000.", valueName: "name=value"))
    var params: [String] = []

    @Option(help: ArgumentHelp(
        "Output format: table, csv, json, markdown or html.",
        discussion: "table: aligned, human units; csv and json: raw numbers and nothing else on standard output; markdown: for PR comments; html: the two traces' reports side by side (self-contained page on standard output, or -o FILE).",
        valueName: "format"))
    var format: CompareFormat = .table

    @Option(name: .shortAndLong, help: ArgumentHelp("Write the output to this file instead of standard output.", valueName: "file"))
    var output: String?
    @OptionGroup var database: DatabaseOption
    @OptionGroup var queries: QueryDirsOption

    func run() throws {
        var failed = false
        try reportingErrors("compare") {
            let rules = try failOn.map(GateRule.parse)
            let values = try QueryParams.parse(params)
            if values["trace_id"] != nil { throw InputError("the traces are BASE and HEAD, not --param trace_id") }
            guard top >= 0 else { throw InputError("--top wants 0 (all) or more") }
            let library = try queries.load()
            for r in rules { _ = try r.path.resolve(in: library) }
            let baseSource = try TraceResolver.resolve(base, defaultDatabase: database.path, mode: .allRuns)
            defer { baseSource.cleanup() }
            let headSource = try TraceResolver.resolve(head, defaultDatabase: database.path, mode: .allRuns)
            defer { headSource.cleanup() }
            let report = try ComparisonReport.build(
                library: library, base: baseSource, head: headSource, queries: queryNames.isEmpty ? nil : queryNames,
                scorecard: !noScorecard, rules: rules, ignoreNoise: ignoreNoise, params: values)
            for q in report.queries { for w in q.warnings { printError("tracedb compare: warning: \(w)") } }
            let text: String
            if let textFormat = format.outputFormat {
                text = report.render(textFormat, top: top, showAllHint: "--top 0 for all")
            } else {
                // Side by side: the newest run of each side.
                let headData = try ReportData(db: headSource.db, traceID: headSource.newest)
                let baseData = try ReportData(db: baseSource.db, traceID: baseSource.newest)
                text = HTMLReport.render(headData, base: baseData)
            }
            if let output {
                do { try text.write(toFile: output, atomically: true, encoding: .utf8) } catch {
                    throw InputError("cannot write \(output): \(error.localizedDescription)")
                }
            } else {
                emit(text)
            }
            if let gate = report.gate, !gate.passed {
                failed = true
                if format == .csv || format == .json || format == .html {
                    printError("tracedb compare: \(gate.regressions.count) regression\(gate.regressions.count == 1 ? "" : "s"):")
                    for c in gate.regressions { printError("  \(c.summary)") }
                }
            }
        }
        if failed { throw ExitCode(Exit.regression) }
    }
}

/// compare's output formats: the shared text formats plus a side-by-side HTML report.
enum CompareFormat: String, ExpressibleByArgument, CaseIterable {
    case table, csv, json, markdown, html
    var outputFormat: OutputFormat? { OutputFormat(rawValue: rawValue) }
}
