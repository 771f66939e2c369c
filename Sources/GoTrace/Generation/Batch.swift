// Reading one batch: the unit the runtime writes (internal/trace/batch.go).

/// A batch of trace events, unparsed except for its header. Its bytes live in a ``ByteArena``.
struct Batch {
    var m: ThreadID
    /// The batch's base timestamp, in ticks.
    var time: UInt64
    /// The bytes (in the generation's arena), where they start in the arena, and where they
    /// were in the file.
    var data: UnsafePointer<UInt8>
    var mark: ByteArena.Mark
    var dataCount: Int
    var fileOffset: Int
    /// The experiment of an experimental batch; 0 otherwise.
    var exp: UInt8
    /// The batch's first byte (0 if empty), which says what kind of batch it is.
    var firstByte: UInt8

    var isEndOfGeneration: Bool { exp == 0 && dataCount > 0 && firstByte == Ev.endOfGeneration }
    var isStrings: Bool { exp == 0 && dataCount > 0 && firstByte == Ev.strings }
    var isStacks: Bool { exp == 0 && dataCount > 0 && firstByte == Ev.stacks }
    var isCPUSamples: Bool { exp == 0 && dataCount > 0 && firstByte == Ev.cpuSamples }
    func isSync(_ version: TraceVersion) -> Bool {
        exp == 0 && dataCount > 0
            && ((firstByte == Ev.frequency && version < .go125) || (firstByte == Ev.sync && version >= .go125))
    }
}

/// What reading a batch produced.
enum BatchRead {
    case batch(Batch, generation: UInt64)
    /// Clean end of input where a batch would start (Go's `io.EOF`).
    case eof
}

/// Reads the next batch from `input`, appending its bytes to `arena` (`readBatch`).
///
/// Errors carry Go's messages; ones caused by the input ending are `.truncated`.
func readBatch(_ input: ByteInput, into arena: ByteArena) throws(TraceError) -> BatchRead {
    let headerOffset = input.offset
    guard let b = input.readByte() else { return .eof }
    if b == Ev.endOfGeneration {
        let mark = arena.mark
        let p = arena.reserve(1)
        p.pointee = b
        arena.commit(1)
        return .batch(Batch(m: noThread, time: 0, data: UnsafePointer(p), mark: mark, dataCount: 1,
                            fileOffset: headerOffset, exp: 0, firstByte: b), generation: 0)
    }
    if b != Ev.eventBatch && b != Ev.experimentalBatch {
        throw TraceError(kind: .invalid, message: "expected batch event, got event \(b)", offset: headerOffset)
    }
    var exp: UInt8 = 0
    if b == Ev.experimentalBatch {
        // Go returns the bare io.EOF here, which its readers take as the end of the trace.
        guard let e = input.readByte() else { return .eof }
        exp = e
    }
    func field(_ what: String) throws(TraceError) -> UInt64 {
        let at = input.offset
        switch input.readUvarint() {
        case .value(let v): return v
        case let failure:
            let truncated: Bool = if case .overflow = failure { false } else { true }
            throw TraceError(kind: truncated ? .truncated : .invalid,
                             message: "error reading batch \(what): \(failure.errorText)", offset: at)
        }
    }
    let gen = try field("gen")
    let m = try field("M ID")
    let ts = try field("timestamp")
    let size = try field("size")
    if size > WireLimits.maxBatchSize {
        throw TraceError(kind: .invalid, message: "invalid batch size \(size), maximum is \(WireLimits.maxBatchSize)",
                         offset: headerOffset)
    }
    let dataOffset = input.offset
    let mark = arena.mark
    let p = arena.reserve(Int(size))
    let n = input.read(Int(size), into: p)
    if n != Int(size) {
        arena.rewind(to: mark)
        throw TraceError(kind: .truncated, message: "failed to read full batch: read \(n) but wanted \(size)",
                         offset: input.offset)
    }
    arena.commit(n)
    let first = n > 0 ? p[0] : 0
    return .batch(Batch(m: ThreadID(bitPattern: m), time: ts, data: UnsafePointer(p), mark: mark, dataCount: n,
                        fileOffset: dataOffset, exp: exp, firstByte: first),
                  generation: gen)
}
