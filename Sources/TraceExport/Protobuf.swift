import TraceWarehouse
/// A minimal protocol-buffers writer (varints, length-delimited fields, packed repeated scalars):
/// enough for pprof's profile.proto, so tracedb needs no protobuf dependency.
struct ProtoWriter {
    private(set) var bytes: [UInt8] = []

    mutating func varint(_ v: UInt64) {
        var v = v
        while v >= 0x80 { bytes.append(UInt8(v & 0x7f) | 0x80); v >>= 7 }
        bytes.append(UInt8(v))
    }
    private mutating func key(_ field: Int, _ wire: UInt64) { varint(UInt64(field) << 3 | wire) }

    /// An int64/uint64 field (wire type 0); zero is skipped as proto3 does.
    mutating func int(_ field: Int, _ v: Int64) {
        guard v != 0 else { return }
        key(field, 0); varint(UInt64(bitPattern: v))
    }
    mutating func uint(_ field: Int, _ v: UInt64) {
        guard v != 0 else { return }
        key(field, 0); varint(v)
    }
    mutating func bool(_ field: Int, _ v: Bool) { if v { key(field, 0); varint(1) } }
    /// A length-delimited field holding raw bytes (strings are always written, even when empty,
    /// because a repeated string field such as the string table must keep its positions).
    mutating func bytesField(_ field: Int, _ b: [UInt8]) {
        key(field, 2); varint(UInt64(b.count)); bytes.append(contentsOf: b)
    }
    mutating func string(_ field: Int, _ s: String) { bytesField(field, Array(s.utf8)) }
    /// An embedded message.
    mutating func message(_ field: Int, _ build: (inout ProtoWriter) -> Void) {
        var inner = ProtoWriter()
        build(&inner)
        bytesField(field, inner.bytes)
    }
    /// A packed repeated varint field (skipped when empty).
    mutating func packed(_ field: Int, _ values: [UInt64]) {
        guard !values.isEmpty else { return }
        var inner = ProtoWriter()
        for v in values { inner.varint(v) }
        bytesField(field, inner.bytes)
    }
    mutating func packed(_ field: Int, _ values: [Int64]) { packed(field, values.map { UInt64(bitPattern: $0) }) }
}
