import ArgumentParser
import Foundation
import TraceWarehouse

struct RunsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "runs",
        abstract: "List the traces in the warehouse with their labels.",
        discussion: """
        One line per ingested trace (run), oldest first: id, when it was ingested, file, Go version, \
        duration, events, goroutines, GC cycles, GOMAXPROCS, whether it was complete, and its labels. \
        The ids and labels are what --trace, compare and trend take. The database is opened read-only.

        Examples:
          tracedb runs
          tracedb runs --label commit=abc123
          tracedb runs --label benchmark --format json   # with a 'benchmark' label

        \(Exit.help)
        """
    )

    @Option(name: .customLong("label"), help: ArgumentHelp("Only traces with this label (key=value, or just key; repeatable).", valueName: "key[=value]"))
    var labels: [String] = []

    @Option(help: ArgumentHelp("Only the last N traces.", valueName: "n"))
    var last: Int?

    @OptionGroup var output: FormatOption
    @OptionGroup var database: DatabaseOption

    func run() throws {
        try reportingErrors("runs") {
            let db = try TraceResolver.openReadOnly(database.path)
            let filters = labels.map { l -> (key: String, value: String?) in
                guard let i = l.firstIndex(of: "=") else { return (l, nil) }
                return (String(l[..<i]), String(l[l.index(after: i)...]))
            }
            var rows = try TraceSummaryRow.all(db: db, labels: filters)
            if let last, last >= 0 { rows = Array(rows.suffix(last)) }
            let (result, styles) = TraceSummaryRow.result(rows)
            if output.format == .table && rows.isEmpty {
                emit(filters.isEmpty ? "no traces in \(database.path) (tracedb ingest FILE adds one)\n" : "no traces with those labels\n")
                return
            }
            emit(ResultRenderer.render(result, format: output.format, styles: styles, maxCellWidth: 60))
        }
    }
}
