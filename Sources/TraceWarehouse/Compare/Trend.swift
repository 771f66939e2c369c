import Foundation

/// One point of a trend: the runs that share a label value (or one trace when there is no label).
public struct TrendPoint: Sendable {
    /// The label's value (`abc123`), or the trace id without a label.
    public var label: String
    public var traceIDs: [Int64]
    /// The metric over those runs (nil: no value in any of them).
    public var stats: RunStats?
}

/// The order of a trend's points.
public enum TrendOrder: String, Sendable, CaseIterable {
    /// By the first ingest of each label value (trace id order).
    case ingest
    /// By the label value (numbers numerically, text in natural order: v1.9 < v1.10).
    case label
}

/// A metric across many runs: the "across commits" view (`tracedb trend`).
public struct TrendReport: Sendable {
    public var path: MetricPath
    public var unit: SavedQuery.Unit
    public var direction: SavedQuery.Direction
    /// The label that groups traces (nil: one point per trace).
    public var labelKey: String?
    public var order: TrendOrder
    public var points: [TrendPoint]

    /// Each point's relative change from the previous point that has a value.
    public var changes: [Double?] {
        var prev: Double?
        return points.map { p in
            guard let v = p.stats?.mean else { return nil }
            defer { prev = v }
            guard let pv = prev else { return nil }
            if pv == 0 { return v == 0 ? 0 : (v > 0 ? .infinity : -.infinity) }
            return (v - pv) / abs(pv)
        }
    }

    public var sparkline: String { HumanFormat.sparkline(points.map { $0.stats?.mean }) }

    /// Computes the trend of `path` over the traces of `db`: grouped by the value of label `labelKey`
    /// (traces without it are left out), only traces carrying every `filters` label, the last `last` points.
    public static func build(db: Database, library: QueryLibrary, path: MetricPath, labelKey: String?,
                             order: TrendOrder = .ingest, filters: [(key: String, value: String)] = [],
                             params: [String: SQLValue] = [:], last: Int? = nil) throws -> TrendReport {
        let (q, m) = try path.resolve(in: library)
        var labels: [(key: String, value: String?)] = filters.map { ($0.key, Optional($0.value)) }
        if let labelKey { labels.append((labelKey, nil)) }
        let traces = try TraceSummaryRow.all(db: db, labels: labels)
        guard !traces.isEmpty else {
            var what = "no traces"
            if let labelKey { what += " with a '\(labelKey)' label" }
            if !filters.isEmpty { what += " labelled " + filters.map { "\($0.key)=\($0.value)" }.joined(separator: ",") }
            throw InputError("\(what) in \(db.path) (tracedb runs lists the traces and their labels)")
        }
        // Group by label value, in first-ingest order.
        var groups: [(label: String, ids: [Int64])] = []
        var index: [String: Int] = [:]
        for t in traces {
            let key: String
            if let labelKey { key = t.labelPairs.first { $0.key == labelKey }?.value ?? "" } else { key = String(t.id) }
            if let i = index[key] { groups[i].ids.append(t.id) } else { index[key] = groups.count; groups.append((key, [t.id])) }
        }
        if order == .label {
            let numeric = groups.allSatisfy { Double($0.label) != nil }
            groups.sort { a, b in
                if numeric { return Double(a.label)! < Double(b.label)! }
                return a.label.compare(b.label, options: [.numeric]) == .orderedAscending
            }
        }
        if let last, last > 0, groups.count > last { groups = Array(groups.suffix(last)) }
        var points: [TrendPoint] = []
        for g in groups {
            let vals = try g.ids.compactMap { id -> Double? in
                let r = try QueryRunner.run(q, db: db, traceID: id, params: params, strict: false)
                return path.value(in: r, query: q)
            }
            points.append(TrendPoint(label: g.label, traceIDs: g.ids, stats: vals.isEmpty ? nil : RunStats(vals)))
        }
        return TrendReport(path: path, unit: m.unit, direction: m.direction, labelKey: labelKey, order: order, points: points)
    }

    /// The trend in `format`.
    public func render(_ format: OutputFormat) -> String {
        let repeated = points.contains { ($0.stats?.n ?? 0) > 1 }
        let keyName = labelKey ?? "trace"
        switch format {
        case .csv:
            var out = CSV.line([keyName, "traces", "runs", "value", "min", "max", "stddev", "rel_change"])
            for (p, c) in zip(points, changes) {
                out += CSV.line([p.label, p.traceIDs.map(String.init).joined(separator: " "), String(p.stats?.n ?? 0),
                                 CSV.number(p.stats?.mean), CSV.number(p.stats?.min), CSV.number(p.stats?.max),
                                 CSV.number(p.stats?.stddev), CSV.number(c.flatMap { $0.isFinite ? $0 : nil })])
            }
            return out
        case .json:
            return JSONValue.object([
                ("metric", .string(path.description)), ("unit", .string(unit.rawValue)), ("direction", .string(direction.rawValue)),
                ("label", labelKey.map { .string($0) } ?? .null), ("order", .string(order.rawValue)),
                ("points", .array(zip(points, changes).map { p, c in
                    .object([
                        ("label", .string(p.label)), ("traces", .array(p.traceIDs.map { .int($0) })), ("runs", .int(Int64(p.stats?.n ?? 0))),
                        ("value", .num(p.stats?.mean)), ("min", .num(p.stats?.min)), ("max", .num(p.stats?.max)),
                        ("stddev", .num(p.stats?.stddev)), ("rel_change", .num(c)),
                    ])
                })),
            ]).render() + "\n"
        case .table, .markdown:
            let grouped = labelKey != nil
            var headers = grouped ? [keyName, "traces", path.column] : [keyName, path.column]
            var align: [TextTable.Alignment] = grouped ? [.left, .left, .right] : [.right, .right]
            if repeated { headers += ["runs", "min", "max"]; align += [.right, .right, .right] }
            headers.append("change"); align.append(.right)
            var t = TextTable(headers: headers, alignments: align)
            t.maxCellWidth = format == .table ? 40 : 0
            for (p, c) in zip(points, changes) {
                var row = grouped ? [p.label, p.traceIDs.map(String.init).joined(separator: ",")] : [p.label]
                row.append(p.stats.map { HumanFormat.value($0.mean, unit) } ?? "—")
                if repeated {
                    row += [String(p.stats?.n ?? 0), p.stats.map { HumanFormat.value($0.min, unit) } ?? "",
                            p.stats.map { HumanFormat.value($0.max, unit) } ?? ""]
                }
                row.append(HumanFormat.relative(c))
                t.add(row)
            }
            let better = direction == .none ? "" : ", \(direction.rawValue) is better"
            let by = labelKey.map { "by \($0) (\(order.rawValue) order)" } ?? "by trace (ingest order)"
            let present = points.compactMap { $0.stats?.mean }
            let range = present.isEmpty ? "" : "  \(HumanFormat.value(present.min()!, unit)) … \(HumanFormat.value(present.max()!, unit))"
            if format == .markdown {
                return "**\(path)** \(by)\(better)\n\n" + t.markdown() + "\n`\(sparkline)`\(range)\n"
            }
            return "\(path) \(by)\(better)\n\n" + t.render() + "\ntrend  \(sparkline)\(range)\n"
        }
    }
}
