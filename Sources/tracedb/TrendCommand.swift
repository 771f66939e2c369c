import ArgumentParser
import Foundation
import TraceExport
import TraceWarehouse

struct TrendCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "trend",
        abstract: "Follow a metric across runs (e.g. one trace per commit).",
        discussion: """
        METRIC is QUERY.COLUMN of a saved query's overall row (e.g. sched-latency.p99_ns) or \
        QUERY[KEY=VALUE].COLUMN of a keyed one. With --label KEY, traces are grouped by that label's value \
        (traces without it are left out; several traces with the same value are repeated runs: their mean, \
        min and max); without it every trace is a point. Points come in ingest order (the first ingest of \
        each value) or, with --order label, sorted by the value. A text sparkline follows the table. The \
        database is opened read-only.

        Examples:
          tracedb ingest --git trace.out                       # in CI, once per commit
          tracedb trend sched-latency.p99_ns --label commit
          tracedb trend gc-summary.stw_max_ns --label version --order label --last 20
          tracedb trend 'blocking-by-reason[reason=sync].total_ns' --label commit
          tracedb trend sched-latency.p99_ns --label commit --filter branch=main
          tracedb trend trace-summary.duration_ns --format csv
          tracedb trend sched-latency.p99_ns --label commit --format html -o trend.html

        \(Exit.help)
        """
    )

    @Argument(help: ArgumentHelp("QUERY.COLUMN or QUERY[KEY=VALUE].COLUMN, e.g. sched-latency.p99_ns.", valueName: "metric"))
    var metric: String

    @Option(help: ArgumentHelp("Group the traces by this label, e.g. commit.", valueName: "key"))
    var label: String?

    @Option(help: ArgumentHelp("Point order: ingest (first ingest of each label value) or label (sorted by value).", valueName: "order"))
    var order: TrendOrder = .ingest

    @Option(name: .customLong("filter"), help: ArgumentHelp("Only traces with this label (repeatable), e.g. --filter branch=main.", valueName: "key=value"))
    var filters: [String] = []

    @Option(help: ArgumentHelp("Only the last N points.", valueName: "n"))
    var last: Int?

    @Option(name: .customLong("param"), help: ArgumentHelp("A parameter of the query (repeatable).", valueName: "name=value"))
    var params: [String] = []

    @Option(help: ArgumentHelp(
        "Output format: table, csv, json, markdown or html.",
        discussion: "table: aligned, human units; csv and json: raw numbers only; markdown: for PR comments; html: a self-contained page drawing the metric across runs (mean line, min–max band of repeated runs, labels such as commits on the axis).",
        valueName: "format"))
    var format: TrendFormat = .table

    @Option(name: .shortAndLong, help: ArgumentHelp("Write the output to this file instead of standard output.", valueName: "file"))
    var output: String?
    @OptionGroup var database: DatabaseOption
    @OptionGroup var queries: QueryDirsOption

    func run() throws {
        try reportingErrors("trend") {
            let path = try MetricPath.parse(metric)
            let values = try QueryParams.parse(params)
            if values["trace_id"] != nil { throw InputError("trend runs the query on every trace; do not set --param trace_id") }
            let pairs = try filters.flatMap { try TraceResolver.parseLabels($0) }
            let library = try queries.load()
            _ = try path.resolve(in: library)
            let db = try TraceResolver.openReadOnly(database.path)
            let report = try TrendReport.build(db: db, library: library, path: path, labelKey: label, order: order,
                                               filters: pairs, params: values, last: last)
            let text = format.outputFormat.map { report.render($0) } ?? TrendHTML.render(report)
            if let output {
                do { try text.write(toFile: output, atomically: true, encoding: .utf8) } catch {
                    throw InputError("cannot write \(output): \(error.localizedDescription)")
                }
            } else {
                emit(text)
            }
        }
    }
}

/// trend's output formats: the shared text formats plus a picture.
enum TrendFormat: String, ExpressibleByArgument, CaseIterable {
    case table, csv, json, markdown, html
    var outputFormat: OutputFormat? { OutputFormat(rawValue: rawValue) }
}
