import Foundation

/// A JSON document built in order (object keys keep their order) and printed with two-space indents.
public indirect enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object([(String, JSONValue)])

    public static func == (a: JSONValue, b: JSONValue) -> Bool { a.render() == b.render() }

    /// A number: integral values as integers; NaN and infinities as null.
    public static func num(_ d: Double?) -> JSONValue {
        guard let d, d.isFinite else { return .null }
        if d == d.rounded() && abs(d) < 9e15 { return .int(Int64(d)) }
        return .double(d)
    }

    public static func sql(_ v: SQLValue) -> JSONValue {
        switch v {
        case .null: return .null
        case .int(let n): return .int(n)
        case .double(let d): return num(d)
        case .text(let s): return .string(s)
        case .blob(let b): return .string(b.map { String(format: "%02x", $0) }.joined())
        }
    }

    /// Short decimal text of a finite real (round-trips).
    static func number(_ d: Double) -> String {
        if d == d.rounded() && abs(d) < 9e15 { return String(Int64(d)) }
        return "\(d)"
    }

    /// Nanoseconds as microseconds with three decimals (the trace-event format's unit), exact.
    public static func micros(_ ns: Int64) -> String {
        let neg = ns < 0
        let a = neg ? -ns : ns
        let frac = a % 1000
        let f = frac < 10 ? "00\(frac)" : frac < 100 ? "0\(frac)" : "\(frac)"
        return (neg ? "-" : "") + "\(a / 1000).\(f)"
    }

    /// A JSON string literal: the one JSON escaper (the loader's `event_details`, the exporters and the
    /// renderer all write strings with it).
    public static func quote(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if u.value < 0x20 { out += String(format: "\\u%04x", u.value) } else { out.unicodeScalars.append(u) }
            }
        }
        return out + "\""
    }

    var isScalar: Bool {
        switch self {
        case .array, .object: return false
        default: return true
        }
    }

    public func render(indent: Int = 0) -> String {
        let pad = String(repeating: "  ", count: indent)
        let inner = String(repeating: "  ", count: indent + 1)
        switch self {
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .int(let n): return String(n)
        case .double(let d): return d.isFinite ? Self.number(d) : "null"
        case .string(let s): return Self.quote(s)
        case .array(let a):
            if a.isEmpty { return "[]" }
            if a.allSatisfy(\.isScalar) { return "[" + a.map { $0.render() }.joined(separator: ", ") + "]" }
            return "[\n" + a.map { inner + $0.render(indent: indent + 1) }.joined(separator: ",\n") + "\n" + pad + "]"
        case .object(let o):
            if o.isEmpty { return "{}" }
            return "{\n" + o.map { inner + Self.quote($0.0) + ": " + $0.1.render(indent: indent + 1) }.joined(separator: ",\n")
                + "\n" + pad + "}"
        }
    }
}
