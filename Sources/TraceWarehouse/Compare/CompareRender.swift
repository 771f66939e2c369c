import Foundation

extension ComparisonReport {
    /// The report in `format`. `top`: changed rows shown per query in the table and Markdown forms
    /// (0 = all); csv and json always hold every row, changed or not. `showAllHint` tells, after a cut
    /// list, how to see every row (the CLI's flag for it), in parentheses.
    public func render(_ format: OutputFormat, top: Int = 10, showAllHint: String? = nil) -> String {
        switch format {
        case .csv: return csv()
        case .json: return json().render() + "\n"
        case .table: return text(top: top, showAllHint: showAllHint)
        case .markdown: return markdown(top: top, showAllHint: showAllHint)
        }
    }

    // MARK: human forms

    func headers(keyed: String?, scorecard: Bool) -> (TextTable, Bool) {
        let repeated = hasRepeatedRuns
        var h: [String] = []
        var a: [TextTable.Alignment] = []
        if scorecard { h.append("metric"); a.append(.left) } else {
            if let keyed { h.append(keyed); a.append(.left) }
            h.append("metric"); a.append(.left)
        }
        h += ["base", "head", "Δ", "Δ%", ""]; a += [.right, .right, .right, .right, .left]
        if repeated { h += ["base runs", "head runs", "noise"]; a += [.right, .right, .left] }
        return (TextTable(headers: h, alignments: a), repeated)
    }

    static func verdict(_ c: MetricChange, scorecard: Bool = false) -> String {
        switch c.assessment {
        case .unchanged, .changed: return ""
        case .added, .removed: return c.path.selector.isEmpty || scorecard ? c.assessment.rawValue : c.assessment.rawValue + " row"
        default: return c.assessment.rawValue
        }
    }

    /// The metric shown for a row that exists on one side only: `total_ns`, else another total
    /// duration, else the first duration, else the first metric.
    static func primaryMetric(_ q: SavedQuery) -> String? {
        let ns = q.metrics.filter { $0.unit == .ns }.map(\.column)
        return ns.first { $0 == "total_ns" } ?? ns.first { $0.contains("total") } ?? ns.first ?? q.metrics.first?.column
    }

    /// The lines shown for a query in the human formats: the changed values, largest change first, where a
    /// row that exists on one side only is one line (its primary metric) instead of one per metric.
    static func displayed(_ q: QueryComparison) -> (lines: [MetricChange], newRows: Int, goneRows: Int) {
        let primary = primaryMetric(q.query)
        var lines: [MetricChange] = []
        var collapsed = Set<String>()
        var newRows = 0, goneRows = 0
        // Each row's primary-metric value by key, the first one in `changes`: built once (a scan of
        // `changes` per row was quadratic, 9 of the 19 s of a compare of two large traces).
        var primaryLine: [String: MetricChange]?
        for c in q.changed {
            guard c.assessment == .added || c.assessment == .removed, !c.path.selector.isEmpty else { lines.append(c); continue }
            let k = c.keyText
            guard collapsed.insert(k).inserted else { continue }
            if c.assessment == .added { newRows += 1 } else { goneRows += 1 }
            if primaryLine == nil {
                var m: [String: MetricChange] = [:]
                for x in q.changes where x.path.column == primary { let xk = x.keyText; if m[xk] == nil { m[xk] = x } }
                primaryLine = m
            }
            lines.append(primaryLine![k] ?? c)
        }
        return (lines, newRows, goneRows)
    }

    static func runs(_ s: RunStats?, _ unit: SavedQuery.Unit) -> String {
        guard let s else { return "—" }
        if s.n == 1 { return "n=1" }
        return "n=\(s.n) \(HumanFormat.value(s.min, unit))…\(HumanFormat.value(s.max, unit))"
    }

    func row(_ c: MetricChange, scorecard: Bool, keyed: Bool, repeated: Bool) -> [String] {
        var r: [String] = []
        if scorecard { r.append(c.label ?? c.path.description) } else {
            if keyed { r.append(c.keyText) }
            r.append(c.path.column)
        }
        r += [c.baseValue.map { HumanFormat.value($0, c.unit) } ?? "—",
              c.headValue.map { HumanFormat.value($0, c.unit) } ?? "—",
              c.delta.map { HumanFormat.delta($0, c.unit) } ?? "",
              HumanFormat.relative(c.relative), Self.verdict(c, scorecard: scorecard)]
        if repeated { r += [Self.runs(c.base, c.unit), Self.runs(c.head, c.unit), c.noise?.rawValue ?? ""] }
        return r
    }

    func sectionTitle(_ q: QueryComparison, shown: Int, showAllHint: String?) -> String {
        let changed = q.changed.count
        var s = "\(q.query.name) — \(q.query.title)"
        if q.changes.isEmpty { return s + ": no rows on either side" }
        if changed == 0 { return s + ": no change (\(q.changes.count) values)" }
        let d = Self.displayed(q)
        s += ": \(changed) of \(q.changes.count) values changed"
        var rows: [String] = []
        if d.newRows > 0 { rows.append("\(d.newRows) new row\(d.newRows == 1 ? "" : "s")") }
        if d.goneRows > 0 { rows.append("\(d.goneRows) row\(d.goneRows == 1 ? "" : "s") gone") }
        if !rows.isEmpty { s += " (" + rows.joined(separator: ", ") + ")" }
        if shown < d.lines.count { s += "; the \(shown) largest shown" + (showAllHint.map { " (\($0))" } ?? "") }
        return s
    }

    func text(top: Int, showAllHint: String? = nil) -> String {
        var out = "base: \(base.description)\nhead: \(head.description)\n"
        if base.databasePath != head.databasePath { out += "      (base in \(base.databasePath), head in \(head.databasePath))\n" }
        if hasRepeatedRuns { out += Self.repeatedRunsNote }
        if !scorecard.isEmpty {
            var (t, repeated) = headers(keyed: nil, scorecard: true)
            for c in scorecard { t.add(row(c, scorecard: true, keyed: false, repeated: repeated)) }
            out += "\nScorecard\n" + t.render(indent: "  ")
        }
        for q in queries {
            let lines = Self.displayed(q).lines
            let shown = top > 0 ? Array(lines.prefix(top)) : lines
            out += "\n" + sectionTitle(q, shown: shown.count, showAllHint: showAllHint) + "\n"
            guard !shown.isEmpty else { continue }
            let keyed = !q.query.isOverall
            var (t, repeated) = headers(keyed: keyed ? q.query.keys.joined(separator: " / ") : nil, scorecard: false)
            t.maxCellWidth = 60
            for c in shown { t.add(row(c, scorecard: false, keyed: keyed, repeated: repeated)) }
            out += t.render(indent: "  ")
        }
        if let gate {
            out += "\n" + gateText(gate)
        }
        return out
    }

    static let repeatedRunsNote = """
        Values are means over each side's runs. "beyond noise": the two sides' min…max ranges do not overlap,
        or the means differ by more than 3 standard errors; otherwise "within noise".

        """

    func gateText(_ gate: GateReport) -> String {
        let n = gate.regressions.count
        var out = n == 0 ? "Gate: passed (\(gate.checks.count) rule\(gate.checks.count == 1 ? "" : "s"))\n"
            : "Gate: FAILED — \(n) regression\(n == 1 ? "" : "s") (\(gate.checks.count) rule\(gate.checks.count == 1 ? "" : "s"))\n"
        for c in gate.checks { out += "  \(c.outcome.rawValue.padding(toLength: 5, withPad: " ", startingAt: 0)) \(c.summary)\n" }
        return out
    }

    func markdown(top: Int, showAllHint: String? = nil) -> String {
        var out = "### tracedb compare\n\n"
        if let gate {
            let n = gate.regressions.count
            out += n == 0 ? "**Gate passed** (\(gate.checks.count) rules)\n\n" : "**Gate failed: \(n) regression\(n == 1 ? "" : "s")**\n\n"
            for c in gate.checks { out += "- \(c.outcome == .fail ? "❌" : c.outcome == .pass ? "✅" : "⚠️") `\(c.rule.text)`: \(Self.mdEscape(String(c.summary.dropFirst(c.rule.text.count + 2))))\n" }
            out += "\n"
        }
        out += "- base: \(Self.mdEscape(base.description))\n- head: \(Self.mdEscape(head.description))\n"
        if hasRepeatedRuns { out += "\n" + Self.repeatedRunsNote.replacingOccurrences(of: "\n", with: " ").trimmingCharacters(in: .whitespaces) + "\n" }
        if !scorecard.isEmpty {
            var (t, repeated) = headers(keyed: nil, scorecard: true)
            for c in scorecard { t.add(row(c, scorecard: true, keyed: false, repeated: repeated)) }
            out += "\n#### Scorecard\n\n" + t.markdown()
        }
        var quiet: [String] = []
        for q in queries {
            let lines = Self.displayed(q).lines
            let shown = top > 0 ? Array(lines.prefix(top)) : lines
            guard !shown.isEmpty else { quiet.append(q.query.name); continue }
            let keyed = !q.query.isOverall
            var (t, repeated) = headers(keyed: keyed ? q.query.keys.joined(separator: " / ") : nil, scorecard: false)
            for c in shown { t.add(row(c, scorecard: false, keyed: keyed, repeated: repeated)) }
            out += "\n<details><summary>\(Self.mdEscape(sectionTitle(q, shown: shown.count, showAllHint: showAllHint)))</summary>\n\n" + t.markdown() + "\n</details>\n"
        }
        if !quiet.isEmpty { out += "\nNo change: " + quiet.map { "`\($0)`" }.joined(separator: ", ") + "\n" }
        return out
    }

    static func mdEscape(_ s: String) -> String {
        s.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
    }

    // MARK: machine forms

    static let csvHeader = ["section", "query", "key", "metric", "label", "unit", "direction", "base", "head", "delta", "rel_delta",
                            "assessment", "noise", "base_runs", "base_min", "base_max", "base_stddev",
                            "head_runs", "head_min", "head_max", "head_stddev"]

    func csv() -> String {
        var out = CSV.line(Self.csvHeader)
        func line(_ section: String, _ c: MetricChange) {
            let rel = c.relative.flatMap { $0.isFinite ? $0 : nil }
            out += CSV.line([section, c.path.query, c.path.selector.map { "\($0.column)=\($0.value)" }.joined(separator: ","),
                             c.path.column, c.label ?? "", c.unit.rawValue, c.direction.rawValue,
                             CSV.number(c.baseValue), CSV.number(c.headValue), CSV.number(c.delta), CSV.number(rel),
                             c.assessment.rawValue, c.noise?.rawValue ?? "",
                             String(c.base?.n ?? 0), CSV.number(c.base?.min), CSV.number(c.base?.max), CSV.number(c.base?.stddev),
                             String(c.head?.n ?? 0), CSV.number(c.head?.min), CSV.number(c.head?.max), CSV.number(c.head?.stddev)])
        }
        for c in scorecard { line("scorecard", c) }
        for q in queries { for c in q.changes { line("query", c) } }
        return out
    }

    static func json(_ c: MetricChange) -> JSONValue {
        func stats(_ s: RunStats?) -> JSONValue {
            guard let s else { return .null }
            return .object([("runs", .int(Int64(s.n))), ("mean", .num(s.mean)), ("min", .num(s.min)), ("max", .num(s.max)),
                            ("stddev", .num(s.stddev)), ("values", .array(s.values.map { .num($0) }))])
        }
        var o: [(String, JSONValue)] = [("metric", .string(c.path.description))]
        if let l = c.label { o.append(("label", .string(l))) }
        o += [("query", .string(c.path.query)),
              ("key", .object(c.path.selector.map { ($0.column, .string($0.value)) })),
              ("column", .string(c.path.column)), ("unit", .string(c.unit.rawValue)), ("direction", .string(c.direction.rawValue)),
              ("base", .num(c.baseValue)), ("head", .num(c.headValue)), ("delta", .num(c.delta)), ("rel_delta", .num(c.relative)),
              ("assessment", .string(c.assessment.rawValue)), ("noise", c.noise.map { .string($0.rawValue) } ?? .null),
              ("base_runs", stats(c.base)), ("head_runs", stats(c.head))]
        return .object(o)
    }

    func json() -> JSONValue {
        func side(_ s: SideInfo) -> JSONValue {
            .object([("reference", .string(s.reference)), ("description", .string(s.description)),
                     ("database", .string(s.databasePath)), ("traces", .array(s.traceIDs.map { .int($0) }))])
        }
        var o: [(String, JSONValue)] = [("base", side(base)), ("head", side(head)),
                                        ("scorecard", .array(scorecard.map(Self.json))),
                                        ("queries", .array(queries.map { q in
                                            .object([("query", .string(q.query.name)), ("title", .string(q.query.title)),
                                                     ("keys", .array(q.query.keys.map { .string($0) })),
                                                     ("base_rows", .array(q.baseRows.map { .int(Int64($0)) })),
                                                     ("head_rows", .array(q.headRows.map { .int(Int64($0)) })),
                                                     ("changed", .int(Int64(q.changed.count))),
                                                     ("changes", .array(q.changes.map(Self.json))),
                                                     ("warnings", .array(q.warnings.map { .string($0) }))])
                                        }))]
        if let gate {
            o.append(("gate", .object([
                ("passed", .bool(gate.passed)),
                ("regressions", .int(Int64(gate.regressions.count))),
                ("checks", .array(gate.checks.map { c in
                    .object([("rule", .string(c.rule.text)), ("metric", .string(c.rule.path.description)),
                             ("outcome", .string(c.outcome.rawValue)), ("threshold", .num(c.threshold)),
                             ("base", .num(c.change.baseValue)), ("head", .num(c.change.headValue)),
                             ("delta", .num(c.change.delta)), ("rel_delta", .num(c.change.relative)),
                             ("noise", c.change.noise.map { .string($0.rawValue) } ?? .null),
                             ("summary", .string(c.summary))])
                })),
            ])))
        }
        return .object(o)
    }
}
