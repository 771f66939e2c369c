import Foundation

/// How a command prints its results: an aligned table with human units (the default), CSV or JSON with
/// raw numbers (and nothing else on standard output), or a Markdown table (for PR comments).
public enum OutputFormat: String, Sendable, CaseIterable {
    case table, csv, json, markdown
}

/// How to show a value in human formats.
public enum ValueStyle: Sendable, Equatable {
    /// As stored (integers without separators: ids, line numbers, years).
    case raw
    case unit(SavedQuery.Unit)

    /// The style of a result column: its metric unit if the query declares one, else a guess from the name
    /// (`*_ns` durations, `*_bytes` sizes), else raw.
    public static func of(column: String, query: SavedQuery?) -> ValueStyle {
        if let m = query?.metric(column) { return .unit(m.unit) }
        if column.hasSuffix("_ns") { return .unit(.ns) }
        if column.hasSuffix("_bytes") { return .unit(.bytes) }
        return .raw
    }
}

/// Human units: ns → µs/ms/s, bytes → KiB/MiB/GiB, counts with thousands separators: the one units
/// formatter (tables, comparisons, the CLI's summary lines and the HTML report all use it).
public enum HumanFormat {
    /// Integer nanoseconds (exact up to 2^53).
    public static func duration<T: BinaryInteger>(_ ns: T) -> String { duration(Double(ns)) }
    /// Integer bytes.
    public static func bytes<T: BinaryInteger>(_ n: T) -> String { bytes(Double(n)) }
    /// An integer with thousands separators: `1,234,567`.
    public static func count<T: BinaryInteger>(_ n: T) -> String { grouped(Int64(n)) }

    /// A fraction (0…1) as a percentage: one decimal, two below 0.1% (`12.3%`, `0.05%`).
    public static func percent(fraction f: Double) -> String {
        String(format: f < 0.1 && f > 0 ? "%.2f%%" : "%.1f%%", f * 100)
    }

    public static func duration(_ ns: Double) -> String {
        let a = abs(ns)
        let sign = ns < 0 ? "-" : ""
        switch a {
        case ..<999.5: return "\(Int64(ns.rounded())) ns"
        case ..<999_950: return sign + String(format: "%.1f µs", a / 1e3)
        case ..<999_995_000: return sign + String(format: "%.2f ms", a / 1e6)
        default: return sign + String(format: "%.3f s", a / 1e9)
        }
    }

    public static func bytes(_ n: Double) -> String {
        let a = abs(n)
        switch a {
        case ..<1024: return "\(Int64(n.rounded())) B"
        case ..<(1024 * 1024): return String(format: "%.1f KiB", n / 1024)
        case ..<(1024 * 1024 * 1024): return String(format: "%.1f MiB", n / 1_048_576)
        default: return String(format: "%.2f GiB", n / 1_073_741_824)
        }
    }

    /// 1234567 → `1,234,567`; fractions keep two decimals (`10.90`).
    public static func count(_ v: Double) -> String {
        if v == v.rounded() && abs(v) < 1e18 { return grouped(Int64(v)) }
        let parts = String(format: "%.2f", abs(v)).split(separator: ".")
        return (v < 0 ? "-" : "") + grouped(Int64(parts[0]) ?? 0) + "." + (parts.count > 1 ? parts[1] : "00")
    }

    static func grouped(_ n: Int64) -> String {
        let s = String(n.magnitude)
        var out = ""
        for (i, c) in s.enumerated() {
            if i > 0 && (s.count - i) % 3 == 0 { out.append(",") }
            out.append(c)
        }
        return (n < 0 ? "-" : "") + out
    }

    /// A value in its unit.
    public static func value(_ v: Double, _ unit: SavedQuery.Unit) -> String {
        switch unit {
        case .ns: return duration(v)
        case .bytes: return bytes(v)
        case .count: return count(v)
        case .ratio: return String(format: "%.3f", v)
        case .percent: return String(format: "%.1f%%", v)
        case .perSecond: return String(format: "%.1f/s", v)
        }
    }

    /// A difference in its unit, with a sign (`+1.2 ms`, `-3`, `0 ns`).
    public static func delta(_ d: Double, _ unit: SavedQuery.Unit) -> String {
        let s = value(d, unit)
        if d > 0 { return "+" + s }
        return s
    }

    /// A relative change: `+12.3%`, `-4.0%`, `0.0%`, `+∞%` (from zero).
    public static func relative(_ r: Double?) -> String {
        guard let r else { return "" }
        if r.isInfinite { return r > 0 ? "+∞%" : "-∞%" }
        let p = r * 100
        if abs(p) < 0.05 { return "0.0%" }
        if abs(p) >= 10_000 { return (p > 0 ? "+" : "-") + grouped(Int64(abs(p).rounded())) + "%" }
        return (p > 0 ? "+" : "") + String(format: "%.1f%%", p)
    }

    /// A result cell.
    public static func cell(_ v: SQLValue, _ style: ValueStyle) -> String {
        switch (v, style) {
        case (.null, _): return ""
        case (.int, .unit(let u)), (.double, .unit(let u)): return value(NumericValue.of(v)!, u)
        case (.double(let d), .raw): return rawDouble(d)
        default: return KeyText.of(v)
        }
    }

    /// A real as short text: integral values without a fraction, others with up to 6 significant digits.
    public static func rawDouble(_ d: Double) -> String {
        if d == d.rounded() && abs(d) < 1e15 { return String(Int64(d)) }
        return String(format: "%.6g", d)
    }

    /// A text sparkline of `values` (nil: a gap), scaled between their min and max.
    public static func sparkline(_ values: [Double?]) -> String {
        let bars = Array("▁▂▃▄▅▆▇█")
        let present = values.compactMap { $0 }
        guard let lo = present.min(), let hi = present.max() else { return String(repeating: " ", count: values.count) }
        return String(values.map { v -> Character in
            guard let v else { return " " }
            if hi == lo { return bars[3] }
            let i = Int(((v - lo) / (hi - lo) * Double(bars.count - 1)).rounded())
            return bars[Swift.max(0, Swift.min(bars.count - 1, i))]
        })
    }
}

/// A table of text cells printed aligned (numbers right, text left) or as Markdown.
public struct TextTable: Sendable {
    public enum Alignment: Sendable { case left, right }
    public var headers: [String]
    public var alignments: [Alignment]
    public var rows: [[String]] = []
    /// Cells longer than this are cut (with `…`) in the aligned form; 0 = never.
    public var maxCellWidth = 0

    public init(headers: [String], alignments: [Alignment]? = nil) {
        self.headers = headers
        self.alignments = alignments ?? headers.map { _ in .left }
    }

    public mutating func add(_ row: [String]) { rows.append(row) }

    func cut(_ s: String) -> String {
        guard maxCellWidth > 1, s.count > maxCellWidth else { return s }
        return String(s.prefix(maxCellWidth - 1)) + "…"
    }

    /// Aligned columns separated by two spaces, a rule under the header; `indent` before every line.
    public func render(indent: String = "") -> String {
        let cells = rows.map { $0.map(cut) }
        var widths = headers.map(\.count)
        for r in cells { for (i, c) in r.enumerated() where i < widths.count { widths[i] = Swift.max(widths[i], c.count) } }
        func line(_ r: [String]) -> String {
            var parts: [String] = []
            for (i, w) in widths.enumerated() {
                let c = i < r.count ? r[i] : ""
                let pad = String(repeating: " ", count: Swift.max(0, w - c.count))
                parts.append(alignments[i] == .right ? pad + c : (i == widths.count - 1 ? c : c + pad))
            }
            var l = indent + parts.joined(separator: "  ")
            while l.last == " " { l.removeLast() }
            return l
        }
        var out = line(headers) + "\n"
        out += indent + widths.map { String(repeating: "─", count: $0) }.joined(separator: "  ") + "\n"
        for r in cells { out += line(r) + "\n" }
        return out
    }

    /// A GitHub-flavoured Markdown table.
    public func markdown() -> String {
        func esc(_ s: String) -> String {
            s.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: " ")
        }
        var out = "| " + headers.map(esc).joined(separator: " | ") + " |\n"
        out += "|" + alignments.map { $0 == .right ? " ---: |" : " --- |" }.joined() + "\n"
        for r in rows { out += "| " + r.map(esc).joined(separator: " | ") + " |\n" }
        return out
    }
}

/// RFC 4180 CSV.
public enum CSV {
    public static func field(_ s: String) -> String {
        if s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) || s.hasPrefix(" ") || s.hasSuffix(" ") {
            return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }
        return s
    }
    public static func line(_ fields: [String]) -> String { fields.map(field).joined(separator: ",") + "\n" }
    /// A raw value: numbers as SQLite holds them, NULL empty.
    public static func raw(_ v: SQLValue) -> String {
        switch v {
        case .null: return ""
        case .double(let d): return JSONValue.number(d)
        default: return KeyText.of(v)
        }
    }
    public static func number(_ d: Double?) -> String { d.map(JSONValue.number) ?? "" }
}

/// Printing query results (`tracedb query`, `tracedb sql`, `tracedb runs`) in each format.
public enum ResultRenderer {
    /// `result` in `format`. `query` gives metric units for the human formats.
    /// `styles` (one per column) overrides the styles taken from `query` and the column names.
    public static func render(_ result: QueryResult, format: OutputFormat, query: SavedQuery? = nil,
                              styles: [ValueStyle]? = nil, maxCellWidth: Int = 0) -> String {
        switch format {
        case .csv:
            return CSV.line(result.columns) + result.rows.map { CSV.line($0.map(CSV.raw)) }.joined()
        case .json:
            return json(result).render() + "\n"
        case .table, .markdown:
            let styles = styles ?? result.columns.map { ValueStyle.of(column: $0, query: query) }
            var t = TextTable(headers: result.columns, alignments: result.columns.indices.map { i in
                let numeric = result.rows.contains { r in
                    if case .int = r[i] { return true }
                    if case .double = r[i] { return true }
                    return false
                }
                let allNumeric = result.rows.allSatisfy { r in
                    switch r[i] { case .int, .double, .null: return true; default: return false }
                }
                return numeric && allNumeric ? .right : .left
            })
            t.maxCellWidth = maxCellWidth
            for r in result.rows { t.add(zip(r, styles).map { HumanFormat.cell($0, $1) }) }
            if format == .markdown { return t.markdown() }
            return t.render() + (result.rows.count == 1 ? "(1 row)\n" : "(\(result.rows.count) rows)\n")
        }
    }

    /// An array of row objects (`[{"column": value, …}, …]`), raw values.
    public static func json(_ result: QueryResult) -> JSONValue {
        .array(result.rows.map { r in .object(zip(result.columns, r).map { ($0, JSONValue.sql($1)) }) })
    }
}
