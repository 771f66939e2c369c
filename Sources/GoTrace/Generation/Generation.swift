// Reading one generation: all its batches, decoding the structural ones (strings, stacks, CPU
// samples, sync data, experimental batches) and keeping the event batches for the cursors
// (internal/trace/generation.go).

/// A CPU profiling sample of a generation (Go's `cpuSample`); `time` is in ticks until fixed up.
struct CPUSample {
    var m: ThreadID
    var p: ProcID
    var g: GoID
    var time: Int64
    var stack: UInt64
}

/// How reading a generation ended.
enum GenerationEnd {
    /// The input ended cleanly at a batch boundary.
    case eof
    /// The first batch of the next generation was read (Go < 1.26).
    case spill
    /// An end-of-generation batch (Go 1.26+).
    case endOfGeneration
    /// Reading the next batch failed; the error is reported after this generation (Go < 1.26).
    case spillError
}

/// All the data of one generation. The event batches' bytes live in `arena`.
final class Generation {
    var gen: UInt64 = 0
    /// Event batches per M, Ms in order of first appearance (Go's `batches` + `batchMs`).
    var batches: [[Batch]] = []
    var batchMs: [ThreadID] = []
    private var mIndex: [ThreadID: Int] = [:]
    var cpuSamples: [CPUSample] = []
    var minTs: UInt64 = 0
    let arena: ByteArena
    var table: GenerationTable!
    /// After reading: every event batch, grouped by M in `batchMs` order, and each M's range.
    var flatBatches: [Batch] = []
    var mRanges: [Swift.Range<Int>] = []
    var end: GenerationEnd = .eof
    /// Whether any batch at all was seen, and whether the last one was a string table batch (the
    /// runtime writes the string table last, so a generation cut short lacks it at the end).
    var sawAnyBatch = false
    var lastBatchWasStrings = false

    // Built while reading, frozen into `table`.
    fileprivate var sync = SyncInfo()
    fileprivate var stringBytes: [UInt8] = []
    fileprivate var strings = IDTable<StringEntry>()
    fileprivate var stacks = IDTable<StackEntry>()
    fileprivate var stackPCs: [UInt64] = []
    fileprivate var pcs: [UInt64: FrameRecord] = [:]
    fileprivate var expBatches: [(exp: UInt8, batches: [ExperimentalBatch])] = []

    init(arena: ByteArena) { self.arena = arena }

    fileprivate func addEventBatch(_ b: Batch) {
        if let i = mIndex[b.m] {
            batches[i].append(b)
        } else {
            mIndex[b.m] = batches.count
            batchMs.append(b.m)
            batches.append([b])
        }
    }
}

/// A batch read for the next generation while reading the previous one (Go < 1.26).
struct SpilledBatch {
    var gen: UInt64
    var batch: Batch
    /// The arena holding the batch's bytes; the next generation adopts it.
    var arena: ByteArena
}

/// Reads a Go 1.26+ generation (`readGeneration`): nil at the end of the trace.
func readGeneration(_ input: ByteInput, version: TraceVersion, strict: Bool) throws(TraceError) -> Generation? {
    let g = Generation(arena: ByteArena())
    while true {
        let read: BatchRead
        do {
            read = try readBatch(input, into: g.arena)
        } catch {
            throw error.inGeneration(g.gen)
        }
        guard case .batch(let b, let gen) = read else {
            if !g.batches.isEmpty || (strict && g.sawAnyBatch) {
                throw TraceError(kind: .truncated, message: "incomplete generation found; trace likely truncated",
                                 offset: input.offset, generation: g.gen)
            }
            return nil
        }
        if g.gen == 0 { g.gen = gen }
        g.sawAnyBatch = true
        if b.isEndOfGeneration {
            g.arena.rewind(to: b.mark)
            g.end = .endOfGeneration
            break
        }
        if gen == 0 {
            throw TraceError(kind: .invalid, message: "invalid generation number \(gen)", offset: b.fileOffset,
                             generation: g.gen)
        }
        if gen != g.gen {
            throw TraceError(kind: .invalid,
                             message: "broken trace: missing end-of-generation event, or generations are interleaved",
                             offset: b.fileOffset, generation: g.gen)
        }
        if g.minTs == 0 || b.time < g.minTs { g.minTs = b.time }
        try processBatch(g, b, version)
    }
    try finishGeneration(g, version: version, endedAtEOF: false)
    return g
}

/// Reads a generation of a trace before Go 1.26 (`readGenerationWithSpill`). `spill` is the first
/// batch of this generation if it was read already. Returns the generation (nil at the end), the
/// first batch of the next one, and an error to report after this generation.
func readGenerationWithSpill(_ input: ByteInput, spill: SpilledBatch?, version: TraceVersion)
    throws(TraceError) -> (Generation?, SpilledBatch?, TraceError?)
{
    let g = Generation(arena: spill?.arena ?? ByteArena())
    if let spill {
        g.gen = spill.gen
        g.minTs = spill.batch.time
        g.sawAnyBatch = true
        try processBatch(g, spill.batch, version)
    }
    var nextSpill: SpilledBatch?
    var spillErr: TraceError?
    loop: while true {
        let read: BatchRead
        do {
            read = try readBatch(input, into: g.arena)
        } catch {
            if g.gen != 0 {
                // Maybe just a bad first batch of the next generation: finish this one first.
                spillErr = error.inGeneration(g.gen)
                g.end = .spillError
                break loop
            }
            throw error
        }
        guard case .batch(let b, let gen) = read else {
            g.end = .eof
            break
        }
        if gen == 0 {
            throw TraceError(kind: .invalid, message: "invalid generation number \(gen)", offset: b.fileOffset,
                             generation: g.gen)
        }
        if g.gen == 0 { g.gen = gen }
        if gen == g.gen &+ 1 {
            // The first batch of the next generation: move its bytes to a new arena.
            let arena = ByteArena()
            var moved = b
            moved.mark = arena.mark
            moved.data = arena.append(UnsafeRawBufferPointer(start: b.data, count: b.dataCount))
            g.arena.rewind(to: b.mark)
            nextSpill = SpilledBatch(gen: gen, batch: moved, arena: arena)
            g.end = .spill
            break
        }
        if gen != g.gen {
            throw TraceError(kind: .invalid, message: "generations out of order", offset: b.fileOffset,
                             generation: g.gen)
        }
        g.sawAnyBatch = true
        if g.minTs == 0 || b.time < g.minTs { g.minTs = b.time }
        try processBatch(g, b, version)
    }
    try finishGeneration(g, version: version, endedAtEOF: g.end == .eof || g.end == .spillError)
    return (g, nextSpill, spillErr)
}

/// The checks and fix-ups after all of a generation's batches are in.
private func finishGeneration(_ g: Generation, version: TraceVersion, endedAtEOF: Bool) throws(TraceError) {
    // A generation cut short by the end of the file lacks what the runtime writes last.
    let missingKind: TraceError.Kind = endedAtEOF ? .truncated : .invalid
    if g.sync.freq == 0 {
        throw TraceError(kind: missingKind, message: "no frequency event found", generation: g.gen)
    }
    if version >= .go125 && !g.sync.hasClockSnapshot {
        throw TraceError(kind: missingKind, message: "no clock snapshot event found", generation: g.gen)
    }
    // Resolve stack frames through the PC table (the first frame seen for a PC wins, as in Go).
    var frames = [FrameRecord]()
    frames.reserveCapacity(g.stackPCs.count)
    for pc in g.stackPCs {
        frames.append(g.pcs[pc] ?? FrameRecord(pc: pc, funcID: 0, fileID: 0, line: 0))
    }
    do {
        try validateStackStrings(g)
    } catch {
        var e = error
        if endedAtEOF { e.kind = .truncated }
        throw e
    }
    // Now that the frequency is known, convert CPU sample times and sort them.
    let freq = g.sync.freq
    for i in g.cpuSamples.indices {
        g.cpuSamples[i].time = goFloatToInt64(Double(UInt64(bitPattern: g.cpuSamples[i].time)) * freq)
    }
    goSortFunc(&g.cpuSamples) { $0.time < $1.time }
    for list in g.batches {
        let start = g.flatBatches.count
        g.flatBatches.append(contentsOf: list)
        g.mRanges.append(start..<g.flatBatches.count)
    }
    g.batches = []
    g.table = GenerationTable(gen: g.gen, freq: freq, sync: g.sync, stringBytes: g.stringBytes, strings: g.strings,
                              stacks: g.stacks, frames: frames, expBatches: g.expBatches)
    // Free the builders.
    g.stringBytes = []; g.strings = IDTable(); g.stacks = IDTable(); g.stackPCs = []; g.pcs = [:]
    g.expBatches = []
}

/// Checks that every frame of every stack names known strings (`validateStackStrings`).
private func validateStackStrings(_ g: Generation) throws(TraceError) {
    try g.stacks.forEach { (id: UInt64, stk: StackEntry) throws(TraceError) in
        for i in Int(stk.start)..<Int(stk.start + stk.count) {
            let pc = g.stackPCs[i]
            guard let frame = g.pcs[pc] else {
                throw TraceError(kind: .invalid, message: "found unknown pc \(String(pc, radix: 16)) for stack \(id)",
                                 generation: g.gen)
            }
            if !g.strings.contains(frame.funcID) {
                throw TraceError(kind: .invalid, message: "found invalid func string ID \(frame.funcID) for stack \(id)",
                                 generation: g.gen)
            }
            if !g.strings.contains(frame.fileID) {
                throw TraceError(kind: .invalid, message: "found invalid file string ID \(frame.fileID) for stack \(id)",
                                 generation: g.gen)
            }
        }
    }
}

/// Adds a batch to the generation (`processBatch`).
private func processBatch(_ g: Generation, _ b: Batch, _ version: TraceVersion) throws(TraceError) {
    g.lastBatchWasStrings = b.isStrings
    if b.isStrings || b.isStacks || b.isCPUSamples || b.isSync(version) || b.exp != 0 {
        defer { g.arena.rewind(to: b.mark) }
        var r = BytesReader(b.data, count: b.dataCount)
        do {
            if b.isStrings {
                try addStrings(g, &r)
            } else if b.isStacks {
                try addStacks(g, &r)
            } else if b.isCPUSamples {
                try addCPUSamples(g, &r)
            } else if b.isSync(version) {
                try setSyncBatch(g, &r, b, version)
            } else {
                addExperimentalBatch(g, b, r)
            }
        } catch {
            var e = error
            if e.offset == nil { e.offset = b.fileOffset + r.pos }
            throw e.inGeneration(g.gen)
        }
        return
    }
    if b.isEndOfGeneration {
        throw TraceError(kind: .invalid, message: "internal error: unexpectedly processing EndOfGeneration; broken trace?",
                         offset: b.fileOffset, generation: g.gen)
    }
    g.addEventBatch(b)
}

/// Fails with a varint reading error's text (the way Go returns `binary.ReadUvarint` errors as is).
@inline(__always)
private func uvarint(_ r: inout BytesReader, _ context: (String) -> String = { $0 }) throws(TraceError) -> UInt64 {
    switch r.readUvarint() {
    case .value(let v): return v
    case let failure: throw TraceError(kind: .invalid, message: context(failure.errorText))
    }
}

private func addStrings(_ g: Generation, _ r: inout BytesReader) throws(TraceError) {
    guard r.readByte() == Ev.strings else { throw TraceError(kind: .invalid, message: "missing strings batch header") }
    while r.remaining != 0 {
        let ev = r.readByte()!
        if ev != Ev.string { throw TraceError(kind: .invalid, message: "expected string event, got \(ev)") }
        let id = try uvarint(&r)
        let len = try uvarint(&r)
        if len > WireLimits.maxEventTrailerDataSize {
            throw TraceError(kind: .invalid,
                             message: "invalid string size \(len), maximum is \(WireLimits.maxEventTrailerDataSize)")
        }
        let n = min(Int(len), r.remaining)
        if n != Int(len) {
            throw TraceError(kind: .invalid, message: "failed to read full string: read \(n) but wanted \(len)")
        }
        let bytes = UnsafeBufferPointer(start: r.base + r.pos, count: n)
        r.pos += n
        let start = g.stringBytes.count
        g.stringBytes.append(contentsOf: bytes)
        let entry = StringEntry(start: start, count: n, value: String(traceBytes: bytes))
        if !g.strings.insert(id, entry) {
            let existing = g.strings[id]?.value ?? ""
            g.stringBytes.removeLast(n)
            throw TraceError(kind: .invalid, message:
                "multiple strings with the same ID: id=\(id), new=\(entry.value), existing=\(existing)")
        }
    }
}

private func addStacks(_ g: Generation, _ r: inout BytesReader) throws(TraceError) {
    guard r.readByte() == Ev.stacks else { throw TraceError(kind: .invalid, message: "missing stacks batch header") }
    while r.remaining != 0 {
        let ev = r.readByte()!
        if ev != Ev.stack { throw TraceError(kind: .invalid, message: "expected stack event, got \(ev)") }
        let id = try uvarint(&r)
        let nFrames = try uvarint(&r)
        if nFrames > WireLimits.maxFramesPerStack {
            throw TraceError(kind: .invalid,
                             message: "invalid stack size \(nFrames), maximum is \(WireLimits.maxFramesPerStack)")
        }
        let start = g.stackPCs.count
        for i in 0..<nFrames {
            let pc = try uvarint(&r) { "reading frame \(i + 1)'s PC for stack \(id): \($0)" }
            let funcID = try uvarint(&r) { "reading frame \(i + 1)'s funcID for stack \(id): \($0)" }
            let fileID = try uvarint(&r) { "reading frame \(i + 1)'s fileID for stack \(id): \($0)" }
            let line = try uvarint(&r) { "reading frame \(i + 1)'s line for stack \(id): \($0)" }
            g.stackPCs.append(pc)
            if g.pcs[pc] == nil {
                g.pcs[pc] = FrameRecord(pc: pc, funcID: funcID, fileID: fileID, line: line)
            }
        }
        let entry = StackEntry(start: Int32(start), count: Int32(nFrames))
        if !g.stacks.insert(id, entry) {
            let new = g.stackPCs[start...].map { "\t\(hex($0))\n" }.joined()
            let existing = g.stacks[id].map { e in
                g.stackPCs[Int(e.start)..<Int(e.start + e.count)].map { "\t\(hex($0))\n" }.joined()
            } ?? ""
            throw TraceError(kind: .invalid, message:
                "multiple trace.stacks with the same ID: id=\(id), new=\(new), existing=\(existing)")
        }
    }
}

private func addCPUSamples(_ g: Generation, _ r: inout BytesReader) throws(TraceError) {
    guard r.readByte() == Ev.cpuSamples else {
        throw TraceError(kind: .invalid, message: "missing CPU samples batch header")
    }
    while r.remaining != 0 {
        let ev = r.readByte()!
        if ev != Ev.cpuSample { throw TraceError(kind: .invalid, message: "expected CPU sample event, got \(ev)") }
        let ts = try uvarint(&r)
        let m = try uvarint(&r)
        let p = try uvarint(&r)
        let goid = try uvarint(&r)
        let stack = try uvarint(&r)
        g.cpuSamples.append(CPUSample(m: ThreadID(bitPattern: m), p: ProcID(bitPattern: p),
                                      g: goid == 0 ? noGoroutine : GoID(bitPattern: goid),
                                      time: Int64(bitPattern: ts), stack: stack))
    }
}

private func setSyncBatch(_ g: Generation, _ r: inout BytesReader, _ b: Batch, _ version: TraceVersion) throws(TraceError) {
    if version >= .go125 {
        guard r.readByte() == Ev.sync else { throw TraceError(kind: .invalid, message: "missing sync batch header") }
    }
    var lastTs = b.time
    while r.remaining != 0 {
        let ev = r.readByte()!
        if ev == Ev.frequency {
            if g.sync.freq != 0 { throw TraceError(kind: .invalid, message: "found multiple frequency events") }
            let f = try uvarint(&r)
            g.sync.freq = 1.0 / (Double(f) / 1e9)
        } else if ev == Ev.clockSnapshot && version >= .go125 {
            if g.sync.hasClockSnapshot {
                throw TraceError(kind: .invalid, message: "found multiple clock snapshot events")
            }
            g.sync.hasClockSnapshot = true
            let tdiff = try uvarint(&r)
            lastTs &+= tdiff
            g.sync.snapTime = lastTs
            g.sync.snapMono = try uvarint(&r)
            let sec = try uvarint(&r)
            let nsec = try uvarint(&r)
            g.sync.snapSec = Int64(bitPattern: sec)
            g.sync.snapNsec = Int64(bitPattern: nsec)
        } else {
            throw TraceError(kind: .invalid, message: "expected frequency or clock snapshot event, got \(ev)")
        }
    }
}

private func addExperimentalBatch(_ g: Generation, _ b: Batch, _ r: BytesReader) {
    let batch = ExperimentalBatch(thread: b.m, data: Array(UnsafeBufferPointer(start: r.base, count: r.count)))
    if let i = g.expBatches.firstIndex(where: { $0.exp == b.exp }) {
        g.expBatches[i].batches.append(batch)
    } else {
        g.expBatches.append((b.exp, [batch]))
    }
}

/// `%x` of an unsigned integer.
func hex(_ v: UInt64) -> String { "0x" + String(v, radix: 16) }

extension TraceError {
    /// The same error, attributed to generation `gen` if it has none yet.
    func inGeneration(_ gen: UInt64) -> TraceError {
        var e = self
        if e.generation == nil && gen != 0 { e.generation = gen }
        return e
    }
}
