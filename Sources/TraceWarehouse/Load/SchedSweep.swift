import GoTrace

/// The scheduler's step functions over the whole timeline, swept once at ingest: how many goroutines
/// are runnable and how many Ps idle at every instant, and whether the world is stopped, a GC worker
/// runs or a P is held in a syscall. It yields the stretches with idle Ps while goroutines wait
/// (`idle_p_episode_lengths`, `idle_p_episodes_longest`), the peaks and totals of `sched_summary` and
/// the causes of scheduling delay (`sched_delay_causes`) (Schema/001_schema.sql), which the saved
/// queries idle-ps-while-runnable(-worst), goroutine-peak and sched-delay-causes read.
///
/// Intervals are the ones of goroutine_intervals (Runnable, open ones up to the trace end; Running of
/// GC workers; Syscall while its P is held), proc_states (Idle) and stw_pauses. Changes arrive in time
/// order except the start of an interval first seen through a status event, which Go's summary puts at
/// the generation's Sync, and stop-the-world pauses, known once they end: changes are therefore
/// buffered and swept one generation at a time, at the next Sync (but not past the start of a pause
/// still open), when no earlier change can come any more.
final class SchedSweep {
    private enum Kind: Int64 {
        case runnableStart = 0, runnableEnd, idleStart, idleEnd
        /// A wait of sched-latency (Runnable after the first run), from the event that made it runnable.
        case delayStart, delayEnd
        /// A Running interval of a goroutine that may be a GC mark worker (decided when swept, by name).
        case workerStart, workerEnd
        /// A Syscall interval while it holds its P.
        case heldStart, heldEnd
        case stwStart, stwEnd
    }
    /// A change, 16 bytes: the time, and the goroutine or P id with the kind in its top four bits.
    private struct Change {
        var t: Int64
        var packed: Int64
        init(t: Int64, id: Int64, kind: Kind) { self.t = t; packed = (kind.rawValue << 59) | (id & ((1 << 59) - 1)) }
        var id: Int64 { packed & ((1 << 59) - 1) }
        var kind: Kind { Kind(rawValue: (packed >> 59) & 15)! }
    }
    /// Changes in stream order, which is time order (event times never decrease) …
    @exclusivity(unchecked) private var inOrder: [Change] = []
    /// … except the starts of intervals first seen through a status event, at the generation's Sync,
    /// and stop-the-world pauses (both changes added when the pause ends).
    @exclusivity(unchecked) private var early: [Change] = []

    /// Whether a goroutine is a GC mark worker, by the name Go's summary gives it (asked when swept).
    @exclusivity(unchecked) var isGCWorker: (Int64) -> Bool = { _ in false }

    // The step functions, after the changes at `segmentStart`.
    @exclusivity(unchecked) private var idle = 0
    @exclusivity(unchecked) private var runnableCount = 0
    @exclusivity(unchecked) private var runnable = IntMap<Int64>()     // goid → start of its Runnable interval
    @exclusivity(unchecked) private var idleProcs = IntMap<Bool>()
    @exclusivity(unchecked) private var segmentStart: Int64?

    // The episode in progress: a maximal stretch of segments with idle Ps and runnable goroutines.
    @exclusivity(unchecked) private var inEpisode = false
    @exclusivity(unchecked) private var epStart: Int64 = 0, epMaxIdle = 0, epMaxRunnable = 0, epWaiting: Int64 = 0
    /// Runnable intervals that ended during the episode: (goid, overlap, interval start).
    @exclusivity(unchecked) private var epEnded: [(Int64, Int64, Int64)] = []

    /// Episodes by length: count and runnable goroutine-time.
    @exclusivity(unchecked) private(set) var episodeLengths: [Int64: (count: Int64, waiting: Int64)] = [:]
    struct Episode { var start: Int64, end: Int64, maxIdle: Int, maxRunnable: Int, waiting: Int64; var who: [(Int64, Int64)] }
    /// The longest episodes (by length, then start), with runnable goroutine-time per goroutine.
    @exclusivity(unchecked) private(set) var longest: [Episode] = []
    static let keep = 1000
    @exclusivity(unchecked) private var keepThreshold: Int64 = 0   // episodes shorter than this cannot enter `longest`

    // sched-delay-causes. The cause at each instant, by priority: 0 stop-the-world, 1 idle P available,
    // 2 all Ps busy: GC workers, 3 all Ps busy: P held in syscall, 4 all Ps busy: goroutines.
    static let causeNames = ["stop-the-world", "idle P available", "all Ps busy: GC workers",
                             "all Ps busy: P held in syscall", "all Ps busy: goroutines"]
    @exclusivity(unchecked) private var stw = 0
    @exclusivity(unchecked) private var workers = IntMap<Bool>(), held = IntMap<Bool>()
    /// Time spent under each cause so far (up to `segmentStart`).
    @exclusivity(unchecked) private var causeNs = [Int64](repeating: 0, count: 5)
    /// Goroutine wait time per cause: each wait adds the cause time between its start and its end.
    @exclusivity(unchecked) private(set) var delayNs = [Int64](repeating: 0, count: 5)
    /// The most goroutines waiting at once under each cause, counting only waits that end before the
    /// trace end. Waits still open may turn out to be open at the end, so the maxima are kept per block:
    /// block i runs from the start of the i-th wait still open to the next one, and a wait that ends
    /// merges its block into the one before. At the end, block i's waiting count is its maximum minus i.
    /// The blocks, flat: block b's cause times at its start `since[5b..<5b+5]`, its maxima
    /// `peak[5b..<5b+5]`, and its neighbours (-1: none).
    @exclusivity(unchecked) private var since: [Int64] = [], peak: [Int32] = [], prev: [Int] = [], next: [Int] = []
    @exclusivity(unchecked) private var freeBlocks: [Int] = []
    @exclusivity(unchecked) private var lastBlock = -1
    @exclusivity(unchecked) private var settledPeak = [Int32](repeating: 0, count: 5)   // before the first wait still open
    @exclusivity(unchecked) private var delays = IntMap<Int>()    // goid → its block
    @exclusivity(unchecked) private var waiting: Int32 = 0
    /// Stop-the-world pauses open: by (name, scope kind, scope id), their start.
    @exclusivity(unchecked) private var openSTW: [STWKey: Int64] = [:]
    struct STWKey: Hashable { var name: String, kind: Int, id: Int64 }

    @exclusivity(unchecked) private(set) var runnableNs: Int64 = 0
    @exclusivity(unchecked) private(set) var peakRunnable = 0
    @exclusivity(unchecked) private(set) var peakRunnableAt: Int64?
    @exclusivity(unchecked) private(set) var created: Int64 = 0
    @exclusivity(unchecked) private var createdPerMs: [Int64: Int64] = [:]
    var maxCreatedPerMs: Int64 { createdPerMs.values.max() ?? 0 }

    // MARK: input (in stream order)

    /// `firstSeen`: the interval starts at the generation's Sync (`t`), before changes already given.
    func runnableStart(_ goid: Int64, at t: Int64, firstSeen: Bool) { add(Change(t: t, id: goid, kind: .runnableStart), firstSeen) }
    func runnableEnd(_ goid: Int64, at t: Int64) { add(Change(t: t, id: goid, kind: .runnableEnd), false) }
    func idleStart(_ proc: Int64, at t: Int64, firstSeen: Bool) { add(Change(t: t, id: proc, kind: .idleStart), firstSeen) }
    func idleEnd(_ proc: Int64, at t: Int64) { add(Change(t: t, id: proc, kind: .idleEnd), false) }
    /// A wait of sched-latency begins (the goroutine became runnable after having run) or ends.
    func delayStart(_ goid: Int64, at t: Int64) { add(Change(t: t, id: goid, kind: .delayStart), false) }
    func delayEnd(_ goid: Int64, at t: Int64) { add(Change(t: t, id: goid, kind: .delayEnd), false) }
    /// A Running interval of a goroutine that is, or may turn out to be, a GC mark worker, begins; a
    /// Running interval ends (only the ones begun here are changes).
    func workerStart(_ goid: Int64, at t: Int64, firstSeen: Bool) {
        maybeWorker.set(goid, true); add(Change(t: t, id: goid, kind: .workerStart), firstSeen)
    }
    func runningEnd(_ goid: Int64, at t: Int64) {
        guard maybeWorker.contains(goid) else { return }
        maybeWorker.remove(goid); add(Change(t: t, id: goid, kind: .workerEnd), false)
    }
    @exclusivity(unchecked) private var maybeWorker = IntMap<Bool>()
    /// A Syscall interval that holds its P begins, or stops holding it (the P was taken, or the syscall ended).
    func heldStart(_ goid: Int64, at t: Int64, firstSeen: Bool) { add(Change(t: t, id: goid, kind: .heldStart), firstSeen) }
    func heldEnd(_ goid: Int64, at t: Int64) { add(Change(t: t, id: goid, kind: .heldEnd), false) }
    /// Stop-the-world ranges, paired as RangeTracker pairs them (stw_pauses): a begin on an open key
    /// replaces it, an end with no begin has no start (not counted), an active range in the first
    /// generation starts at the trace start (`t` is then that start).
    func stwBegin(_ key: STWKey, at t: Int64) { openSTW[key] = t }
    func stwEnd(_ key: STWKey, at t: Int64) {
        guard let a = openSTW.removeValue(forKey: key) else { return }
        early.append(Change(t: a, id: 0, kind: .stwStart)); early.append(Change(t: t, id: 0, kind: .stwEnd))
    }
    @inline(__always) private func add(_ c: Change, _ firstSeen: Bool) { if firstSeen { early.append(c) } else { inOrder.append(c) } }
    /// A goroutine created (NotExist → another state) at `t`.
    func createdGoroutine(at t: Int64) {
        created += 1
        createdPerMs[t / 1_000_000, default: 0] += 1
    }

    /// A Sync at `t`: every change before it is final.
    func sync(at t: Int64) { sweep(before: min(t, openSTW.values.min() ?? .max)) }

    /// The trace ends at `end`: intervals still open end there, at the same instant as the last changes.
    /// Waits of sched-latency still open are left out (sched-latency counts none open at the end).
    func finish(end: Int64) {
        for a in openSTW.values {
            early.append(Change(t: a, id: 0, kind: .stwStart)); early.append(Change(t: end, id: 0, kind: .stwEnd))
        }
        openSTW = [:]
        sweep(before: end)
        // What is open once the changes at `end` have applied closes at `end` too, in the same sweep step.
        var openG = Set(runnable.sortedKeys), openP = Set(idleProcs.sortedKeys)
        var openW = Set(workers.sortedKeys), openH = Set(held.sortedKeys)
        for c in early + inOrder {
            switch c.kind {
            case .runnableStart: openG.insert(c.id)
            case .runnableEnd: openG.remove(c.id)
            case .idleStart: openP.insert(c.id)
            case .idleEnd: openP.remove(c.id)
            case .workerStart: if isGCWorker(c.id) { openW.insert(c.id) }
            case .workerEnd: openW.remove(c.id)
            case .heldStart: openH.insert(c.id)
            case .heldEnd: openH.remove(c.id)
            case .delayStart, .delayEnd, .stwStart, .stwEnd: break
            }
        }
        for g in openG.sorted() { inOrder.append(Change(t: end, id: g, kind: .runnableEnd)) }
        for p in openP.sorted() { inOrder.append(Change(t: end, id: p, kind: .idleEnd)) }
        for g in openW.sorted() { inOrder.append(Change(t: end, id: g, kind: .workerEnd)) }
        for g in openH.sorted() { inOrder.append(Change(t: end, id: g, kind: .heldEnd)) }
        sweep(before: .max)
        // Empty now, but with the capacity of the largest generation's changes: freed before the
        // tables are written (where an ingest's memory peaks).
        inOrder = []; early = []
        // The segment after the last change is not part of the timeline.
        if inEpisode, let s = segmentStart { endEpisode(at: s) }
        // Waits still open at the end: block i (from the i-th of them) held i of them.
        var b = lastBlock, i = Int32(delays.count)
        while b >= 0 {
            for k in 0..<5 { settledPeak[k] = max(settledPeak[k], peak[5 * b + k] - i) }
            b = prev[b]; i -= 1
        }
        since = []; peak = []; prev = []; next = []; delays = IntMap(); lastBlock = -1
        longest.sort { ($0.end - $0.start, -$0.start) > ($1.end - $1.start, -$1.start) }
        if longest.count > Self.keep { longest.removeLast(longest.count - Self.keep) }
    }

    // MARK: the sweep

    /// Applies the changes before `limit` in time order: the two lists merged (at equal times a first-seen
    /// start comes first: nothing of its goroutine or P came before it in the generation).
    private func sweep(before limit: Int64) {
        early.sort { $0.t < $1.t }   // all at one Sync time but for ones left over at an equal time
        var i = 0, j = 0
        func next() -> Change? {
            let a = i < early.count && early[i].t < limit ? early[i] : nil
            let b = j < inOrder.count && inOrder[j].t < limit ? inOrder[j] : nil
            if let a, b == nil || a.t <= b!.t { i += 1; return a }
            if let b { j += 1; return b }
            return nil
        }
        var pendingChange = next()
        while let first = pendingChange {
            let t = first.t
            closeSegment(until: t)
            var sawRunnable = false
            var c: Change? = first
            while let x = c, x.t == t {
                apply(x); sawRunnable = sawRunnable || x.kind == .runnableStart || x.kind == .runnableEnd
                c = next()
            }
            pendingChange = c
            segmentStart = t
            // goroutine-peak: the most goroutines runnable after the changes at one time, the earliest such time.
            if sawRunnable && (runnableCount > peakRunnable || peakRunnableAt == nil) { peakRunnable = runnableCount; peakRunnableAt = t }
        }
        early.removeFirst(i)
        inOrder.removeFirst(j)
    }

    /// The segment from `segmentStart` to `t` held the current values.
    private func closeSegment(until t: Int64) {
        guard let s = segmentStart, t > s else { return }
        let cause = stw > 0 ? 0 : idle > 0 ? 1 : workers.count > 0 ? 2 : held.count > 0 ? 3 : 4
        causeNs[cause] += t - s
        if waiting > 0 {
            if lastBlock >= 0 { peak[5 * lastBlock + cause] = max(peak[5 * lastBlock + cause], waiting) }
            else { settledPeak[cause] = max(settledPeak[cause], waiting) }
        }
        let bad = idle > 0 && runnableCount > 0
        if bad {
            if !inEpisode { inEpisode = true; epStart = s; epMaxIdle = 0; epMaxRunnable = 0; epWaiting = 0; epEnded.removeAll(keepingCapacity: true) }
            epMaxIdle = max(epMaxIdle, idle); epMaxRunnable = max(epMaxRunnable, runnableCount)
            epWaiting += Int64(runnableCount) * (t - s)
        } else if inEpisode {
            endEpisode(at: s)
        }
    }

    private func apply(_ c: Change) {
        switch c.kind {
        case .runnableStart:
            runnable.set(c.id, c.t); runnableCount += 1
        case .runnableEnd:
            guard let slot = runnable.find(c.id) else { return }
            let a = runnable[slot: slot]
            runnable.remove(c.id); runnableCount -= 1
            runnableNs += c.t - a
            // The episode is still open through the segment that ended at c.t.
            if inEpisode { epEnded.append((c.id, c.t - max(a, epStart), a)) }
        case .idleStart:
            idleProcs.set(c.id, true); idle += 1
        case .idleEnd:
            guard idleProcs.contains(c.id) else { return }
            idleProcs.remove(c.id); idle -= 1
        case .delayStart:
            guard !delays.contains(c.id) else { return }
            let i: Int
            if let f = freeBlocks.popLast() {
                i = f
                for k in 0..<5 { since[5 * i + k] = causeNs[k]; peak[5 * i + k] = 0 }
                prev[i] = lastBlock; next[i] = -1
            } else {
                i = prev.count
                since.append(contentsOf: causeNs); peak.append(contentsOf: repeatElement(0, count: 5))
                prev.append(lastBlock); next.append(-1)
            }
            if lastBlock >= 0 { next[lastBlock] = i }
            lastBlock = i
            delays.set(c.id, i); waiting += 1
        case .delayEnd:
            guard let slot = delays.find(c.id) else { return }
            let i = delays[slot: slot]
            delays.remove(c.id); waiting -= 1
            for k in 0..<5 { delayNs[k] += causeNs[k] - since[5 * i + k] }
            // Its block merges into the one before (or the settled part).
            let p = prev[i], n = next[i]
            if p >= 0 {
                for k in 0..<5 { peak[5 * p + k] = max(peak[5 * p + k], peak[5 * i + k]) }
                next[p] = n
            } else {
                for k in 0..<5 { settledPeak[k] = max(settledPeak[k], peak[5 * i + k]) }
            }
            if n >= 0 { prev[n] = p } else { lastBlock = p }
            freeBlocks.append(i)
        case .workerStart:
            if isGCWorker(c.id) { workers.set(c.id, true) }
        case .workerEnd:
            workers.remove(c.id)
        case .heldStart:
            held.set(c.id, true)
        case .heldEnd:
            held.remove(c.id)
        case .stwStart:
            stw += 1
        case .stwEnd:
            stw -= 1
        }
    }

    /// sched-delay-causes' rows: (cause, goroutine wait time, most goroutines waiting at once), for the
    /// causes with any wait.
    var delayCauses: [(cause: String, waitNs: Int64, maxWaiting: Int64)] {
        (0..<5).compactMap { k in
            delayNs[k] > 0 || settledPeak[k] > 0 ? (Self.causeNames[k], delayNs[k], Int64(settledPeak[k])) : nil
        }
    }

    private func endEpisode(at z: Int64) {
        inEpisode = false
        let d = z - epStart
        var e = episodeLengths[d] ?? (0, 0)
        e.count += 1; e.waiting += epWaiting
        episodeLengths[d] = e
        guard d >= keepThreshold else { return }
        // Runnable goroutine-time inside [epStart, z] per goroutine, as the saved query's overlap join:
        // intervals that started before z and ended after epStart.
        var who: [Int64: Int64] = [:]
        for (g, ns, a) in epEnded where a < z { who[g, default: 0] += ns }
        for g in runnable.sortedKeys { let a = runnable[g]!; if a < z { who[g, default: 0] += z - max(a, epStart) } }
        longest.append(Episode(start: epStart, end: z, maxIdle: epMaxIdle, maxRunnable: epMaxRunnable, waiting: epWaiting,
                               who: who.map { ($0.key, $0.value) }))
        if longest.count >= 2 * Self.keep {
            longest.sort { ($0.end - $0.start, -$0.start) > ($1.end - $1.start, -$1.start) }
            longest.removeLast(longest.count - Self.keep)
            keepThreshold = longest[Self.keep - 1].end - longest[Self.keep - 1].start
        }
    }
}
