/// A cursor over bytes in memory with Go's `bytes.Reader` + `binary.ReadUvarint` semantics.
struct BytesReader {
    let base: UnsafePointer<UInt8>
    let count: Int
    var pos = 0

    init(_ base: UnsafePointer<UInt8>, count: Int) { self.base = base; self.count = count }

    var remaining: Int { count - pos }

    @inline(__always)
    mutating func readByte() -> UInt8? {
        guard pos < count else { return nil }
        let b = base[pos]
        pos += 1
        return b
    }

    /// Go's `binary.ReadUvarint` over this reader.
    @inline(__always)
    mutating func readUvarint() -> VarintResult {
        var x: UInt64 = 0
        var s: UInt64 = 0
        for i in 0..<10 {
            guard pos < count else { return i > 0 ? .unexpectedEOF : .eof }
            let b = base[pos]
            pos += 1
            if b < 0x80 {
                if i == 9 && b > 1 { return .overflow }
                return .value(x | UInt64(b) << s)
            }
            x |= UInt64(b & 0x7f) << s
            s += 7
        }
        return .overflow
    }
}

/// Go's `binary.Uvarint` on `count` bytes at `p`: the value and the bytes used; `n == 0` if the
/// bytes ran out, `n < 0` on overflow.
@inline(__always)
func goUvarint(_ p: UnsafePointer<UInt8>, _ count: Int) -> (value: UInt64, n: Int) {
    if count > 0 {
        let b0 = p[0]
        if b0 < 0x80 { return (UInt64(b0), 1) }
    }
    var x: UInt64 = 0
    var s: UInt64 = 0
    var i = 0
    while i < count {
        if i == 10 { return (0, -(i + 1)) }
        let b = p[i]
        if b < 0x80 {
            if i == 9 && b > 1 { return (0, -(i + 1)) }
            return (x | UInt64(b) << s, i + 1)
        }
        x |= UInt64(b & 0x7f) << s
        s += 7
        i += 1
    }
    return (0, 0)
}
