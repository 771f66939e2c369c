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
        let (result, used) = goReadUvarint(base + pos, count - pos)
        pos += used
        return result
    }
}
