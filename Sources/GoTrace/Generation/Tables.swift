// The per-generation lookup tables (strings, stacks) and the immutable bundle events refer to
// (Go's evTable, base.go).

/// A map from wire IDs to entries (Go's `dataTable`): an array for the usual small dense IDs, a
/// dictionary for the rest. ID 0 always "exists" and means "none", as in Go.
struct IDTable<Element> {
    private(set) var dense: [Element?] = []
    private(set) var sparse: [UInt64: Element] = [:]
    private(set) var count = 0

    @inline(__always)
    func contains(_ id: UInt64) -> Bool {
        if id == 0 { return true }
        if id < UInt64(dense.count) { return dense[Int(id)] != nil }
        return !sparse.isEmpty && sparse[id] != nil
    }

    /// The entry for `id`; nil for 0 and for unknown IDs.
    @inline(__always)
    subscript(id: UInt64) -> Element? {
        if id < UInt64(dense.count) { return dense[Int(id)] }
        return sparse.isEmpty ? nil : sparse[id]
    }

    /// Adds an entry; returns false if `id` is taken (always for 0, as in Go).
    mutating func insert(_ id: UInt64, _ element: Element) -> Bool {
        if contains(id) { return false }
        count += 1
        // Stay dense while that wastes at most about half the array.
        if id < UInt64(dense.count) {
            dense[Int(id)] = element
        } else if id < 1024 || id < UInt64(2 * count + dense.count) {
            let newCount = max(Int(id) + 1, dense.count * 2)
            dense.append(contentsOf: repeatElement(nil, count: newCount - dense.count))
            dense[Int(id)] = element
            // Entries kept sparse so far that now fall in the dense range move there.
            for (k, v) in sparse where k < UInt64(newCount) {
                dense[Int(k)] = v
                sparse[k] = nil
            }
        } else {
            sparse[id] = element
        }
        return true
    }

    /// All entries in ascending ID order.
    func forEach(_ body: (UInt64, Element) throws(TraceError) -> Void) throws(TraceError) {
        for (i, e) in dense.enumerated() {
            if let e { try body(UInt64(i), e) }
        }
        for id in sparse.keys.sorted() {
            try body(id, sparse[id]!)
        }
    }
}

extension IDTable: Sendable where Element: Sendable {}

/// A string of the string table: its bytes in the generation's string blob, and as a Swift String.
struct StringEntry: Sendable {
    var start: Int
    var count: Int
    /// The string decoded as UTF-8 (invalid sequences replaced), for the public model.
    var value: String
}

/// A stack of the stack table: a range of ``GenerationTable/frames``.
struct StackEntry: Sendable {
    var start: Int32
    var count: Int32
}

/// One resolved stack frame (Go's `frame`): function and file are string IDs.
struct FrameRecord: Sendable {
    var pc: UInt64
    var funcID: UInt64
    var fileID: UInt64
    var line: UInt64
}

/// Everything needed to interpret the events of one generation (Go's `evTable`). Immutable once
/// built; every event of the generation holds a reference to it.
final class GenerationTable: Sendable {
    /// The generation number.
    let gen: UInt64
    /// Nanoseconds per timestamp tick.
    let freq: Double
    let hasClockSnapshot: Bool
    let snapTime: UInt64
    let snapMono: UInt64
    let snapSec: Int64
    let snapNsec: Int64
    /// The bytes of all strings (exactly as in the trace, maybe not UTF-8).
    let stringBytes: [UInt8]
    let strings: IDTable<StringEntry>
    let stacks: IDTable<StackEntry>
    let frames: [FrameRecord]
    /// Experimental batches by experiment ID, in the order they appeared.
    let expBatches: [(exp: UInt8, batches: [ExperimentalBatch])]

    init(gen: UInt64, freq: Double, sync: SyncInfo, stringBytes: [UInt8], strings: IDTable<StringEntry>,
         stacks: IDTable<StackEntry>, frames: [FrameRecord], expBatches: [(exp: UInt8, batches: [ExperimentalBatch])]) {
        self.gen = gen; self.freq = freq
        hasClockSnapshot = sync.hasClockSnapshot; snapTime = sync.snapTime; snapMono = sync.snapMono
        snapSec = sync.snapSec; snapNsec = sync.snapNsec
        self.stringBytes = stringBytes; self.strings = strings; self.stacks = stacks; self.frames = frames
        self.expBatches = expBatches
        ids = TableIDs(stacks: stacks, strings: strings)
    }

    /// Which IDs exist, as flat bitmaps for the per-event check (`ids.stacks`, `ids.strings`).
    let ids: TableIDs

    /// Whether stack `id` exists (0 always does).
    @inline(__always)
    func hasStack(_ id: UInt64) -> Bool { stacks.contains(id) }

    /// Whether string `id` exists (0 always does).
    @inline(__always)
    func hasString(_ id: UInt64) -> Bool { strings.contains(id) }

    /// The string for `id` ("" for 0 or unknown).
    @inline(__always)
    func string(_ id: UInt64) -> String { strings[id]?.value ?? "" }

    /// Calls `body` with the raw bytes of string `id` (empty for 0 or unknown).
    @inline(__always)
    func withStringBytes<R>(_ id: UInt64, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        guard let e = strings[id] else { return body(UnsafeBufferPointer(start: nil, count: 0)) }
        return stringBytes.withUnsafeBufferPointer { all in
            body(UnsafeBufferPointer(rebasing: all[e.start..<(e.start + e.count)]))
        }
    }

    /// The frames of stack `id` (empty for 0 or unknown).
    func stackFrames(_ id: UInt64) -> ArraySlice<FrameRecord> {
        guard let e = stacks[id] else { return [] }
        return frames[Int(e.start)..<Int(e.start + e.count)]
    }

    /// The public frames of stack `id`, leaf first.
    func publicFrames(_ id: UInt64) -> [StackFrame] {
        stackFrames(id).map { f in
            StackFrame(pc: f.pc, function: string(f.funcID), file: string(f.fileID), line: f.line)
        }
    }

    /// `freq.mul(t)`: ticks to nanoseconds, as Go computes it.
    @inline(__always)
    func mul(_ t: UInt64) -> Int64 { goFloatToInt64(Double(t) * freq) }
}

/// The per-generation sync data (Go's `sync`).
struct SyncInfo {
    var freq: Double = 0
    var hasClockSnapshot = false
    var snapTime: UInt64 = 0
    var snapMono: UInt64 = 0
    var snapSec: Int64 = 0
    var snapNsec: Int64 = 0
}

/// Go's float64 → int64 conversion on amd64 (CVTTSD2SQ): truncation, and the "integer
/// indefinite" value Int64.min for NaN and out-of-range values (Swift would trap instead).
@inline(__always)
func goFloatToInt64(_ d: Double) -> Int64 {
    if d > -9.223372036854775808e18 && d < 9.223372036854775808e18 { return Int64(d) }
    if d == -9.223372036854775808e18 { return Int64.min }
    return Int64.min
}

/// Presence bitmaps of a generation's dense stack and string IDs, at stable addresses, so the
/// reader can check every event's IDs without touching the tables (Go's `validateTableIDs`).
final class TableIDs: @unchecked Sendable {
    // Immutable after init; the memory is owned by this object.
    let stacks: IDBitmap
    let strings: IDBitmap
    private let storage: UnsafeMutablePointer<UInt64>

    init<A, B>(stacks: IDTable<A>, strings: IDTable<B>) {
        let stackWords = (stacks.dense.count + 63) / 64
        let stringWords = (strings.dense.count + 63) / 64
        storage = .allocate(capacity: max(1, stackWords + stringWords))
        storage.initialize(repeating: 0, count: max(1, stackWords + stringWords))
        for (i, e) in stacks.dense.enumerated() where e != nil { storage[i >> 6] |= 1 << UInt64(i & 63) }
        for (i, e) in strings.dense.enumerated() where e != nil {
            storage[stackWords + i >> 6] |= 1 << UInt64(i & 63)
        }
        self.stacks = IDBitmap(words: storage, count: stacks.dense.count, sparse: Set(stacks.sparse.keys))
        self.strings = IDBitmap(words: storage + stackWords, count: strings.dense.count, sparse: Set(strings.sparse.keys))
    }

    deinit { storage.deallocate() }
}

/// The IDs present in one table: a bitmap for the dense part, a set for the rest.
struct IDBitmap: @unchecked Sendable {
    let words: UnsafeMutablePointer<UInt64>
    let count: Int
    let sparse: Set<UInt64>

    @inline(__always)
    func contains(_ id: UInt64) -> Bool {
        if id == 0 { return true }
        if id < UInt64(count) { return words[Int(id >> 6)] & (1 << (id & 63)) != 0 }
        return !sparse.isEmpty && sparse.contains(id)
    }
}
