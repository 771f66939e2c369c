import ArgumentParser
import Foundation
import TraceWarehouse

struct SQLCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sql",
        abstract: "Run SQL on the warehouse (read-only unless --write).",
        discussion: """
        Runs one or more statements given as an argument or in a file (-f FILE, - for standard input). The \
        database is opened read-only, and a statement that would write (INSERT, UPDATE, DELETE, CREATE, \
        DROP, …) is refused unless --write. Named parameters (:name) are set with --param; :trace_id with \
        --trace. Every statement that returns rows prints a table (json: an array of row objects, or an \
        array of such arrays when several statements return rows). An SQL error names the line.

        Examples:
          tracedb sql "SELECT trace_id, file_name, duration_ns FROM traces"
          tracedb sql --trace 3 "SELECT * FROM goroutines WHERE trace_id = :trace_id"
          tracedb sql -f Queries/sched-latency.sql --param trace_id=3 --format csv
          tracedb sql --write "DELETE FROM trace_labels WHERE key = 'host'"

        \(Exit.help)
        """
    )

    @Argument(help: ArgumentHelp("The SQL (one or more statements).", valueName: "sql"))
    var sql: String?

    @Option(name: [.customShort("f"), .customLong("file")], help: ArgumentHelp("Read the SQL from this file (- for standard input).", valueName: "file"),
            completion: .file(extensions: ["sql"]))
    var file: String?

    @Flag(help: "Allow statements that write to the database.")
    var write = false

    @Option(name: .customLong("param"), help: ArgumentHelp("A named parameter (repeatable), e.g. --param top=5 for :top.", valueName: "name=value"))
    var params: [String] = []

    @OptionGroup var trace: TraceRefOption
    @OptionGroup var output: FormatOption
    @OptionGroup var database: DatabaseOption

    func run() throws {
        try reportingErrors("sql") {
            let (text, source) = try readSQL()
            var values = try QueryParams.parse(params)
            let db: Database
            var cleanup: TraceSource?
            if write {
                db = try Warehouse(path: database.path, maxPageCount: testMaxPageCount).db
                if let ref = trace.reference {
                    guard values["trace_id"] == nil else { throw InputError("give the trace with --trace or --param trace_id, not both") }
                    values["trace_id"] = .int(try TraceResolver.select(ref, in: db).last!)
                }
            } else if let ref = trace.reference {
                guard values["trace_id"] == nil else { throw InputError("give the trace with --trace or --param trace_id, not both") }
                let s = try TraceResolver.resolve(ref, defaultDatabase: database.path)
                cleanup = s
                db = s.db
                values["trace_id"] = .int(s.newest)
            } else {
                db = try TraceResolver.openReadOnly(database.path)
            }
            defer { cleanup?.cleanup() }
            var unused: [String] = []
            let results = try QueryRunner.run(text, db: db, allowWrite: write, params: values, file: source, unused: &unused)
            for u in unused where u != "trace_id" { printError("tracedb sql: warning: --param \(u) is not used by the SQL") }
            emit(render(results))
        }
    }

    func readSQL() throws -> (String, String?) {
        switch (sql, file) {
        case (nil, nil): throw InputError("give the SQL as an argument or with -f FILE")
        case (_?, _?): throw InputError("give the SQL as an argument or with -f FILE, not both")
        case (let s?, nil): return (s, nil)
        case (nil, let f?):
            if f == "-" {
                return (String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self), "<stdin>")
            }
            do { return (try String(contentsOfFile: f, encoding: .utf8), f) } catch {
                throw InputError("cannot read \(f): \(error.localizedDescription)")
            }
        }
    }

    func render(_ results: [SQLStatementResult]) -> String {
        let sets = results.compactMap(\.result)
        switch output.format {
        case .json:
            if sets.count == 1 { return ResultRenderer.json(sets[0]).render() + "\n" }
            return JSONValue.array(sets.map(ResultRenderer.json)).render() + "\n"
        case .csv:
            return sets.map { ResultRenderer.render($0, format: .csv) }.joined(separator: "\n")
        case .table, .markdown:
            var parts = sets.map { ResultRenderer.render($0, format: output.format, maxCellWidth: output.format == .table ? 100 : 0) }
            let changes = results.filter { $0.result == nil }.reduce(0) { $0 + $1.changes }
            if write && results.contains(where: { $0.result == nil }) { parts.append("(\(changes) row\(changes == 1 ? "" : "s") changed)\n") }
            return parts.joined(separator: "\n")
        }
    }
}
