import Foundation
import TraceWarehouse

/// Escapes text for HTML/XML content and attribute values.
func esc(_ s: String) -> String {
    var r = ""
    r.reserveCapacity(s.count)
    for c in s.unicodeScalars {
        switch c {
        case "&": r += "&amp;"
        case "<": r += "&lt;"
        case ">": r += "&gt;"
        case "\"": r += "&quot;"
        case "'": r += "&#39;"
        default:
            // Control characters are not allowed in XML 1.0 text.
            if c.value < 0x20 && c != "\n" && c != "\t" { r += " " } else { r.unicodeScalars.append(c) }
        }
    }
    return r
}

/// Inline SVG charts for the HTML report. Every chart is a `<figure class="chart">` whose
/// `data-chart` names it and `data-points` counts the data it draws (the report test checks it is > 0).
enum SVGChart {
    static let width = 960.0
    static let left = 64.0, right = 16.0, top = 12.0, bottom = 28.0

    struct Series {
        var name: String
        var color: String
        var values: [Double]
    }

    static func figure(_ id: String, points: Int, height: Double, caption: String, legend: [(String, String)] = [],
                       _ body: String) -> String {
        var s = "<figure class=\"chart\" data-chart=\"\(esc(id))\" data-points=\"\(points)\">"
        s += "<svg viewBox=\"0 0 \(Int(width)) \(Int(height))\" width=\"100%\" preserveAspectRatio=\"xMinYMin meet\" role=\"img\">"
        s += body
        s += "</svg>"
        if !legend.isEmpty {
            s += "<div class=\"legend\">" + legend.map { "<span><i style=\"background:\($0.1)\"></i>\(esc($0.0))</span>" }.joined() + "</div>"
        }
        s += "<figcaption>\(caption)</figcaption></figure>"
        return s
    }

    static func f(_ d: Double) -> String { String(format: "%.1f", d) }

    /// A time axis from 0 to `durationNs` along the plot's width.
    static func timeAxis(durationNs: Double, y: Double, x0: Double = left, x1: Double = width - right) -> String {
        var s = "<line class=\"axis\" x1=\"\(f(x0))\" y1=\"\(f(y))\" x2=\"\(f(x1))\" y2=\"\(f(y))\"/>"
        for t in niceTicks(max: durationNs, count: 8) {
            let x = x0 + (x1 - x0) * t / max(durationNs, 1)
            s += "<line class=\"tick\" x1=\"\(f(x))\" y1=\"\(f(y))\" x2=\"\(f(x))\" y2=\"\(f(y + 4))\"/>"
            s += "<text class=\"tl\" x=\"\(f(x))\" y=\"\(f(y + 15))\" text-anchor=\"middle\">\(esc(HumanFormat.duration(t)))</text>"
        }
        return s
    }

    static func niceTicks(max: Double, count: Int) -> [Double] {
        guard max > 0 else { return [0] }
        let raw = max / Double(count)
        let mag = pow(10, floor(log10(raw)))
        let step = [1.0, 2, 2.5, 5, 10].map { $0 * mag }.first { $0 >= raw } ?? raw
        return stride(from: 0.0, through: max * 1.0000001, by: step).map { $0 }
    }

    /// A stacked area chart of `series` over equal time buckets spanning [0, durationNs].
    /// `bucketNs`: the length of each bucket (the last one ends at `durationNs`); nil: `durationNs` cut into equal buckets.
    static func stackedArea(_ id: String, series: [Series], durationNs: Double, bucketNs: Double? = nil, height: Double = 220, yLabel: String,
                            yFormat: (Double) -> String, caption: String, yMax: Double? = nil) -> String {
        let n = series.first?.values.count ?? 0
        let x0 = left, x1 = width - right, y0 = top, y1 = height - bottom
        var totals = [Double](repeating: 0, count: n)
        for s in series { for i in 0..<n { totals[i] += s.values[i] } }
        let maxY = yMax ?? max(totals.max() ?? 0, 1e-9)
        let bucketNs = bucketNs ?? durationNs / Double(max(n, 1))
        /// The x of bucket boundary i (time i × bucketNs, at most the trace end).
        func X(_ i: Double) -> Double { x0 + (x1 - x0) * min(i * bucketNs, durationNs) / max(durationNs, 1e-9) }
        func Y(_ v: Double) -> Double { y1 - (y1 - y0) * min(v / maxY, 1) }
        var body = gridY(maxY: maxY, y0: y0, y1: y1, label: yLabel, format: yFormat)
        var base = [Double](repeating: 0, count: n)
        for s in series {
            var top: [Double] = []
            for i in 0..<n { top.append(base[i] + s.values[i]) }
            var d = "M\(f(X(0))),\(f(Y(base[0])))"
            for i in 0..<n { d += " L\(f(X(Double(i)))),\(f(Y(top[i]))) L\(f(X(Double(i + 1)))),\(f(Y(top[i])))" }
            for i in stride(from: n - 1, through: 0, by: -1) { d += " L\(f(X(Double(i + 1)))),\(f(Y(base[i]))) L\(f(X(Double(i)))),\(f(Y(base[i])))" }
            body += "<path d=\"\(d) Z\" fill=\"\(s.color)\" stroke=\"none\"><title>\(esc(s.name))</title></path>"
            base = top
        }
        // Invisible per-bucket hover targets with the values.
        for i in 0..<n {
            let tip = "\(HumanFormat.duration(Double(i) * bucketNs))–\(HumanFormat.duration(min(Double(i + 1) * bucketNs, durationNs))): "
                + series.map { "\($0.name) \(yFormat($0.values[i]))" }.joined(separator: ", ")
            body += "<rect class=\"hover\" x=\"\(f(X(Double(i))))\" y=\"\(f(y0))\" width=\"\(f(X(Double(i + 1)) - X(Double(i))))\" height=\"\(f(y1 - y0))\"><title>\(esc(tip))</title></rect>"
        }
        body += timeAxis(durationNs: durationNs, y: y1)
        let points = series.reduce(0) { $0 + $1.values.filter { $0 > 0 }.count }
        return figure(id, points: points, height: height, caption: caption, legend: series.map { ($0.name, $0.color) }, body)
    }

    static func gridY(maxY: Double, y0: Double, y1: Double, label: String, format: (Double) -> String) -> String {
        var s = ""
        for v in niceTicks(max: maxY, count: 4) {
            let y = y1 - (y1 - y0) * v / maxY
            s += "<line class=\"grid\" x1=\"\(f(left))\" y1=\"\(f(y))\" x2=\"\(f(width - right))\" y2=\"\(f(y))\"/>"
            s += "<text class=\"tl\" x=\"\(f(left - 6))\" y=\"\(f(y + 4))\" text-anchor=\"end\">\(esc(format(v)))</text>"
        }
        s += "<text class=\"yl\" x=\"12\" y=\"\(f((y0 + y1) / 2))\" transform=\"rotate(-90 12 \(f((y0 + y1) / 2)))\" text-anchor=\"middle\">\(esc(label))</text>"
        return s
    }

    /// Horizontal intervals on labelled lanes over time (GC cycles, STW pauses …).
    struct Lane {
        var name: String
        var color: String
        var intervals: [(start: Double, end: Double, tip: String)]
    }
    static func lanes(_ id: String, lanes: [Lane], durationNs: Double, caption: String) -> String {
        let laneH = 22.0
        let height = top + Double(lanes.count) * (laneH + 6) + bottom
        let x0 = left, x1 = width - right
        func X(_ t: Double) -> Double { x0 + (x1 - x0) * t / max(durationNs, 1) }
        var body = ""
        var points = 0
        for (i, l) in lanes.enumerated() {
            let y = top + Double(i) * (laneH + 6)
            body += "<rect class=\"lane\" x=\"\(f(x0))\" y=\"\(f(y))\" width=\"\(f(x1 - x0))\" height=\"\(f(laneH))\"/>"
            body += "<text class=\"ll\" x=\"\(f(x0 - 6))\" y=\"\(f(y + 15))\" text-anchor=\"end\">\(esc(l.name))</text>"
            for iv in l.intervals {
                let a = X(iv.start), b = max(X(iv.end), a + 1)
                body += "<rect x=\"\(f(a))\" y=\"\(f(y))\" width=\"\(f(b - a))\" height=\"\(f(laneH))\" fill=\"\(l.color)\"><title>\(esc(iv.tip))</title></rect>"
                points += 1
            }
        }
        body += timeAxis(durationNs: durationNs, y: height - bottom, x0: x0, x1: x1)
        return figure(id, points: points, height: height, caption: caption, body)
    }

    /// Vertical bars with category labels under them (histograms).
    static func bars(_ id: String, labels: [String], values: [Double], tips: [String], color: String, height: Double = 220,
                     yLabel: String, yFormat: (Double) -> String, caption: String, logY: Bool = false) -> String {
        let n = values.count
        let x0 = left, x1 = width - right, y0 = top, y1 = height - bottom - 8
        let maxV = max(values.max() ?? 0, 1e-9)
        let maxY = logY ? log10(maxV + 1) : maxV
        func Y(_ v: Double) -> Double { y1 - (y1 - y0) * (logY ? log10(v + 1) : v) / maxY }
        var body = ""
        if logY {
            var v = 1.0
            while v <= maxV * 1.0001 {
                let y = Y(v)
                body += "<line class=\"grid\" x1=\"\(f(x0))\" y1=\"\(f(y))\" x2=\"\(f(x1))\" y2=\"\(f(y))\"/>"
                body += "<text class=\"tl\" x=\"\(f(x0 - 6))\" y=\"\(f(y + 4))\" text-anchor=\"end\">\(esc(yFormat(v)))</text>"
                v *= 10
            }
            body += "<text class=\"yl\" x=\"12\" y=\"\(f((y0 + y1) / 2))\" transform=\"rotate(-90 12 \(f((y0 + y1) / 2)))\" text-anchor=\"middle\">\(esc(yLabel))</text>"
        } else {
            body += gridY(maxY: maxY, y0: y0, y1: y1, label: yLabel, format: yFormat)
        }
        let bw = min((x1 - x0) / Double(max(n, 1)), 60)
        var points = 0
        for i in 0..<n {
            let x = x0 + bw * Double(i)
            if values[i] > 0 {
                let y = Y(values[i])
                body += "<rect x=\"\(f(x + 1))\" y=\"\(f(y))\" width=\"\(f(max(bw - 2, 1)))\" height=\"\(f(y1 - y))\" fill=\"\(color)\"><title>\(esc(tips[i]))</title></rect>"
                points += 1
            }
            let every = max(1, n / 12)
            if i % every == 0 {
                body += "<text class=\"tl\" x=\"\(f(x + bw / 2))\" y=\"\(f(y1 + 16))\" text-anchor=\"middle\">\(esc(labels[i]))</text>"
            }
        }
        body += "<line class=\"axis\" x1=\"\(f(x0))\" y1=\"\(f(y1))\" x2=\"\(f(x1))\" y2=\"\(f(y1))\"/>"
        return figure(id, points: points, height: height, caption: caption, body)
    }

    /// Horizontal bars, one per labelled row (largest first).
    static func hbars(_ id: String, rows: [(label: String, value: Double, tip: String)], color: String,
                      format: (Double) -> String, caption: String) -> String {
        let rowH = 20.0
        let labelW = 300.0
        let height = top + Double(rows.count) * rowH + 8
        let x0 = labelW, x1 = width - right - 90
        let maxV = max(rows.map(\.value).max() ?? 0, 1e-9)
        var body = ""
        var points = 0
        for (i, r) in rows.enumerated() {
            let y = top + Double(i) * rowH
            let w = (x1 - x0) * r.value / maxV
            let label = r.label.count > 48 ? "…" + r.label.suffix(47) : r.label
            body += "<text class=\"ll\" x=\"\(f(x0 - 8))\" y=\"\(f(y + 14))\" text-anchor=\"end\">\(esc(label))<title>\(esc(r.label))</title></text>"
            body += "<rect x=\"\(f(x0))\" y=\"\(f(y + 3))\" width=\"\(f(max(w, 1)))\" height=\"\(f(rowH - 6))\" fill=\"\(color)\"><title>\(esc(r.tip))</title></rect>"
            body += "<text class=\"vl\" x=\"\(f(x0 + max(w, 1) + 6))\" y=\"\(f(y + 14))\">\(esc(format(r.value)))</text>"
            if r.value > 0 { points += 1 }
        }
        return figure(id, points: points, height: height, caption: caption, body)
    }

    /// A line over a log-scaled x axis (MMU curve); y from 0 to 1.
    static func logLine(_ id: String, points pts: [(x: Double, y: Double)], marks: [(x: Double, y: Double, label: String)],
                        color: String, height: Double = 240, xFormat: (Double) -> String, yLabel: String, caption: String) -> String {
        let x0 = left, x1 = width - right, y0 = top, y1 = height - bottom
        guard let minX = pts.map(\.x).min(), let maxX = pts.map(\.x).max(), maxX > 0 else {
            return figure(id, points: 0, height: height, caption: caption, "")
        }
        let lx0 = log10(max(minX, 1)), lx1 = max(log10(maxX), lx0 + 1e-9)
        func X(_ v: Double) -> Double { x0 + (x1 - x0) * (log10(max(v, 1)) - lx0) / (lx1 - lx0) }
        func Y(_ v: Double) -> Double { y1 - (y1 - y0) * min(max(v, 0), 1) }
        var body = gridY(maxY: 1, y0: y0, y1: y1, label: yLabel, format: { String(format: "%.0f%%", $0 * 100) })
        var d = ""
        for (i, p) in pts.enumerated() { d += (i == 0 ? "M" : " L") + "\(f(X(p.x))),\(f(Y(p.y)))" }
        body += "<path d=\"\(d)\" fill=\"none\" stroke=\"\(color)\" stroke-width=\"2\"/>"
        for p in pts {
            body += "<circle cx=\"\(f(X(p.x)))\" cy=\"\(f(Y(p.y)))\" r=\"3\" fill=\"\(color)\"><title>\(esc("window \(xFormat(p.x)): \(String(format: "%.1f%%", p.y * 100))"))</title></circle>"
        }
        for m in marks {
            body += "<circle cx=\"\(f(X(m.x)))\" cy=\"\(f(Y(m.y)))\" r=\"5\" fill=\"none\" stroke=\"#222\" stroke-width=\"1.5\"><title>\(esc(m.label))</title></circle>"
        }
        var decade = pow(10, floor(lx0))
        body += "<line class=\"axis\" x1=\"\(f(x0))\" y1=\"\(f(y1))\" x2=\"\(f(x1))\" y2=\"\(f(y1))\"/>"
        while decade <= maxX * 1.0001 {
            if decade >= minX * 0.9999 {
                let x = X(decade)
                body += "<line class=\"tick\" x1=\"\(f(x))\" y1=\"\(f(y1))\" x2=\"\(f(x))\" y2=\"\(f(y1 + 4))\"/>"
                body += "<text class=\"tl\" x=\"\(f(x))\" y=\"\(f(y1 + 15))\" text-anchor=\"middle\">\(esc(xFormat(decade)))</text>"
            }
            decade *= 10
        }
        return figure(id, points: pts.count, height: height, caption: caption, body)
    }
}

extension SVGChart {
    /// Step lines over time (heap alloc and goal).
    static func timeLines(_ id: String, lines: [(name: String, color: String, points: [(t: Int64, v: Int64)])], durationNs: Double,
                          height: Double = 200, yLabel: String, yFormat: (Double) -> String, caption: String) -> String {
        let x0 = left, x1 = width - right, y0 = top, y1 = height - bottom
        let maxY = max(Double(lines.flatMap { $0.points.map(\.v) }.max() ?? 0), 1)
        func X(_ t: Int64) -> Double { x0 + (x1 - x0) * Double(t) / max(durationNs, 1) }
        func Y(_ v: Int64) -> Double { y1 - (y1 - y0) * Double(v) / maxY }
        var body = gridY(maxY: maxY, y0: y0, y1: y1, label: yLabel, format: yFormat)
        var n = 0
        for l in lines where !l.points.isEmpty {
            // Thin out very long series to at most ~2000 steps (keeping each step's maximum).
            var pts = l.points
            if pts.count > 2000 {
                let step = Int64(max(durationNs / 2000, 1))
                var out: [(t: Int64, v: Int64)] = []
                for p in pts {
                    if let lastP = out.last, p.t / step == lastP.t / step { out[out.count - 1].v = max(lastP.v, p.v) } else { out.append(p) }
                }
                pts = out
            }
            var d = "M\(f(X(pts[0].t))),\(f(Y(pts[0].v)))"
            for i in 1..<pts.count { d += " L\(f(X(pts[i].t))),\(f(Y(pts[i - 1].v))) L\(f(X(pts[i].t))),\(f(Y(pts[i].v)))" }
            d += " L\(f(X(Int64(durationNs)))),\(f(Y(pts.last!.v)))"
            body += "<path d=\"\(d)\" fill=\"none\" stroke=\"\(l.color)\" stroke-width=\"1.6\"><title>\(esc(l.name))</title></path>"
            n += l.points.count
        }
        body += timeAxis(durationNs: durationNs, y: y1)
        return figure(id, points: n, height: height, caption: caption, legend: lines.map { ($0.name, $0.color) }, body)
    }
}
