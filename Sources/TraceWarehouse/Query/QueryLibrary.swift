import Foundation

/// A saved query: one `.sql` file holding one statement, with a header comment that names and
/// documents it. The header format (read by ``SavedQuery/parse(_:sourcePath:)``):
///
/// ```
/// -- name: sched-latency
/// -- title: Scheduling latency (Runnable → Running)
/// -- description: One paragraph, continued on following `-- ` lines
/// --   until the next tag line.
/// -- param: trace_id = latest — the trace to analyse
/// -- key: function
/// -- metric: p50_ns ns lower — median wait
/// WITH … SELECT …;
/// ```
///
/// Tags: `name` (equal to the file name without `.sql`), `title`, `description`, then any number of
/// `param` (`NAME = DEFAULT — help`; the SQL uses it as `:NAME`, NULL when unset), `key` (result
/// columns that identify a row across runs, in column order; none means one overall row) and `metric`
/// (`COLUMN UNIT DIRECTION — help`: a comparable result column, its unit and which way is better), and
/// optionally `compare: yes|no` (whether `tracedb compare` compares the query by default; `no` for
/// listings of instances such as the slowest tasks, whose rows do not pair up across runs).
/// The header ends at the first line that is not a `--` comment.
public struct SavedQuery: Sendable, Equatable {
    /// A named parameter (`:name` in the SQL).
    public struct Param: Sendable, Equatable {
        public var name: String
        /// The default as the header words it (`latest`, `all`, `10000` …); the SQL applies it when the value is NULL.
        public var defaultValue: String
        public var help: String
    }

    /// The unit of a metric column.
    public enum Unit: String, Sendable, CaseIterable {
        case ns, bytes, count, ratio, percent
        case perSecond = "per_s"
    }

    /// Which way a metric is better.
    public enum Direction: String, Sendable, CaseIterable {
        case lower, higher, none
    }

    /// A comparable result column.
    public struct Metric: Sendable, Equatable {
        public var column: String
        public var unit: Unit
        public var direction: Direction
        public var help: String
    }

    public var name: String
    public var title: String
    public var description: String
    public var params: [Param]
    public var keys: [String]
    public var metrics: [Metric]
    /// The whole file text (header included): runs as is in any SQLite client.
    public var sql: String
    /// Where it came from: `Queries/NAME.sql` for built-in queries, the file path for user queries.
    public var sourcePath: String
    /// The `compare:` tag: true/false if the header says whether `tracedb compare` should compare this
    /// query by default, nil if it does not say.
    public var compare: Bool? = nil

    /// A query with no key columns returns one overall row.
    public var isOverall: Bool { keys.isEmpty }

    public func metric(_ column: String) -> Metric? { metrics.first { $0.column == column } }

    /// Parses a query file. `sourcePath` names the file in errors; its base name must equal the `name` tag.
    public static func parse(_ text: String, sourcePath: String) throws -> SavedQuery {
        var parser = HeaderParser(file: sourcePath)
        return try parser.parse(text)
    }
}

/// A malformed query file: names the file, the line (1-based) and what is wrong.
public struct QueryFileError: Error, CustomStringConvertible, Sendable, Equatable {
    public var file: String
    public var line: Int
    public var message: String
    public init(file: String, line: Int, message: String) {
        self.file = file; self.line = line; self.message = message
    }
    public var description: String { "\(file):\(line): \(message)" }
}

/// The header parser (see ``SavedQuery``).
private struct HeaderParser {
    let file: String

    init(file: String) { self.file = file }

    func fail(_ line: Int, _ message: String) -> QueryFileError {
        QueryFileError(file: file, line: line, message: message)
    }

    static let tags: Set<String> = ["name", "title", "description", "param", "key", "metric", "compare"]

    mutating func parse(_ text: String) throws -> SavedQuery {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map {
            $0.hasSuffix("\r") ? String($0.dropLast()) : String($0)
        }
        var name: (String, Int)?
        var title: String?
        var description: [String]?
        var inDescription = false
        var params: [SavedQuery.Param] = []
        var keys: [String] = []
        var metrics: [SavedQuery.Metric] = []
        var compare: Bool?
        var headerEnd = 0
        var sawHeaderLine = false

        for (i, raw) in lines.enumerated() {
            let lineNo = i + 1
            let line = raw.trimmingCharacters(in: .whitespaces)
            guard line.hasPrefix("--") else {
                if line.isEmpty && !sawHeaderLine { continue }  // blank lines before the header
                headerEnd = i
                break
            }
            sawHeaderLine = true
            headerEnd = i + 1
            if let (tag, value) = Self.tagLine(line) {
                inDescription = false
                switch tag {
                case "name":
                    guard name == nil else { throw fail(lineNo, "duplicate 'name' tag") }
                    guard !value.isEmpty else { throw fail(lineNo, "empty query name") }
                    name = (value, lineNo)
                case "title":
                    guard title == nil else { throw fail(lineNo, "duplicate 'title' tag") }
                    guard !value.isEmpty else { throw fail(lineNo, "empty title") }
                    title = value
                case "description":
                    guard description == nil else { throw fail(lineNo, "duplicate 'description' tag") }
                    description = value.isEmpty ? [] : [value]
                    inDescription = true
                case "param":
                    let p = try param(value, lineNo)
                    guard !params.contains(where: { $0.name == p.name }) else { throw fail(lineNo, "duplicate param '\(p.name)'") }
                    params.append(p)
                case "key":
                    guard Self.isIdentifier(value) else { throw fail(lineNo, "key must be one result column name, got '\(value)'") }
                    guard !keys.contains(value) else { throw fail(lineNo, "duplicate key '\(value)'") }
                    keys.append(value)
                case "metric":
                    let m = try metric(value, lineNo)
                    guard !metrics.contains(where: { $0.column == m.column }) else { throw fail(lineNo, "duplicate metric '\(m.column)'") }
                    guard !keys.contains(m.column) else { throw fail(lineNo, "column '\(m.column)' is both a key and a metric") }
                    metrics.append(m)
                case "compare":
                    guard compare == nil else { throw fail(lineNo, "duplicate 'compare' tag") }
                    switch value {
                    case "yes": compare = true
                    case "no": compare = false
                    default: throw fail(lineNo, "compare must be 'yes' or 'no', got '\(value)'")
                    }
                default:
                    throw fail(lineNo, "unknown tag '\(tag)' (expected one of: name, title, description, param, key, metric, compare)")
                }
            } else {
                // A continuation line: only the description may continue.
                let rest = String(line.dropFirst(2)).trimmingCharacters(in: .whitespaces)
                if inDescription {
                    if !rest.isEmpty { description?.append(rest) }
                } else if !rest.isEmpty {
                    throw fail(lineNo, "expected a header tag ('-- name:', '-- title:', '-- description:', '-- param:', '-- key:', '-- metric:', '-- compare:'), got '\(line)'")
                }
            }
        }

        guard let (n, nameLine) = name else { throw fail(1, "missing '-- name:' tag") }
        let base = ((file as NSString).lastPathComponent as NSString).deletingPathExtension
        guard n == base else { throw fail(nameLine, "query name '\(n)' does not match the file name '\(base).sql'") }
        guard let title else { throw fail(1, "missing '-- title:' tag") }
        guard let description, !description.isEmpty else { throw fail(1, "missing or empty '-- description:' tag") }
        let body = lines[headerEnd...].joined(separator: "\n").trimmingCharacters(in: .whitespacesAndNewlines)
        guard !body.isEmpty else { throw fail(headerEnd + 1, "no SQL statement after the header") }
        return SavedQuery(name: n, title: title, description: description.joined(separator: " "), params: params,
                          keys: keys, metrics: metrics, sql: text, sourcePath: file, compare: compare)
    }

    /// `-- tag: value` → (tag, value); nil for a continuation line (`--   text`).
    static func tagLine(_ line: String) -> (String, String)? {
        guard line.hasPrefix("-- ") else { return nil }
        let rest = line.dropFirst(3)
        guard let colon = rest.firstIndex(of: ":") else { return nil }
        let tag = rest[..<colon]
        guard !tag.isEmpty, tag.allSatisfy({ ($0.isASCII && $0.isLowercase) || $0 == "_" }) else { return nil }
        let after = rest[rest.index(after: colon)...]
        guard after.isEmpty || after.first == " " else { return nil }
        return (String(tag), after.trimmingCharacters(in: .whitespaces))
    }

    static func isIdentifier(_ s: String) -> Bool {
        guard let f = s.unicodeScalars.first, f == "_" || (f.properties.isAlphabetic && f.isASCII) else { return false }
        return s.unicodeScalars.allSatisfy { $0.isASCII && ($0 == "_" || $0.properties.isAlphabetic || ("0"..."9").contains($0)) }
    }

    /// Splits `text — help` at the em dash (or ` - `); the help may be empty.
    static func splitHelp(_ s: String) -> (String, String)? {
        for sep in [" — ", " -- ", " - "] {
            if let r = s.range(of: sep) {
                return (String(s[..<r.lowerBound]).trimmingCharacters(in: .whitespaces),
                        String(s[r.upperBound...]).trimmingCharacters(in: .whitespaces))
            }
        }
        return nil
    }

    func param(_ value: String, _ line: Int) throws -> SavedQuery.Param {
        guard let (spec, help) = Self.splitHelp(value), !help.isEmpty else {
            throw fail(line, "param must be 'NAME = DEFAULT — help', got '\(value)'")
        }
        let parts = spec.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
        guard parts.count == 2, !parts[1].isEmpty else { throw fail(line, "param must be 'NAME = DEFAULT — help', got '\(value)'") }
        var name = parts[0]
        if name.hasPrefix(":") { name.removeFirst() }
        guard Self.isIdentifier(name) else { throw fail(line, "invalid param name '\(parts[0])'") }
        return SavedQuery.Param(name: name, defaultValue: parts[1], help: help)
    }

    func metric(_ value: String, _ line: Int) throws -> SavedQuery.Metric {
        guard let (spec, help) = Self.splitHelp(value), !help.isEmpty else {
            throw fail(line, "metric must be 'COLUMN UNIT DIRECTION — help', got '\(value)'")
        }
        let parts = spec.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        guard parts.count == 3 else { throw fail(line, "metric must be 'COLUMN UNIT DIRECTION — help', got '\(value)'") }
        guard Self.isIdentifier(parts[0]) else { throw fail(line, "invalid metric column '\(parts[0])'") }
        guard let unit = SavedQuery.Unit(rawValue: parts[1]) else {
            throw fail(line, "unknown unit '\(parts[1])' (expected one of: \(SavedQuery.Unit.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        guard let dir = SavedQuery.Direction(rawValue: parts[2]) else {
            throw fail(line, "unknown direction '\(parts[2])' (expected lower, higher or none)")
        }
        return SavedQuery.Metric(column: parts[0], unit: unit, direction: dir, help: help)
    }
}

/// The saved queries: the built-in ones (`Queries/*.sql`, embedded in the binary) plus user directories
/// (`--queries DIR`, `$TRACEDB_QUERIES`). A user query with the name of an earlier one replaces it.
public struct QueryLibrary: Sendable {
    /// All queries, sorted by name.
    public private(set) var queries: [SavedQuery]

    public init(queries: [SavedQuery]) {
        var byName: [String: SavedQuery] = [:]
        for q in queries { byName[q.name] = q }
        self.queries = byName.values.sorted { $0.name < $1.name }
    }

    /// The queries shipped in the binary.
    public static func builtIn() throws -> QueryLibrary {
        QueryLibrary(queries: try builtInQueries())
    }

    static func builtInQueries() throws -> [SavedQuery] {
        try BundledSQL.files
            .filter { $0.path.hasPrefix("Queries/") && $0.path.hasSuffix(".sql") }
            .map { try SavedQuery.parse($0.text, sourcePath: $0.path) }
    }

    /// The built-in queries (unless `includeBuiltIn` is false) plus every `*.sql` file in `directories`, in order.
    public static func load(directories: [String], includeBuiltIn: Bool = true) throws -> QueryLibrary {
        var all = includeBuiltIn ? try builtInQueries() : []
        for dir in directories {
            all += try loadDirectory(dir)
        }
        return QueryLibrary(queries: all)
    }

    /// The directories named by `TRACEDB_QUERIES` (separated by `:`) in `env` (the CLI passes the process environment).
    public static func environmentDirectories(_ env: [String: String]) -> [String] {
        (env["TRACEDB_QUERIES"] ?? "").split(separator: ":").map(String.init).filter { !$0.isEmpty }
    }

    /// Parses every `*.sql` file of a directory, sorted by file name.
    public static func loadDirectory(_ dir: String) throws -> [SavedQuery] {
        let names: [String]
        do { names = try FileManager.default.contentsOfDirectory(atPath: dir) } catch {
            throw QueryFileError(file: dir, line: 0, message: "cannot read the query directory (\(error.localizedDescription))")
        }
        return try names.filter { $0.hasSuffix(".sql") }.sorted().map { name in
            let path = (dir as NSString).appendingPathComponent(name)
            let text: String
            do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
                throw QueryFileError(file: path, line: 0, message: "cannot read the file (\(error.localizedDescription))")
            }
            return try SavedQuery.parse(text, sourcePath: path)
        }
    }

    public func query(named name: String) -> SavedQuery? {
        queries.first { $0.name == name }
    }

    public var names: [String] { queries.map(\.name) }

    /// The text of `Queries/README.md`: one line per query, generated from the headers.
    public func readme() -> String {
        var s = """
            # Saved queries

            Each `.sql` file here is one saved query: a single `WITH … SELECT …` statement that runs unchanged in
            the `sqlite3` shell on a database made by `tracedb ingest` (`sqlite3 tracedb.db < Queries/NAME.sql`).
            Its header documents what it measures, its parameters (SQLite named parameters such as `:trace_id`;
            unset means the latest trace and the whole time range), its key columns and its comparable metrics.
            This list is generated from the headers; `swift test --filter QueriesLibraryTests` checks it and prints
            the expected text when it drifts (`TRACEDB_UPDATE_README=1` rewrites it).


            """
        for q in queries {
            s += "- [`\(q.name)`](\(q.name).sql) — \(q.title)\n"
        }
        return s
    }
}
