import ArgumentParser
import Foundation
import TraceWarehouse

// Shared by the query, sql, runs, compare and trend commands.

extension OutputFormat: ExpressibleByArgument {}
extension TrendOrder: ExpressibleByArgument {}

/// `--queries DIR` (repeatable) plus `$TRACEDB_QUERIES`.
struct QueryDirsOption: ParsableArguments {
    @Option(name: .customLong("queries"), help: ArgumentHelp(
        "A folder of your own saved queries (*.sql with the same header format; repeatable).",
        discussion: "Also $TRACEDB_QUERIES (folders separated by ':'). A query named like a built-in one replaces it.",
        valueName: "dir"))
    var directories: [String] = []

    /// The built-in queries plus $TRACEDB_QUERIES plus --queries (later folders win).
    func load() throws -> QueryLibrary {
        try QueryLibrary.load(directories: QueryLibrary.environmentDirectories(ProcessInfo.processInfo.environment) + directories)
    }
}

/// `--format table|csv|json|markdown`.
struct FormatOption: ParsableArguments {
    @Option(help: ArgumentHelp(
        "Output format: table, csv, json or markdown.",
        discussion: "table: aligned, human units (µs/ms/s, KiB/MiB); csv and json: raw numbers and nothing else on standard output; markdown: a table for PR comments.",
        valueName: "format"))
    var format: OutputFormat = .table
}

/// The exit codes of the query, sql, runs, compare and trend commands.
enum Exit {
    static let regression: Int32 = 1
    static let usage: Int32 = 2

    static let help = "Exit status: 0 success, 2 usage or input error (unknown query, bad reference, broken query file, SQL error)."
    static let compareHelp = "Exit status: 0 no regression, 1 a --fail-on rule regressed (listed), 2 usage or input error."
}

/// Writes text to stdout as is (no extra newline).
func emit(_ text: String) {
    FileHandle.standardOutput.write(Data(text.utf8))
}

struct QueriesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "queries",
        abstract: "List the saved queries, or show one.",
        discussion: """
        The library is the built-in queries (Queries/*.sql, shipped in the binary) plus the .sql files in \
        $TRACEDB_QUERIES and --queries folders. A query file is one SQLite statement with a header:

          -- name: my-query            (the file name without .sql)
          -- title: One line
          -- description: What it measures and how to read it.
          -- param: trace_id = latest — the trace to analyse
          -- key: function             (columns that identify a row across runs; none: one overall row)
          -- metric: p99_ns ns lower — what it is
                 (unit: ns, bytes, count, ratio, percent, per_s; better: lower, higher, none)
          SELECT …

        A broken header is reported with its file and line.

        Examples:
          tracedb queries
          tracedb queries sched-latency
          tracedb queries --queries ./my-queries --format json

        \(Exit.help)
        """
    )

    @Argument(help: ArgumentHelp("Show this query's header: description, parameters, keys and metrics.", valueName: "name"))
    var name: String?

    @OptionGroup var queries: QueryDirsOption
    @OptionGroup var output: FormatOption
    /// Accepted like every command's; the library does not depend on the database.
    @OptionGroup var database: DatabaseOption

    func run() throws {
        try reportingErrors("queries") {
            let library = try queries.load()
            if let name {
                guard let q = library.query(named: name) else {
                    throw InputError("no saved query named '\(name)' (tracedb queries lists them)")
                }
                emit(detail(q))
                return
            }
            switch output.format {
            case .json:
                emit(JSONValue.array(library.queries.map(json)).render() + "\n")
            case .csv:
                var out = CSV.line(["name", "title", "keys", "metrics", "source"])
                for q in library.queries {
                    out += CSV.line([q.name, q.title, q.keys.joined(separator: " "), q.metrics.map(\.column).joined(separator: " "), q.sourcePath])
                }
                emit(out)
            case .table, .markdown:
                var t = TextTable(headers: ["name", "title", "rows per", "source"])
                for q in library.queries {
                    t.add([q.name, q.title, q.isOverall ? "(overall)" : q.keys.joined(separator: ", "),
                           q.sourcePath.hasPrefix("Queries/") ? "built-in" : q.sourcePath])
                }
                emit(output.format == .markdown ? t.markdown() : t.render()
                     + "\n\(library.queries.count) queries. tracedb queries NAME shows one; tracedb query NAME runs it.\n")
            }
        }
    }

    func json(_ q: SavedQuery) -> JSONValue {
        .object([
            ("name", .string(q.name)), ("title", .string(q.title)), ("description", .string(q.description)),
            ("params", .array(q.params.map { .object([("name", .string($0.name)), ("default", .string($0.defaultValue)), ("help", .string($0.help))]) })),
            ("keys", .array(q.keys.map { .string($0) })),
            ("metrics", .array(q.metrics.map {
                .object([("column", .string($0.column)), ("unit", .string($0.unit.rawValue)),
                         ("direction", .string($0.direction.rawValue)), ("help", .string($0.help))])
            })),
            ("source", .string(q.sourcePath)),
        ])
    }

    func detail(_ q: SavedQuery) -> String {
        if output.format == .json { return json(q).render() + "\n" }
        var s = "\(q.name) — \(q.title)\n\n\(wrap(q.description, width: 100))\n\nsource: \(q.sourcePath)\n"
        if !q.params.isEmpty {
            s += "\nparameters (--param NAME=VALUE; trace_id comes from --trace):\n"
            for p in q.params { s += "  \(p.name) = \(p.defaultValue) — \(p.help)\n" }
        }
        s += q.isOverall ? "\nrows: one overall row\n" : "\nkeys (one row per): \(q.keys.joined(separator: ", "))\n"
        if !q.metrics.isEmpty {
            s += "\nmetrics (comparable with tracedb compare; --fail-on '\(q.name)\(q.isOverall ? "" : "[" + q.keys.map { "\($0)=…" }.joined(separator: ",") + "]").COLUMN>+10%'):\n"
            var t = TextTable(headers: ["column", "unit", "better", "meaning"])
            for m in q.metrics { t.add([m.column, m.unit.rawValue, m.direction.rawValue, m.help]) }
            s += t.render(indent: "  ")
        }
        return s
    }

    func wrap(_ text: String, width: Int) -> String {
        var lines: [String] = []
        var line = ""
        for word in text.split(separator: " ") {
            if !line.isEmpty && line.count + 1 + word.count > width { lines.append(line); line = "" }
            line += (line.isEmpty ? "" : " ") + word
        }
        if !line.isEmpty { lines.append(line) }
        return lines.joined(separator: "\n")
    }
}
