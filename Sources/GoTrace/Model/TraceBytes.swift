// Strings from a trace as Swift `String`s that keep their exact bytes, even when they are not valid
// UTF-8 (Go strings are bytes; a Swift String holds only valid UTF-8).

/// A string of the trace is made with ``Swift/String/init(traceBytes:)``. Valid UTF-8 (all but
/// damaged or deliberately odd traces) is simply the String of those bytes. Otherwise each byte that
/// is not part of a valid UTF-8 sequence (as Go's `utf8.DecodeRune` sees it) becomes two scalars,
/// ``escape`` then `byteBase + byte`, and a literal ``escape`` in the input becomes two
/// ``escape``s, so the mapping is reversible: ``Swift/String/withTraceBytes(_:)`` gives back the
/// exact bytes. Formatting (``appendGoQuoted(_:to:)``: Go's `%q` writes `\xff` for such a byte) and
/// the warehouse (which stores the bytes) read strings through it. ``escape`` is U+10FFFF, a
/// noncharacter that Go's runtime never writes.
enum TraceBytes {
    static let escape: Unicode.Scalar = "\u{10FFFF}"
    static let byteBase: UInt32 = 0x10FE00
    /// ``escape`` in UTF-8.
    static let escapeUTF8: [UInt8] = [0xF4, 0x8F, 0xBF, 0xBF]

    /// Whether `p` holds the UTF-8 of ``escape``.
    @inline(__always)
    static func containsEscape(_ p: UnsafeBufferPointer<UInt8>) -> Bool {
        guard p.count >= 4, let base = p.baseAddress else { return false }
        var i = 0
        while i + 3 < p.count {
            if base[i] == 0xF4 && base[i + 1] == 0x8F && base[i + 2] == 0xBF && base[i + 3] == 0xBF { return true }
            i += 1
        }
        return false
    }
}

extension String {
    /// The string of a trace's bytes, kept exactly (see ``TraceBytes``).
    public init(traceBytes bytes: UnsafeBufferPointer<UInt8>) {
        if !TraceBytes.containsEscape(bytes), let s = String(validating: bytes, as: UTF8.self) {
            self = s
            return
        }
        var scalars = String.UnicodeScalarView()
        guard let base = bytes.baseAddress else { self = ""; return }
        var i = 0
        while i < bytes.count {
            let (r, width) = goDecodeRune(base + i, bytes.count - i)
            if width == 1 && r == 0xFFFD && base[i] >= 0x80 {
                scalars.append(TraceBytes.escape)
                scalars.append(Unicode.Scalar(TraceBytes.byteBase + UInt32(base[i]))!)
            } else {
                let scalar = Unicode.Scalar(r)!
                if scalar == TraceBytes.escape { scalars.append(scalar) }
                scalars.append(scalar)
            }
            i += width
        }
        self = String(scalars)
    }

    /// The string of a trace's bytes, kept exactly (see ``TraceBytes``).
    public init(traceBytes bytes: [UInt8]) {
        self = bytes.withUnsafeBufferPointer { String(traceBytes: $0) }
    }

    /// Calls `body` with the exact bytes this string was made from by ``init(traceBytes:)`` (its
    /// UTF-8 for any other string without U+10FFFF).
    public func withTraceBytes<R>(_ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        var s = self
        return try s.withUTF8 { p in
            if !TraceBytes.containsEscape(p) { return try body(p) }
            var out: [UInt8] = []
            out.reserveCapacity(p.count)
            var it = unicodeScalars.makeIterator()
            var pending = it.next()
            while let c = pending {
                pending = it.next()
                if c == TraceBytes.escape, let next = pending {
                    if next == TraceBytes.escape {
                        out.append(contentsOf: TraceBytes.escapeUTF8)
                        pending = it.next()
                        continue
                    }
                    if next.value >= TraceBytes.byteBase && next.value <= TraceBytes.byteBase + 0xFF {
                        out.append(UInt8(next.value - TraceBytes.byteBase))
                        pending = it.next()
                        continue
                    }
                }
                out.append(contentsOf: String(c).utf8)
            }
            return try out.withUnsafeBufferPointer(body)
        }
    }

    /// The exact bytes this string was made from by ``init(traceBytes:)``.
    public var traceBytes: [UInt8] { withTraceBytes { Array($0) } }
}
