// Go's `%q` for strings (strconv.Quote): printable runes as they are, escapes for the rest, and
// `\x` for each byte that is not valid UTF-8.

private let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

/// Go's `utf8.DecodeRune`: the rune and its length, or (0xFFFD, 1) for invalid input.
@inline(__always)
func goDecodeRune(_ p: UnsafePointer<UInt8>, _ n: Int) -> (UInt32, Int) {
    let b0 = p[0]
    if b0 < 0x80 { return (UInt32(b0), 1) }
    var need = 0
    var lo: UInt8 = 0x80, hi: UInt8 = 0xBF
    var r: UInt32
    switch b0 {
    case 0xC2...0xDF: need = 1; r = UInt32(b0 & 0x1F)
    case 0xE0: need = 2; lo = 0xA0; r = UInt32(b0 & 0x0F)
    case 0xE1...0xEC, 0xEE...0xEF: need = 2; r = UInt32(b0 & 0x0F)
    case 0xED: need = 2; hi = 0x9F; r = UInt32(b0 & 0x0F)
    case 0xF0: need = 3; lo = 0x90; r = UInt32(b0 & 0x07)
    case 0xF1...0xF3: need = 3; r = UInt32(b0 & 0x07)
    case 0xF4: need = 3; hi = 0x8F; r = UInt32(b0 & 0x07)
    default: return (0xFFFD, 1)
    }
    if n < need + 1 { return (0xFFFD, 1) }
    let b1 = p[1]
    if b1 < lo || b1 > hi { return (0xFFFD, 1) }
    r = r << 6 | UInt32(b1 & 0x3F)
    for i in 2..<(need + 1) {
        let b = p[i]
        if b < 0x80 || b > 0xBF { return (0xFFFD, 1) }
        r = r << 6 | UInt32(b & 0x3F)
    }
    return (r, need + 1)
}

private func bsearch<T: Comparable>(_ s: [T], _ v: T) -> (Int, Bool) {
    var i = 0, j = s.count
    while i < j {
        let h = i + (j - i) >> 1
        if s[h] < v { i = h + 1 } else { j = h }
    }
    return (i, i < s.count && s[i] == v)
}

/// Go's `strconv.IsPrint`.
func goIsPrint(_ r: UInt32) -> Bool {
    if r <= 0xFF {
        if 0x20 <= r && r <= 0x7E { return true }
        if 0xA1 <= r && r <= 0xFF { return r != 0xAD }
        return false
    }
    if r < 1 << 16 {
        let rr = UInt16(r)
        let (i, _) = bsearch(isPrint16, rr)
        if i >= isPrint16.count || rr < isPrint16[i & ~1] || isPrint16[i | 1] < rr { return false }
        return !bsearch(isNotPrint16, rr).1
    }
    let (i, _) = bsearch(isPrint32, r)
    if i >= isPrint32.count || r < isPrint32[i & ~1] || isPrint32[i | 1] < r { return false }
    if r >= 0x20000 { return true }
    return !bsearch(isNotPrint32, UInt16(r - 0x10000)).1
}

@inline(__always)
private func appendUTF8(_ r: UInt32, to out: inout [UInt8]) {
    switch r {
    case 0..<0x80: out.append(UInt8(r))
    case 0x80..<0x800:
        out.append(UInt8(0xC0 | r >> 6)); out.append(UInt8(0x80 | r & 0x3F))
    case 0x800..<0x10000:
        out.append(UInt8(0xE0 | r >> 12)); out.append(UInt8(0x80 | (r >> 6) & 0x3F)); out.append(UInt8(0x80 | r & 0x3F))
    default:
        out.append(UInt8(0xF0 | r >> 18)); out.append(UInt8(0x80 | (r >> 12) & 0x3F))
        out.append(UInt8(0x80 | (r >> 6) & 0x3F)); out.append(UInt8(0x80 | r & 0x3F))
    }
}

/// Appends `bytes` quoted as Go's `strconv.Quote` does.
func appendGoQuoted(_ bytes: UnsafeBufferPointer<UInt8>, to out: inout [UInt8]) {
    out.append(UInt8(ascii: "\""))
    guard let base = bytes.baseAddress else { out.append(UInt8(ascii: "\"")); return }
    var i = 0
    let n = bytes.count
    while i < n {
        let c = base[i]
        // Fast path: printable ASCII other than quote and backslash.
        if c >= 0x20 && c < 0x7F && c != UInt8(ascii: "\"") && c != UInt8(ascii: "\\") {
            out.append(c)
            i += 1
            continue
        }
        var (r, width) = (UInt32(c), 1)
        if c >= 0x80 { (r, width) = goDecodeRune(base + i, n - i) }
        if width == 1 && r == 0xFFFD {
            out.append(UInt8(ascii: "\\")); out.append(UInt8(ascii: "x"))
            out.append(hexDigits[Int(c >> 4)]); out.append(hexDigits[Int(c & 0xF)])
            i += 1
            continue
        }
        appendEscapedRune(r, to: &out)
        i += width
    }
    out.append(UInt8(ascii: "\""))
}

/// Appends a Swift string quoted as Go's `strconv.Quote` does: the exact bytes of a string from
/// the trace (``TraceBytes``), so a byte that is not valid UTF-8 is written `\xNN`, as in Go.
func appendGoQuoted(_ s: String, to out: inout [UInt8]) {
    s.withTraceBytes { appendGoQuoted($0, to: &out) }
}

private func appendEscapedRune(_ r: UInt32, to out: inout [UInt8]) {
    if r == UInt32(UInt8(ascii: "\"")) || r == UInt32(UInt8(ascii: "\\")) {
        out.append(UInt8(ascii: "\\")); out.append(UInt8(r))
        return
    }
    if goIsPrint(r) { appendUTF8(r, to: &out); return }
    out.append(UInt8(ascii: "\\"))
    switch r {
    case 0x07: out.append(UInt8(ascii: "a"))
    case 0x08: out.append(UInt8(ascii: "b"))
    case 0x0C: out.append(UInt8(ascii: "f"))
    case 0x0A: out.append(UInt8(ascii: "n"))
    case 0x0D: out.append(UInt8(ascii: "r"))
    case 0x09: out.append(UInt8(ascii: "t"))
    case 0x0B: out.append(UInt8(ascii: "v"))
    default:
        if r < 0x20 || r == 0x7F {
            out.append(UInt8(ascii: "x"))
            out.append(hexDigits[Int(r >> 4)]); out.append(hexDigits[Int(r & 0xF)])
        } else if r < 0x10000 {
            out.append(UInt8(ascii: "u"))
            for shift in stride(from: 12, through: 0, by: -4) { out.append(hexDigits[Int((r >> UInt32(shift)) & 0xF)]) }
        } else {
            out.append(UInt8(ascii: "U"))
            for shift in stride(from: 28, through: 0, by: -4) { out.append(hexDigits[Int((r >> UInt32(shift)) & 0xF)]) }
        }
    }
}
