// The trace header, `go 1.N trace\0\0\0` (internal/trace/version.ReadHeader).

/// Reads the header and returns the minor version N. Fails with Go's "bad file format" message if
/// the bytes are not a header (`.truncated` if the input ends inside what could be one).
func readHeader(_ input: ByteInput) throws(TraceError) -> Int {
    let bad = "bad file format: not a Go execution trace?"
    func fail(_ truncated: Bool) -> TraceError {
        TraceError(kind: truncated ? .truncated : .unsupportedVersion,
                   message: truncated && input.offset == 0 ? bad + " (empty file)" : bad + (truncated ? " (truncated header)" : ""),
                   offset: input.offset)
    }
    func expect(_ text: String) throws(TraceError) {
        for c in text.utf8 {
            guard let b = input.peekByte() else { throw fail(true) }
            if b != c { throw fail(false) }
            _ = input.readByte()
        }
    }
    // fmt.Fscanf: a space in the format matches one or more spaces; %d skips leading spaces.
    func spaces(atLeastOne: Bool) throws(TraceError) {
        var n = 0
        while let b = input.peekByte(), b == UInt8(ascii: " ") { _ = input.readByte(); n += 1 }
        if atLeastOne && n == 0 {
            if input.peekByte() == nil { throw fail(true) }
            throw fail(false)
        }
    }
    try expect("go")
    try spaces(atLeastOne: true)
    try expect("1.")
    try spaces(atLeastOne: false)
    var version: UInt64 = 0
    var digits = 0
    while let b = input.peekByte(), b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") {
        _ = input.readByte()
        version = version &* 10 &+ UInt64(b - UInt8(ascii: "0"))
        digits += 1
        if version > UInt64(UInt32.max) { throw fail(false) }
    }
    if digits == 0 { throw fail(input.peekByte() == nil) }
    try spaces(atLeastOne: true)
    try expect("trace\0\0\0")
    return Int(version)
}
