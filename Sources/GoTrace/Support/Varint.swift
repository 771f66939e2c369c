// The one varint decoder (Go's `encoding/binary` unsigned varints): ``goUvarint(_:_:)`` is
// `binary.Uvarint` over bytes in memory, the hot path of every event's arguments (``BatchCursor``,
// the v1 decoder); ``goReadUvarint(_:_:)`` gives `binary.ReadUvarint`'s results (EOF, unexpected
// EOF, overflow) on top of it for the byte stream (``ByteInput``) and the in-memory cursor
// (``BytesReader``).

/// The most bytes a 64-bit varint takes.
let maxVarintLength = 10

/// The outcome of reading a varint from a stream, with Go's `binary.ReadUvarint` error cases.
enum VarintResult {
    case value(UInt64)
    /// No byte was available (`io.EOF`).
    case eof
    /// The stream ended inside the varint (`io.ErrUnexpectedEOF`).
    case unexpectedEOF
    /// More than 64 bits (`binary: varint overflows a 64-bit integer`).
    case overflow

    /// Go's error text for the failure cases.
    var errorText: String {
        switch self {
        case .value: ""
        case .eof: "EOF"
        case .unexpectedEOF: "unexpected EOF"
        case .overflow: "binary: varint overflows a 64-bit integer"
        }
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

/// Go's `binary.ReadUvarint` over the `count` bytes at `p`, which are all the bytes left in the
/// stream or at least ``maxVarintLength``: the result and how many bytes it consumed (ReadUvarint
/// reads up to 10 bytes, and all of them when the stream ends inside the varint).
@inline(__always)
func goReadUvarint(_ p: UnsafePointer<UInt8>, _ count: Int) -> (VarintResult, consumed: Int) {
    let (value, n) = goUvarint(p, count)
    if n > 0 { return (.value(value), n) }
    // Overflow (n is -10 or -11), or ten continuation bytes with no more to look at: ReadUvarint has
    // read ten bytes either way.
    if n < 0 || count >= maxVarintLength { return (.overflow, maxVarintLength) }
    return (count == 0 ? .eof : .unexpectedEOF, count)
}
