import Foundation
import TraceWarehouse

/// HTML building: escaping, the page frame every page shares, and result tables.
enum HTML {
    static func esc(_ s: String) -> String {
        var o = ""
        o.reserveCapacity(s.utf8.count)
        for c in s {
            switch c {
            case "&": o += "&amp;"
            case "<": o += "&lt;"
            case ">": o += "&gt;"
            case "\"": o += "&quot;"
            case "'": o += "&#39;"
            default: o.append(c)
            }
        }
        return o
    }

    /// Percent-encodes a query-string value.
    static func q(_ s: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return s.addingPercentEncoding(withAllowedCharacters: allowed) ?? ""
    }

    /// A whole page: the shared navigation, `body`, the table script.
    static func page(_ title: String, _ body: String, scripts: [String] = ["table.js"]) -> String {
        var s = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"/>"
        s += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>"
        s += "<title>\(esc(title)) · tracedb</title><link rel=\"stylesheet\" href=\"/assets/app.css\"/></head><body>"
        s += nav
        s += "<main class=\"page\"><h1>\(esc(title))</h1>\(body)</main>"
        for js in scripts { s += "<script src=\"/assets/\(js)\"></script>" }
        s += "</body></html>\n"
        return s
    }

    static let nav = "<header class=\"top\"><b>tracedb</b><a href=\"/\">Runs</a><a href=\"/queries\">Questions</a>"
        + "<a href=\"/sql\">SQL</a><a href=\"/trend\">Trend</a></header>"

    /// Puts the shared navigation at the top of a page made elsewhere (the report, the trend page).
    static func withNav(_ document: String, extra: String = "") -> String {
        guard let r = document.range(of: "<body>") else { return document }
        var d = document
        d.insert(contentsOf: nav + extra, at: r.upperBound)
        if let h = d.range(of: "</head>") {
            d.insert(contentsOf: "<link rel=\"stylesheet\" href=\"/assets/app.css\"/>", at: h.lowerBound)
        }
        return d
    }

    /// A sortable table of query results. Columns that hold stacks (`…stack…`, `funcs`, function lists
    /// joined by ';') show one frame per line; goroutine ids link to the goroutine page when `traceID` is known.
    static func table(_ r: QueryResult, query: SavedQuery? = nil, traceID: Int64?, maxRows: Int = 5000) -> String {
        var s = "<table class=\"sortable\" data-rows=\"\(r.rows.count)\"><thead><tr>"
        for c in r.columns { s += "<th>\(esc(c))</th>" }
        s += "</tr></thead><tbody>"
        let styles = r.columns.map { ValueStyle.of(column: $0, query: query) }
        for row in r.rows.prefix(maxRows) {
            s += "<tr>"
            for (i, v) in row.enumerated() {
                let col = r.columns[i]
                s += cell(v, column: col, style: styles[i], traceID: traceID)
            }
            s += "</tr>"
        }
        s += "</tbody></table>"
        if r.rows.count > maxRows { s += "<p class=\"muted\">showing the first \(maxRows) of \(r.rows.count) rows</p>" }
        return s
    }

    static func isGoroutineColumn(_ c: String) -> Bool {
        c == "goid" || c == "g" || c.hasSuffix("_goid")
    }

    static func isStackColumn(_ c: String) -> Bool {
        c.contains("stack") || c == "funcs" || c.hasSuffix("_funcs")
    }

    static func cell(_ v: SQLValue, column: String, style: ValueStyle, traceID: Int64?) -> String {
        switch v {
        case .null:
            return "<td class=\"muted\" data-v=\"\">NULL</td>"
        case .int(let n):
            let shown = HumanFormat.cell(v, style)
            if isGoroutineColumn(column), let t = traceID {
                return "<td class=\"num\" data-v=\"\(n)\"><a href=\"/runs/\(t)/goroutines/\(n)\">\(n)</a></td>"
            }
            return "<td class=\"num\" data-v=\"\(n)\" title=\"\(n)\">\(esc(shown))</td>"
        case .double(let d):
            return "<td class=\"num\" data-v=\"\(d)\" title=\"\(d)\">\(esc(HumanFormat.cell(v, style)))</td>"
        case .text(let t):
            if isStackColumn(column), t.contains(";") {
                return "<td><ol class=\"frames\">" + t.split(separator: ";").map { "<li>\(esc(String($0)))</li>" }.joined() + "</ol></td>"
            }
            return "<td>\(esc(t))</td>"
        case .blob(let b):
            return "<td class=\"muted\">&lt;\(b.count) bytes&gt;</td>"
        }
    }

    static func error(_ message: String) -> String { "<p class=\"err\">\(esc(message))</p>" }
}
