import Foundation
import TraceWarehouse

/// `tracedb trend METRIC --format html`: the metric across runs as one self-contained HTML page (an
/// inline SVG and CSS, no script, no network): one point per run group (a label value such as a
/// commit, or a trace), the mean joined by a line, the min–max band of repeated runs shaded, the
/// label values on the x axis, each point's numbers in its tooltip.
public enum TrendHTML {
    public static func render(_ report: TrendReport, title: String? = nil) -> String {
        let w = 900.0, h = 380.0, left = 90.0, right = 20.0, top = 40.0, bottom = 110.0
        let pw = w - left - right, ph = h - top - bottom
        let pts = report.points
        let valued = pts.compactMap(\.stats)
        var lo = valued.map(\.min).min() ?? 0, hi = valued.map(\.max).max() ?? 1
        if lo >= 0 { lo = 0 }
        if hi == lo { hi = lo + (hi == 0 ? 1 : abs(hi) * 0.1) }
        hi += (hi - lo) * 0.08
        func x(_ i: Int) -> Double { pts.count == 1 ? left + pw / 2 : left + pw * Double(i) / Double(pts.count - 1) }
        func y(_ v: Double) -> Double { top + ph * (1 - (v - lo) / (hi - lo)) }
        func f(_ d: Double) -> String { String(format: "%.1f", d) }
        func esc(_ s: String) -> String {
            s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
                .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
        }
        let name = report.path.description
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(Int(w)) \(Int(h))\" width=\"\(Int(w))\" height=\"\(Int(h))\" role=\"img\" aria-label=\"\(esc(name)) across runs\">\n"
        // Grid and y axis: 5 ticks.
        for k in 0...4 {
            let v = lo + (hi - lo) * Double(k) / 4
            svg += "<line class=\"grid\" x1=\"\(f(left))\" x2=\"\(f(w - right))\" y1=\"\(f(y(v)))\" y2=\"\(f(y(v)))\"/>"
            svg += "<text class=\"ytick\" x=\"\(f(left - 8))\" y=\"\(f(y(v) + 4))\">\(esc(HumanFormat.value(v, report.unit)))</text>\n"
        }
        // The min–max band over consecutive points with values.
        var runs: [[Int]] = [[]]
        for (i, p) in pts.enumerated() { if p.stats != nil { runs[runs.count - 1].append(i) } else if !runs[runs.count - 1].isEmpty { runs.append([]) } }
        for run in runs where !run.isEmpty {
            let upper = run.map { "\(f(x($0))),\(f(y(pts[$0].stats!.max)))" }
            let lower = run.reversed().map { "\(f(x($0))),\(f(y(pts[$0].stats!.min)))" }
            if pts[run[0]].stats != nil, run.contains(where: { pts[$0].stats!.n > 1 }) {
                svg += "<polygon class=\"band\" points=\"\((upper + lower).joined(separator: " "))\"/>\n"
            }
            svg += "<polyline class=\"mean\" points=\"\(run.map { "\(f(x($0))),\(f(y(pts[$0].stats!.mean)))" }.joined(separator: " "))\"/>\n"
        }
        // Points, tooltips and x labels (label values, commits shortened to 10 characters).
        for (i, p) in pts.enumerated() {
            let label = p.label.count > 12 ? String(p.label.prefix(10)) + "…" : p.label
            svg += "<text class=\"xtick\" transform=\"translate(\(f(x(i))),\(f(top + ph + 14))) rotate(-40)\">\(esc(label))</text>"
            guard let s = p.stats else { continue }
            var tip = "\(report.labelKey ?? "trace") \(p.label): \(HumanFormat.value(s.mean, report.unit))"
            if s.n > 1 { tip += " (mean of \(s.n) runs, \(HumanFormat.value(s.min, report.unit))–\(HumanFormat.value(s.max, report.unit)))" }
            tip += "; trace \(p.traceIDs.map(String.init).joined(separator: ", "))"
            if s.n > 1 {
                svg += "<line class=\"range\" x1=\"\(f(x(i)))\" x2=\"\(f(x(i)))\" y1=\"\(f(y(s.min)))\" y2=\"\(f(y(s.max)))\"/>"
            }
            svg += "<circle class=\"pt\" cx=\"\(f(x(i)))\" cy=\"\(f(y(s.mean)))\" r=\"4\"><title>\(esc(tip))</title></circle>\n"
        }
        svg += "<line class=\"axis\" x1=\"\(f(left))\" x2=\"\(f(w - right))\" y1=\"\(f(top + ph))\" y2=\"\(f(top + ph))\"/>"
        svg += "<line class=\"axis\" x1=\"\(f(left))\" x2=\"\(f(left))\" y1=\"\(f(top))\" y2=\"\(f(top + ph))\"/>\n"
        let better = report.direction == .lower ? "lower is better" : report.direction == .higher ? "higher is better" : ""
        svg += "<text class=\"title\" x=\"\(f(left))\" y=\"22\">\(esc(name))\(better.isEmpty ? "" : " (\(better))")</text>\n"
        svg += "<text class=\"xname\" x=\"\(f(left + pw / 2))\" y=\"\(f(h - 6))\">\(esc(report.labelKey ?? "trace")) (\(report.order == .label ? "by value" : "in ingest order"))</text>\n"
        svg += "</svg>"

        var rows = ""
        for p in pts {
            let s = p.stats
            rows += "<tr><td>\(esc(p.label))</td><td>\(s.map { esc(HumanFormat.value($0.mean, report.unit)) } ?? "—")</td>"
                + "<td>\(s.map { $0.n > 1 ? esc("\(HumanFormat.value($0.min, report.unit))–\(HumanFormat.value($0.max, report.unit))") : "" } ?? "")</td>"
                + "<td>\(s?.n ?? 0)</td><td>\(p.traceIDs.map(String.init).joined(separator: " "))</td></tr>\n"
        }
        return """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><title>\(esc(title ?? "tracedb trend: \(name)"))</title>
        <style>
        body{font:14px system-ui,sans-serif;margin:24px;color:#222;background:#fff}
        h1{font-size:18px;margin:0 0 12px}
        .grid{stroke:#e4e4e4}.axis{stroke:#888}
        .band{fill:#4a7fd4;fill-opacity:.18;stroke:none}
        .mean{fill:none;stroke:#2a5db0;stroke-width:2}
        .range{stroke:#2a5db0;stroke-opacity:.5;stroke-width:1.5}
        .pt{fill:#2a5db0;stroke:#fff;stroke-width:1.5}
        .ytick{font-size:11px;text-anchor:end;fill:#555}
        .xtick{font-size:11px;text-anchor:end;fill:#555;font-family:ui-monospace,monospace}
        .title{font-size:14px;font-weight:600}.xname{font-size:12px;text-anchor:middle;fill:#555}
        table{border-collapse:collapse;margin-top:16px;font-size:13px}
        td,th{padding:3px 10px;border-bottom:1px solid #eee;text-align:right}
        td:first-child,th:first-child{text-align:left;font-family:ui-monospace,monospace}
        </style></head><body>
        <h1>\(esc(title ?? "\(name) across runs"))</h1>
        \(svg)
        <table><thead><tr><th>\(esc(report.labelKey ?? "trace"))</th><th>mean</th><th>min–max</th><th>runs</th><th>traces</th></tr></thead>
        <tbody>
        \(rows)</tbody></table>
        </body></html>

        """
    }
}
