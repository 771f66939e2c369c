// The scheduler state the ordering tracks per goroutine, proc and thread (order.go's gState,
// pState, mState, rangeState, seqCounter), and its event queue.

/// A per-resource sequence number, local to a generation (Go's `seqCounter`).
struct SeqCounter: Equatable, CustomStringConvertible {
    var gen: UInt64
    var seq: UInt64
    /// Whether this is the immediate successor of `b`.
    @inline(__always) func succeeds(_ b: SeqCounter) -> Bool { gen == b.gen && seq == b.seq &+ 1 }
    var description: String { "\(seq) (gen=\(gen))" }
}

/// A special range of time bound to a resource (Go's `rangeType`): its Begin event and subtype.
struct RangeType: Equatable, CustomStringConvertible {
    var typ: WireType
    var desc: UInt64
    /// Go's `%v` of the struct.
    var description: String { "{\(typ) \(desc)}" }

    /// `makeRangeType`: End and Active events name their Begin event.
    init(_ typ: WireType, _ desc: UInt64) {
        let start = wireSpecs[Int(typ)].startEv
        self.typ = start != Ev.none ? start : typ
        self.desc = desc
    }
}

/// The ranges in flight on a goroutine or proc (Go's `rangeState`).
struct RangeState {
    var inFlight: [RangeType] = []

    mutating func beginRange(_ typ: RangeType) throws(TraceError) {
        if inFlight.contains(typ) {
            throw orderError("discovered event already in-flight for when starting event \(wireSpecs[Int(typ.typ)].name)")
        }
        inFlight.append(typ)
    }

    mutating func activeRange(_ typ: RangeType, isInitialGen: Bool) throws(TraceError) {
        if isInitialGen {
            if inFlight.contains(typ) { throw orderError("found named active range already in first gen: \(typ)") }
            inFlight.append(typ)
        } else if !inFlight.contains(typ) {
            let list = "[" + inFlight.map(\.description).joined(separator: " ") + "]"
            throw orderError("resource is missing active range: \(wireSpecs[Int(typ.typ)].name) \(list)")
        }
    }

    /// Ends the range begun by `typ`'s start event and returns its subtype.
    mutating func endRange(_ typ: WireType) throws(TraceError) -> UInt64 {
        let st = wireSpecs[Int(typ)].startEv
        guard let idx = inFlight.firstIndex(where: { $0.typ == st }) else {
            throw orderError("tried to end event \(wireSpecs[Int(st)].name), but not in-flight")
        }
        let desc = inFlight[idx].desc
        inFlight.swapAt(idx, inFlight.count - 1)
        inFlight.removeLast()
        return desc
    }
}

/// A user region open on a goroutine; the name's bytes, since IDs change across generations.
struct UserRegion: Equatable, CustomStringConvertible {
    var taskID: UInt64
    var name: [UInt8]
    var description: String { "{\(taskID) \(String(decoding: name, as: UTF8.self))}" }
}

/// A goroutine's state (Go's `gState`). Its regions and ranges, rarely used, live in
/// ``Ordering/gExtras`` when `hasExtras` is set.
struct GState {
    var status: UInt64
    var seq: SeqCounter
    var hasExtras = false
}

/// The user regions and special ranges of a goroutine.
struct GoroutineExtras {
    var regions: [UserRegion] = []
    var ranges = RangeState()

    mutating func endRegion(_ r: UserRegion, goroutine id: GoID) throws(TraceError) {
        // Regions that began before tracing started are unknown.
        guard let next = regions.last else { return }
        if next != r {
            throw orderError("misuse of region in goroutine \(id): region end \(r) when the inner-most active region start event is \(next)")
        }
        regions.removeLast()
    }
}

/// A proc's state (Go's `pState`); its ranges live in ``Ordering/pRanges``.
struct PState {
    var status: UInt64
    var seq: SeqCounter
}

/// A thread's state (Go's `mState`): what is bound to it.
struct MState {
    var g: GoID
    var p: ProcID
}

/// An active user task (Go's `taskState`).
struct TaskState {
    var name: [UInt8]
    var parentID: TaskID
}

/// An event the ordering has let through, waiting to be handed out. Plain data: it belongs to the
/// reader's current generation (the queue is always drained before the next one is read), so it
/// needs no reference to the generation's tables.
struct PendingEvent {
    var typ: WireType
    var time: Int64
    var args: EventArgs
    var ctx: SchedContext
    /// Index into ``EventQueue/boxes`` of extra data (a TaskEnd's type), or -1.
    var box: Int32 = -1
    /// False for the final Sync events, which belong to no generation.
    var hasTable = true
}

/// A growable ring buffer of pending events (Go's `queue`).
struct EventQueue {
    private var buf: [PendingEvent] = []
    private var start = 0
    private var count = 0
    /// Out-of-line data of queued events; emptied whenever the queue is.
    var boxes: [EventBox] = []

    var isEmpty: Bool { count == 0 }

    @inline(__always)
    mutating func push(_ e: PendingEvent) {
        if count == buf.count { grow() }
        var i = start + count
        if i >= buf.count { i -= buf.count }
        buf[i] = e
        count += 1
    }

    @inline(__always)
    mutating func pop() -> PendingEvent? {
        guard count > 0 else { return nil }
        let e = buf[start]
        start += 1
        if start == buf.count { start = 0 }
        count -= 1
        return e
    }

    /// Forgets the boxes once no queued event refers to them.
    @inline(__always)
    mutating func releaseBoxesIfEmpty() {
        if count == 0 && !boxes.isEmpty { boxes.removeAll() }
    }

    private mutating func grow() {
        let zero = PendingEvent(typ: 0, time: 0, args: EventArgs(), ctx: .none)
        if buf.isEmpty { buf = [PendingEvent](repeating: zero, count: 4); return }
        var newBuf = [PendingEvent](repeating: zero, count: buf.count * 2)
        for i in 0..<count {
            var j = start + i
            if j >= buf.count { j -= buf.count }
            newBuf[i] = buf[j]
        }
        buf = newBuf
        start = 0
    }
}

/// An ordering failure with Go's message.
@inline(never)
func orderError(_ message: String) -> TraceError { TraceError(kind: .invalid, message: message) }
