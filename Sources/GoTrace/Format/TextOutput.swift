// Small helpers for building Go-identical text into a byte buffer.

extension Array where Element == UInt8 {
    @inline(__always)
    mutating func appendLiteral(_ s: StaticString) {
        s.withUTF8Buffer { append(contentsOf: $0) }
    }

    /// Appends a string's bytes: for a string from the trace, its exact bytes (``TraceBytes``).
    @inline(__always)
    mutating func appendString(_ s: String) {
        s.withTraceBytes { append(contentsOf: $0) }
    }

    /// Decimal, like Go's `%d`.
    @inline(__always)
    mutating func appendInt(_ v: Int64) {
        if v < 0 {
            append(UInt8(ascii: "-"))
            appendUInt(UInt64(bitPattern: 0 &- v))
        } else {
            appendUInt(UInt64(v))
        }
    }

    @inline(__always)
    mutating func appendUInt(_ v: UInt64) {
        if v < 10 { append(UInt8(truncatingIfNeeded: v) + 48); return }
        var tmp: (UInt64, UInt64, UInt64) = (0, 0, 0) // 24 bytes, enough for 20 digits
        var n = 0
        var x = v
        Swift.withUnsafeMutableBytes(of: &tmp) { raw in
            while x > 0 {
                n += 1
                raw[24 - n] = UInt8(truncatingIfNeeded: x % 10) + 48
                x /= 10
            }
            append(contentsOf: UnsafeRawBufferPointer(rebasing: raw[(24 - n)...]))
        }
    }

    /// Lower-case hex without prefix, like Go's `%x`.
    mutating func appendHex(_ v: UInt64) {
        let digits: StaticString = "0123456789abcdef"
        if v == 0 { append(UInt8(ascii: "0")); return }
        var shift = (64 - v.leadingZeroBitCount + 3) / 4 * 4
        while shift > 0 {
            shift -= 4
            append(digits.utf8Start[Int((v >> UInt64(shift)) & 0xF)])
        }
    }

    /// Zero-padded decimal of at least `width` digits (Go's time formatting `appendInt`).
    mutating func appendPadded(_ v: Int64, width: Int) {
        var u: UInt64
        if v < 0 { append(UInt8(ascii: "-")); u = UInt64(bitPattern: 0 &- v) } else { u = UInt64(v) }
        var digits = 1
        var t = u
        while t >= 10 { t /= 10; digits += 1 }
        for _ in digits..<Swift.max(width, digits) { append(UInt8(ascii: "0")) }
        appendUInt(u)
    }
}

/// Appends Go's `time.Unix(sec, nsec).UTC().Format(time.RFC3339Nano)`; with `allNanoDigits`, always
/// nine fractional digits (the warehouse's fixed-width `traces.wall_start`).
func appendRFC3339Nano(sec: Int64, nsec: Int64, allNanoDigits: Bool = false, to out: inout [UInt8]) {
    let (s, ns) = normalizeUnix(sec, nsec)
    // Days since the epoch, then the civil date (Howard Hinnant's algorithm).
    var days = s / 86400
    var rem = s % 86400
    if rem < 0 { rem += 86400; days -= 1 }
    let z = days &+ 719468
    let era = (z >= 0 ? z : z &- 146096) / 146097
    let doe = z &- era &* 146097
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
    var y = yoe &+ era &* 400
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
    let mp = (5 * doy + 2) / 153
    let d = doy - (153 * mp + 2) / 5 + 1
    let m = mp < 10 ? mp + 3 : mp - 9
    if m <= 2 { y &+= 1 }
    out.appendPadded(y, width: 4)
    out.append(UInt8(ascii: "-")); out.appendPadded(m, width: 2)
    out.append(UInt8(ascii: "-")); out.appendPadded(d, width: 2)
    out.append(UInt8(ascii: "T")); out.appendPadded(rem / 3600, width: 2)
    out.append(UInt8(ascii: ":")); out.appendPadded(rem / 60 % 60, width: 2)
    out.append(UInt8(ascii: ":")); out.appendPadded(rem % 60, width: 2)
    if ns != 0 || allNanoDigits {
        var digits = [UInt8](repeating: 0, count: 9)
        var x = ns
        for i in stride(from: 8, through: 0, by: -1) { digits[i] = UInt8(x % 10) + 48; x /= 10 }
        var n = 9
        while n > 0 && digits[n - 1] == UInt8(ascii: "0") && !allNanoDigits { n -= 1 }
        out.append(UInt8(ascii: "."))
        out.append(contentsOf: digits[0..<n])
    }
    out.append(UInt8(ascii: "Z"))
}

/// `unixNs` nanoseconds since the Unix epoch as RFC 3339 in UTC with all nine fractional digits
/// (`2026-12-02T15:32:36.000000000Z`).
package func rfc3339AllNanos(unixNs: Int64) -> String {
    let secs = unixNs >= 0 ? unixNs / 1_000_000_000 : (unixNs - 999_999_999) / 1_000_000_000
    var out: [UInt8] = []
    appendRFC3339Nano(sec: secs, nsec: unixNs - secs * 1_000_000_000, allNanoDigits: true, to: &out)
    return String(decoding: out, as: UTF8.self)
}
