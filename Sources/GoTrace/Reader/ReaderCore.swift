// The reader's algorithm (Go's `Reader.ReadEvent`, internal/trace/reader.go): read a generation,
// put each thread's next event in a min-heap by time, offer the earliest to the ordering (then the
// others in time order if it cannot advance yet), and hand out what the ordering queues, fixing up
// non-increasing timestamps. Kept in one value type so the hot loop works on plain memory.

struct ReaderCore {
    let input: ByteInput
    let version: TraceVersion
    let completeGenerationsOnly: Bool
    let info = wireTypeInfoPointer
    var order: Ordering
    var lastTs: Int64 = 0
    var syncs = 0
    var done = false
    var failure: TraceError?
    var readGenErr: TraceError?

    // The current generation and the cursors over its event batches.
    var gen: Generation?
    var table: GenerationTable?
    /// The current generation's ID bitmaps (kept alive by `table`).
    var stackIDs: IDBitmap?
    var stringIDs: IDBitmap?
    var genNumber: UInt64 = 0
    var freq: Double = 0
    var batches: [Batch] = []
    var cursors: [BatchCursor] = []
    var frontier = CursorHeap()
    var cpuSamples: [CPUSample] = []
    var cpuIndex = 0

    // Before Go 1.26 a generation ends where the next one's first batch is found.
    var spill: SpilledBatch?
    var spillErr: TraceError?
    var spillErrSync = false

    init(input: ByteInput, version: TraceVersion, completeGenerationsOnly: Bool) {
        self.input = input
        self.version = version
        self.completeGenerationsOnly = completeGenerationsOnly
        order = Ordering(version: version)
    }

    /// The next event, with Go's table-ID check and timestamp fix-up; nil at the end. Turn it
    /// into an ``Event`` with ``takeBox(_:)`` and the current table.
    @inline(never)
    mutating func nextPending() throws(TraceError) -> PendingEvent? {
        if let failure { throw failure }
        do {
            guard var ev = try readEvent() else { return nil }
            if ev.hasTable, let stackIDs, let stringIDs {
                try validateTableIDs(ev, stackIDs, stringIDs, info)
            }
            if ev.time <= lastTs { ev.time = lastTs &+ 1 }
            lastTs = ev.time
            return ev
        } catch {
            recordFailure(error)
            throw failure!
        }
    }

    @inline(never)
    private mutating func recordFailure(_ error: TraceError) {
        var e = error
        if e.generation == nil && genNumber != 0 { e.generation = genNumber }
        failure = e
    }

    /// The out-of-line data of a pending event that has some (``PendingEvent/box`` >= 0).
    @inline(never)
    mutating func takeBox(_ i: Int32) -> EventBox {
        let box = order.queue.boxes[Int(i)]
        order.queue.releaseBoxesIfEmpty()
        return box
    }

    mutating func next() throws(TraceError) -> Event? {
        guard let p = try nextPending() else { return nil }
        let box = p.box < 0 ? nil : takeBox(p.box)
        return Event(typ: p.typ, time: p.time, args: p.args, ctx: p.ctx, table: p.hasTable ? table : nil, box: box,
                     info: info)
    }

    /// A Sync event; with the current generation's tables (its first) or none (a final one).
    private mutating func syncEvent(withTable: Bool, _ time: Int64) -> PendingEvent {
        syncs += 1
        var args = EventArgs()
        args.a0 = UInt64(syncs)
        return PendingEvent(typ: Ev.syncEvent, time: time, args: args, ctx: .none, hasTable: withTable && table != nil)
    }

    /// Go's `ReadEvent` before the table-ID check and timestamp fix-up.
    @inline(__always)
    private mutating func readEvent() throws(TraceError) -> PendingEvent? {
        if done { return nil }
        if let ev = order.next() { return ev }
        if frontier.items.isEmpty && cpuIndex == cpuSamples.count {
            return try nextGeneration()
        }
        // Inject a CPU sample if it comes next.
        if cpuIndex < cpuSamples.count {
            let s = cpuSamples[cpuIndex]
            if frontier.items.isEmpty || s.time < cursors[frontier.items[0]].ev.time {
                cpuIndex += 1
                var args = EventArgs()
                args.a0 = s.stack
                return PendingEvent(typ: Ev.cpuSample, time: s.time, args: args, ctx: SchedContext(g: s.g, p: s.p, m: s.m))
            }
        }
        if try !tryAdvance(0) {
            try advanceOther()
        }
        guard let ev = order.next() else {
            throw TraceError(kind: .invalid, message: "invariant violation: advance successful, but queue is empty")
        }
        return ev
    }

    /// The rare case: the earliest event cannot advance yet; try the others in time order.
    @inline(never)
    private mutating func advanceOther() throws(TraceError) {
        let c = cursors
        goSortFunc(&frontier.items) { c[$0].ev.time < c[$1].ev.time }
        var i = 1
        while i < frontier.items.count {
            if try tryAdvance(i) { return }
            i += 1
        }
        throw TraceError(kind: .invalid, message:
            "broken trace: failed to advance: frontier:\n[gen=\(genNumber)]\n\n\(dumpFrontier())\n\(order.dump())\n",
            generation: genNumber)
    }

    /// Offers the event of frontier entry `i` to the ordering; on success reads that cursor's
    /// next event.
    @inline(__always)
    private mutating func tryAdvance(_ i: Int) throws(TraceError) -> Bool {
        let ci = frontier.items[i]
        do {
            if try !order.advance(&cursors[ci].ev, cursors[ci].m, genNumber) { return false }
            let more = try batches.withUnsafeBufferPointer { (b) throws(TraceError) -> Bool in
                try cursors[ci].nextEvent(b.baseAddress!, freq, info)
            }
            cursors.withUnsafeMutableBufferPointer { c in
                if more { frontier.update(i, c) } else { frontier.remove(i, c) }
            }
            return true
        } catch {
            var e = error
            if e.offset == nil { e.offset = cursors[ci].evOffset }
            throw e
        }
    }

    private func dumpFrontier() -> String {
        var s = ""
        for ci in frontier.items {
            let bc = cursors[ci]
            let spec = wireSpecs[Int(bc.ev.typ)]
            s += "M \(bc.m) [\(spec.name) time=\(bc.ev.time)"
            for (i, arg) in spec.args.dropFirst().enumerated() { s += " \(arg)=\(bc.ev.args[i])" }
            s += "]\n"
        }
        return s
    }

    private mutating func releaseGeneration() {
        gen = nil
        table = nil
        order.table = nil
        stackIDs = nil
        stringIDs = nil
        batches = []
        cursors = []
        cpuSamples = []
        cpuIndex = 0
    }

    /// Reads the next generation and returns its Sync event (or the final one).
    @inline(never)
    private mutating func nextGeneration() throws(TraceError) -> PendingEvent? {
        if version < .go126 { return try nextGenWithSpill() }
        if let readGenErr { throw readGenErr }
        releaseGeneration()
        let g: Generation?
        do {
            g = try readGeneration(input, version: version, strict: completeGenerationsOnly)
        } catch {
            // Emit the Sync ending the last good generation before the error.
            readGenErr = error
            return syncEvent(withTable: false, lastTs)
        }
        return try installGen(g)
    }

    /// Reads the next generation of a trace before Go 1.26, handling the spilled batch.
    private mutating func nextGenWithSpill() throws(TraceError) -> PendingEvent? {
        if let spillErr {
            if spillErrSync { throw spillErr }
            spillErrSync = true
            return syncEvent(withTable: false, lastTs)
        }
        if gen != nil && spill == nil {
            // No further generation: emit the final Sync.
            done = true
            return syncEvent(withTable: false, lastTs)
        }
        releaseGeneration()
        var g: Generation?
        do {
            (g, spill, spillErr) = try readGenerationWithSpill(input, spill: spill, version: version)
        } catch {
            g = nil
            spill = nil
            spillErr = error
        }
        if let g0 = g, completeGenerationsOnly, let incomplete = incompleteEnding(g0) {
            g = nil
            spill = nil
            spillErr = incomplete
        }
        guard let g else {
            spillErrSync = true
            return syncEvent(withTable: false, lastTs)
        }
        return try installGen(g)
    }

    /// For a generation of a Go 1.22–1.25 trace that the file ended inside of, the error to
    /// report instead of its events; nil if it looks complete.
    private func incompleteEnding(_ g: Generation) -> TraceError? {
        if let spillErr, spillErr.kind == .truncated { return spillErr }
        // The runtime writes a generation's string table last: without it at the end, the file
        // was cut inside the generation.
        if g.end == .eof && !g.lastBatchWasStrings {
            return TraceError(kind: .truncated, message: "incomplete generation found; trace likely truncated",
                              offset: input.offset, generation: g.gen)
        }
        return nil
    }

    /// Makes `g` current and returns the Sync event that starts it (`installGen`).
    private mutating func installGen(_ g: Generation?) throws(TraceError) -> PendingEvent? {
        guard let g else {
            releaseGeneration()
            done = true
            return syncEvent(withTable: false, lastTs)
        }
        gen = g
        table = g.table
        order.table = g.table
        stackIDs = g.table.ids.stacks
        stringIDs = g.table.ids.strings
        genNumber = g.gen
        freq = g.table.freq
        batches = g.flatBatches
        cpuSamples = g.cpuSamples
        g.cpuSamples = []
        cpuIndex = 0
        cursors = []
        cursors.reserveCapacity(g.batchMs.count)
        frontier.items.removeAll(keepingCapacity: true)
        for (list, m) in g.batchMs.enumerated() {
            var bc = BatchCursor(m: m, batches: g.mRanges[list])
            let ok: Bool
            do {
                ok = try batches.withUnsafeBufferPointer { (b) throws(TraceError) -> Bool in
                    try bc.nextEvent(b.baseAddress!, freq, info)
                }
            } catch {
                var e = error
                if e.offset == nil { e.offset = bc.evOffset }
                throw e
            }
            if !ok { continue }
            cursors.append(bc)
            cursors.withUnsafeMutableBufferPointer { c in frontier.insert(c.count - 1, c) }
        }
        return syncEvent(withTable: true, g.table.mul(g.minTs))
    }
}

/// Go's `Event.validateTableIDs`: the event's stack and string IDs must exist.
@inline(__always)
private func validateTableIDs(_ ev: PendingEvent, _ stacks: IDBitmap, _ strings: IDBitmap,
                              _ info: UnsafePointer<WireTypeInfo>) throws(TraceError) {
    if ev.typ == Ev.syncEvent { return }
    let i = info[Int(ev.typ)]
    if i.stackSlots.0 >= 0 && !stacks.contains(ev.args[Int(i.stackSlots.0)]) { throw badID("stack", ev, Int(i.stackSlots.0)) }
    if i.stackSlots.1 >= 0 && !stacks.contains(ev.args[Int(i.stackSlots.1)]) { throw badID("stack", ev, Int(i.stackSlots.1)) }
    if i.stringSlots.0 >= 0 && !strings.contains(ev.args[Int(i.stringSlots.0)]) { throw badID("string", ev, Int(i.stringSlots.0)) }
    if i.stringSlots.1 >= 0 && !strings.contains(ev.args[Int(i.stringSlots.1)]) { throw badID("string", ev, Int(i.stringSlots.1)) }
}

@inline(never)
private func badID(_ what: String, _ ev: PendingEvent, _ slot: Int) -> TraceError {
    TraceError(kind: .invalid, message: "found invalid \(what) ID \(ev.args[slot]) for event \(wireSpecs[Int(ev.typ)].name)")
}
