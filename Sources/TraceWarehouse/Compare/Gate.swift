import Foundation

/// A CI regression rule, `--fail-on 'METRIC OP THRESHOLD'`:
///
/// | rule | fails when |
/// |---|---|
/// | `sched-latency.p99_ns>+10%` (or `>10%`) | head is more than 10% above base |
/// | `gc-summary.mmu_10ms<-5%` (or `<5%`) | head is more than 5% below base |
/// | `sched-latency.p99_ns>+50us` | head − base is more than 50 µs (a signed number: a change, in the column's unit) |
/// | `gc-summary.stw_max_ns>1ms` | head is above 1 ms (an unsigned number: a limit on head's value) |
/// | `mmu[window_ns=10000000].mmu<0.8` | head is below 0.8 |
///
/// METRIC is a ``MetricPath``. Numbers are in the column's unit; durations may carry `ns`, `us`/`µs`,
/// `ms`, `s` and sizes `B`, `KiB`, `MiB`, `GiB`, `KB`, `MB`, `GB`. A metric without a value on a side
/// (no such row, NULL) is reported as not checked and does not fail.
/// A regression rule that cannot be read; the CLI words it (naming its flag).
public enum GateRuleError: Error, Sendable, Equatable {
    /// No `>` or `<` outside a `[...]` selector.
    case noOperator(rule: String)
    /// Nothing after the operator.
    case noThreshold(rule: String, op: String)
    /// `>-N` or `<+N`.
    case contradictorySign(rule: String, op: String, sign: String)
    /// `N%` where N is not a non-negative number.
    case badPercentage(rule: String)
    /// A threshold that is not a non-negative number with an optional unit.
    case badNumber(rule: String, threshold: String)
    /// A unit suffix the metric's unit does not take; `allowed` is empty for unitless metrics.
    case unknownUnit(rule: String, suffix: String, metric: String, unit: SavedQuery.Unit, allowed: [String])
}

public struct GateRule: Sendable, CustomStringConvertible, Equatable {
    public enum Operator: String, Sendable { case greater = ">", less = "<" }
    public enum Threshold: Sendable, Equatable {
        /// A relative change (a fraction: 0.1 for 10%), compared with (head − base) / |base|.
        case relative(Double)
        /// A change in the column's unit (magnitude), compared with head − base.
        case change(Double, suffix: String?)
        /// A limit on head's value in the column's unit.
        case limit(Double, suffix: String?)
    }

    public var text: String
    public var path: MetricPath
    public var op: Operator
    public var threshold: Threshold
    public var description: String { text }

    public static func parse(_ text: String) throws -> GateRule {
        let s = text.trimmingCharacters(in: .whitespaces)
        // The operator: the first > or < outside a [...] selector.
        var depth = 0
        var opIndex: String.Index?
        for i in s.indices {
            let c = s[i]
            if c == "[" { depth += 1 } else if c == "]" { depth -= 1 } else if depth == 0 && (c == ">" || c == "<") { opIndex = i; break }
        }
        guard let oi = opIndex else { throw GateRuleError.noOperator(rule: text) }
        let op = Operator(rawValue: String(s[oi]))!
        let path = try MetricPath.parse(String(s[..<oi]))
        var rest = s[s.index(after: oi)...].trimmingCharacters(in: .whitespaces)
        if rest.hasPrefix("=") { rest.removeFirst() ; rest = rest.trimmingCharacters(in: .whitespaces) }
        guard !rest.isEmpty else { throw GateRuleError.noThreshold(rule: text, op: op.rawValue) }
        var sign: Character?
        if let f = rest.first, f == "+" || f == "-" { sign = f; rest.removeFirst() }
        if let s = sign, (op == .greater && s == "-") || (op == .less && s == "+") {
            throw GateRuleError.contradictorySign(rule: text, op: op.rawValue, sign: String(s))
        }
        let threshold: Threshold
        if rest.hasSuffix("%") {
            guard let v = Double(rest.dropLast().trimmingCharacters(in: .whitespaces)), v >= 0, v.isFinite else {
                throw GateRuleError.badPercentage(rule: text)
            }
            threshold = .relative(v / 100)
        } else {
            let (v, suffix) = try splitNumber(rest, rule: text)
            threshold = sign == nil ? .limit(v, suffix: suffix) : .change(v, suffix: suffix)
        }
        return GateRule(text: text, path: path, op: op, threshold: threshold)
    }

    static func splitNumber(_ s: String, rule: String) throws -> (Double, String?) {
        let numEnd = s.firstIndex { !($0.isNumber || $0 == "." || $0 == "e" || $0 == "E" || $0 == "_") } ?? s.endIndex
        let num = s[..<numEnd].replacingOccurrences(of: "_", with: "")
        let suffix = s[numEnd...].trimmingCharacters(in: .whitespaces)
        guard let v = Double(num), v.isFinite, v >= 0 else {
            throw GateRuleError.badNumber(rule: rule, threshold: s)
        }
        return (v, suffix.isEmpty ? nil : suffix)
    }

    static let durationUnits: [String: Double] = ["ns": 1, "us": 1e3, "µs": 1e3, "μs": 1e3, "ms": 1e6, "s": 1e9]
    static let byteUnits: [String: Double] = ["B": 1, "KiB": 1024, "MiB": 1_048_576, "GiB": 1_073_741_824, "KB": 1e3, "kB": 1e3, "MB": 1e6, "GB": 1e9]

    /// A threshold number in the column's unit.
    func amount(_ v: Double, _ suffix: String?, unit: SavedQuery.Unit) throws -> Double {
        guard let suffix else { return v }
        let table: [String: Double]
        switch unit {
        case .ns: table = Self.durationUnits
        case .bytes: table = Self.byteUnits
        default: table = [:]
        }
        guard let f = table[suffix] else {
            throw GateRuleError.unknownUnit(rule: text, suffix: suffix, metric: "\(path)", unit: unit, allowed: table.keys.sorted())
        }
        return v * f
    }

    /// The threshold as text for reports (`+10%`, `+50.0 µs`, `1.00 ms`).
    func thresholdText(unit: SavedQuery.Unit) -> String {
        let sign = op == .greater ? "+" : "-"
        switch threshold {
        case .relative(let r): return sign + HumanFormat.relative(r).trimmingCharacters(in: CharacterSet(charactersIn: "+"))
        case .change(let v, let s): return sign + HumanFormat.value((try? amount(v, s, unit: unit)) ?? v, unit)
        case .limit(let v, let s): return HumanFormat.value((try? amount(v, s, unit: unit)) ?? v, unit)
        }
    }
}

/// One rule checked.
public struct GateCheck: Sendable {
    public enum Outcome: String, Sendable {
        /// Within the threshold.
        case pass = "ok"
        /// Beyond the threshold: a regression (exit 1).
        case fail = "FAIL"
        /// Beyond the threshold but within run-to-run noise (repeated runs): reported, not failing.
        case noise = "noise"
        /// No value on a side: not checked.
        case unavailable = "n/a"
    }
    public var rule: GateRule
    public var change: MetricChange
    public var outcome: Outcome
    /// The threshold in the column's unit (a change or a limit) or as a fraction (relative).
    public var threshold: Double

    /// One line for humans: `FAIL sched-latency.p99_ns>+10%: 16.8 µs → 170.6 µs (+917.1%), allowed +10.0%`.
    public var summary: String {
        let u = change.unit
        let b = change.baseValue.map { HumanFormat.value($0, u) } ?? "—"
        let h = change.headValue.map { HumanFormat.value($0, u) } ?? "—"
        var s = "\(rule.text): \(b) → \(h)"
        if let d = change.delta { s += " (\(HumanFormat.delta(d, u)), \(HumanFormat.relative(change.relative)))" }
        switch rule.threshold {
        case .limit: s += rule.op == .greater ? ", limit \(rule.thresholdText(unit: u))" : ", floor \(rule.thresholdText(unit: u))"
        default: s += ", allowed \(rule.thresholdText(unit: u))"
        }
        switch outcome {
        case .noise: s += " — within run-to-run noise, not failing"
        case .unavailable: s += " — no value on \(change.base == nil ? "base" : "head"), not checked"
        default: break
        }
        if let b = change.base, let h = change.head, b.n > 1 || h.n > 1 {
            s += " [base n=\(b.n) \(HumanFormat.value(b.min, u))…\(HumanFormat.value(b.max, u)), head n=\(h.n) \(HumanFormat.value(h.min, u))…\(HumanFormat.value(h.max, u))]"
        }
        return s
    }
}

/// The gate's verdict: every rule checked, and the regressions (which make `compare` exit 1).
public struct GateReport: Sendable {
    public var checks: [GateCheck]
    public var regressions: [GateCheck] { checks.filter { $0.outcome == .fail } }
    public var passed: Bool { regressions.isEmpty }

    /// Checks `rules` against the comparer's results. With repeated runs, a rule that is exceeded while the
    /// change is within run-to-run noise (``NoiseVerdict``) does not fail unless `ignoreNoise`.
    public static func evaluate(_ rules: [GateRule], comparer: Comparer, ignoreNoise: Bool = false) throws -> GateReport {
        var checks: [GateCheck] = []
        for rule in rules {
            let (_, metric) = try rule.path.resolve(in: comparer.library)
            let change = try comparer.change(rule.path)
            var exceeded = false
            var threshold = 0.0
            var available = true
            switch rule.threshold {
            case .relative(let r):
                threshold = r
                if let rel = change.relative { exceeded = rule.op == .greater ? rel > r : rel < -r } else { available = false }
            case .change(let v, let suffix):
                threshold = try rule.amount(v, suffix, unit: metric.unit)
                if let d = change.delta { exceeded = rule.op == .greater ? d > threshold : d < -threshold } else { available = false }
            case .limit(let v, let suffix):
                threshold = try rule.amount(v, suffix, unit: metric.unit)
                // A limit needs only head; base may be absent.
                if let h = change.headValue { exceeded = rule.op == .greater ? h > threshold : h < threshold } else { available = false }
            }
            let outcome: GateCheck.Outcome
            if !available { outcome = .unavailable }
            else if !exceeded { outcome = .pass }
            else if case .limit = rule.threshold { outcome = .fail }  // a limit on head's value: noise does not apply
            else if !ignoreNoise && change.noise == .within { outcome = .noise }
            else { outcome = .fail }
            checks.append(GateCheck(rule: rule, change: change, outcome: outcome, threshold: threshold))
        }
        return GateReport(checks: checks)
    }
}
