import ArgumentParser
import Foundation
import TraceWarehouse

/// `--trace REF` for commands that work on one trace.
struct TraceRefOption: ParsableArguments {
    @Option(name: .customLong("trace"), help: ArgumentHelp(
        "The trace: an id, latest, latest~N, key=value (a label; the newest if several), a .db file (DB or DB:REF) or a trace file (ingested on the fly into a temporary database).",
        valueName: "ref"))
    var reference: String?
}

struct QueryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "query",
        abstract: "Run a saved query on a trace.",
        discussion: """
        NAME is a saved query (tracedb queries lists them) or a .sql file with a query header. The \
        query's :trace_id is the trace chosen with --trace (default: the latest); other parameters are set \
        with --param (unset ones take the defaults in the header). The database is opened read-only.

        Tables print aligned with human units (ns → µs/ms/s, bytes → KiB/MiB); csv and json print the raw \
        numbers and nothing else on standard output.

        Examples:
          tracedb query sched-latency
          tracedb query blocking-by-reason --trace commit=abc123
          tracedb query sched-latency-by-function --param top=5 --format csv
          tracedb query gc-pauses --trace ./trace.out   # no ingest needed
          tracedb query my-query --queries ./my-queries --format json

        \(Exit.help)
        """
    )

    @Argument(help: ArgumentHelp("A saved query name or a .sql file.", valueName: "name"))
    var name: String

    @OptionGroup var trace: TraceRefOption

    @Option(name: .customLong("param"), help: ArgumentHelp("A query parameter (repeatable), e.g. --param top=5.", valueName: "name=value"))
    var params: [String] = []

    @OptionGroup var output: FormatOption
    @OptionGroup var database: DatabaseOption
    @OptionGroup var queries: QueryDirsOption

    func run() throws {
        try reportingErrors("query") {
            let values = try QueryParams.parse(params)
            let query = try Self.findQuery(name, queries: queries)
            let source = try TraceResolver.resolve(trace.reference, defaultDatabase: database.path)
            defer { source.cleanup() }
            let result = try QueryRunner.run(query, db: source.db, traceID: source.newest, params: values)
            emit(ResultRenderer.render(result, format: output.format, query: query, maxCellWidth: 100))
        }
    }

    /// A saved query by name, or a query file by path.
    static func findQuery(_ name: String, queries: QueryDirsOption) throws -> SavedQuery {
        if name.hasSuffix(".sql") && FileManager.default.fileExists(atPath: name) {
            let text: String
            do { text = try String(contentsOfFile: name, encoding: .utf8) } catch {
                throw InputError("cannot read \(name): \(error.localizedDescription)")
            }
            return try SavedQuery.parse(text, sourcePath: name)
        }
        let library = try queries.load()
        guard let q = library.query(named: name) else {
            let near = library.names.filter { $0.contains(name) || name.contains($0) }
            let hint = near.isEmpty ? "tracedb queries lists them" : "did you mean \(near.prefix(4).joined(separator: ", "))?"
            throw InputError("no saved query named '\(name)' (\(hint))")
        }
        return q
    }
}
