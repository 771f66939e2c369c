// One cursor per thread (M) over its event batches, and the min-heap of cursors by the time of
// their next event: the reader's frontier (internal/trace/batchcursor.go).

/// An event as read from a batch, before ordering (Go's `baseEvent`).
struct BaseEvent {
    var typ: WireType = 0
    var time: Int64 = 0
    var args = EventArgs()
}

/// Reads the timed events of one M's batches in order (Go's `batchCursor`).
struct BatchCursor {
    let m: ThreadID
    /// The cursor's batches: `batches[idx..<end]` of the generation's flat batch list.
    var idx: Int
    let end: Int
    var lastTs: Int64 = 0
    var dataOff = 0
    /// The last event read, and its offset in the file.
    var ev = BaseEvent()
    var evOffset = 0

    init(m: ThreadID, batches: Swift.Range<Int>) { self.m = m; idx = batches.lowerBound; end = batches.upperBound }

    /// Reads the next event (`nextEvent`); false at the end of the batches.
    @inline(__always)
    mutating func nextEvent(_ batches: UnsafePointer<Batch>, _ freq: Double,
                            _ info: UnsafePointer<WireTypeInfo>) throws(TraceError) -> Bool {
        // Accept empty batches, as Go does.
        while idx < end && batches[idx].dataCount == dataOff {
            idx += 1
            dataOff = 0
            lastTs = 0
        }
        if idx == end { return false }
        let batch = batches[idx]
        if lastTs == 0 { lastTs = ticksToNanoseconds(batch.time, freq) }
        evOffset = batch.fileOffset + dataOff
        let (n, tsdiff) = try readTimedBaseEvent(batch.data + dataOff, batch.dataCount - dataOff, &ev, info)
        ev.time = ticksToNanoseconds(tsdiff, freq) &+ lastTs
        lastTs = ev.time
        dataOff += n
        return true
    }
}

/// Go's `frequency.mul`: ticks to nanoseconds with a float64 multiply.
@inline(__always)
func ticksToNanoseconds(_ t: UInt64, _ freq: Double) -> Int64 { goFloatToInt64(Double(t) * freq) }

/// Reads one timed event from `count` (> 0) bytes at `b` into `e` (`readTimedBaseEvent`);
/// returns the bytes used and the timestamp delta. Argument slots the event does not use keep
/// their old values, as in Go.
@inline(__always)
func readTimedBaseEvent(_ b: UnsafePointer<UInt8>, _ count: Int, _ e: inout BaseEvent,
                        _ info: UnsafePointer<WireTypeInfo>) throws(TraceError) -> (Int, UInt64) {
    let typ = b[0]
    if typ >= Ev.maxExperimentalEvent {
        throw TraceError(kind: .invalid, message: "found invalid event type: \(typ)")
    }
    e.typ = typ
    let argc = Int(info[Int(typ)].timedArgCount)
    if argc < 0 {
        throw TraceError(kind: .invalid, message: "found event without a timestamp: type=\(typ)")
    }
    var n = 1
    let (ts, nb) = goUvarint(b + n, count - n)
    if nb <= 0 { throw TraceError(kind: .invalid, message: "found invalid uvarint for timestamp") }
    n += nb
    var i = 0
    while i < argc {
        let (arg, nb) = goUvarint(b + n, count - n)
        if nb <= 0 { throw TraceError(kind: .invalid, message: "found invalid uvarint") }
        e.args[i] = arg
        n += nb
        i += 1
    }
    return (n, ts)
}

/// The frontier: a binary min-heap of cursor indices keyed by their event's time, with Go's exact
/// sift operations (ties are broken the way Go's heap breaks them).
struct CursorHeap {
    var items: [Int] = []

    mutating func insert(_ cursor: Int, _ c: UnsafeMutableBufferPointer<BatchCursor>) {
        items.append(cursor)
        _ = siftUp(items.count - 1, c)
    }

    mutating func update(_ i: Int, _ c: UnsafeMutableBufferPointer<BatchCursor>) {
        if siftUp(i, c) != i { return }
        _ = siftDown(i, c)
    }

    mutating func remove(_ i0: Int, _ c: UnsafeMutableBufferPointer<BatchCursor>) {
        var i = i0
        while i > 0 {
            items.swapAt((i - 1) / 2, i)
            i = (i - 1) / 2
        }
        items.swapAt(0, items.count - 1)
        items.removeLast()
        _ = siftDown(0, c)
    }

    @inline(__always)
    mutating func siftUp(_ i0: Int, _ c: UnsafeMutableBufferPointer<BatchCursor>) -> Int {
        var i = i0
        while i > 0 && c[items[(i - 1) / 2]].ev.time > c[items[i]].ev.time {
            items.swapAt((i - 1) / 2, i)
            i = (i - 1) / 2
        }
        return i
    }

    @inline(__always)
    mutating func siftDown(_ i0: Int, _ c: UnsafeMutableBufferPointer<BatchCursor>) -> Int {
        var i = i0
        let n = items.count
        while true {
            // min3(i, 2i+1, 2i+2)
            var m = i
            var minT = Int64.max
            if i < n { minT = c[items[i]].ev.time }
            let l = 2 * i + 1, r = 2 * i + 2
            if l < n { let t = c[items[l]].ev.time; if t < minT { minT = t; m = l } }
            if r < n { let t = c[items[r]].ev.time; if t < minT { minT = t; m = r } }
            if m == i { break }
            items.swapAt(i, m)
            i = m
        }
        return i
    }
}
