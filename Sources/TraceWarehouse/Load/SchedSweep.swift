import GoTrace

/// The scheduler's step functions over the whole timeline, swept once at ingest: how many goroutines
/// are runnable and how many Ps idle at every instant. It yields the stretches with idle Ps while
/// goroutines wait (`idle_p_episode_lengths`, `idle_p_episodes_longest`) and the peaks and totals of
/// `sched_summary` (Schema/001_schema.sql), which the saved queries idle-ps-while-runnable(-worst) and
/// goroutine-peak read.
///
/// Intervals are the ones of goroutine_intervals (Runnable, open ones up to the trace end) and
/// proc_states (Idle). Changes arrive in time order except the start of an interval first seen through
/// a status event, which Go's summary puts at the generation's Sync: changes are therefore buffered and
/// swept one generation at a time, at the next Sync, when no earlier change can come any more.
final class SchedSweep {
    private enum Kind: Int64 { case runnableStart = 0, runnableEnd, idleStart, idleEnd }
    /// A change, 16 bytes: the time, and the goroutine or P id with the kind in its top two bits.
    private struct Change {
        var t: Int64
        var packed: Int64
        init(t: Int64, id: Int64, kind: Kind) { self.t = t; packed = (kind.rawValue << 62) | (id & ((1 << 62) - 1)) }
        var id: Int64 { packed & ((1 << 62) - 1) }
        var kind: Kind { Kind(rawValue: (packed >> 62) & 3)! }
    }
    /// Changes in stream order, which is time order (event times never decrease) …
    private var inOrder: [Change] = []
    /// … except the starts of intervals first seen through a status event, at the generation's Sync.
    private var early: [Change] = []

    // The step functions, after the changes at `segmentStart`.
    private var idle = 0
    private var runnableCount = 0
    private var runnable = IntMap<Int64>()     // goid → start of its Runnable interval
    private var idleProcs = IntMap<Bool>()
    private var segmentStart: Int64?

    // The episode in progress: a maximal stretch of segments with idle Ps and runnable goroutines.
    private var inEpisode = false
    private var epStart: Int64 = 0, epMaxIdle = 0, epMaxRunnable = 0, epWaiting: Int64 = 0
    /// Runnable intervals that ended during the episode: (goid, overlap, interval start).
    private var epEnded: [(Int64, Int64, Int64)] = []

    /// Episodes by length: count and runnable goroutine-time.
    private(set) var episodeLengths: [Int64: (count: Int64, waiting: Int64)] = [:]
    struct Episode { var start: Int64, end: Int64, maxIdle: Int, maxRunnable: Int, waiting: Int64; var who: [(Int64, Int64)] }
    /// The longest episodes (by length, then start), with runnable goroutine-time per goroutine.
    private(set) var longest: [Episode] = []
    static let keep = 1000
    private var keepThreshold: Int64 = 0   // episodes shorter than this cannot enter `longest`

    private(set) var runnableNs: Int64 = 0
    private(set) var peakRunnable = 0
    private(set) var peakRunnableAt: Int64?
    private(set) var created: Int64 = 0
    private var createdPerMs: [Int64: Int64] = [:]
    var maxCreatedPerMs: Int64 { createdPerMs.values.max() ?? 0 }

    // MARK: input (in stream order)

    /// `firstSeen`: the interval starts at the generation's Sync (`t`), before changes already given.
    func runnableStart(_ goid: Int64, at t: Int64, firstSeen: Bool) { add(Change(t: t, id: goid, kind: .runnableStart), firstSeen) }
    func runnableEnd(_ goid: Int64, at t: Int64) { add(Change(t: t, id: goid, kind: .runnableEnd), false) }
    func idleStart(_ proc: Int64, at t: Int64, firstSeen: Bool) { add(Change(t: t, id: proc, kind: .idleStart), firstSeen) }
    func idleEnd(_ proc: Int64, at t: Int64) { add(Change(t: t, id: proc, kind: .idleEnd), false) }
    @inline(__always) private func add(_ c: Change, _ firstSeen: Bool) { if firstSeen { early.append(c) } else { inOrder.append(c) } }
    /// A goroutine created (NotExist → another state) at `t`.
    func createdGoroutine(at t: Int64) {
        created += 1
        createdPerMs[t / 1_000_000, default: 0] += 1
    }

    /// A Sync at `t`: every change before it is final.
    func sync(at t: Int64) { sweep(before: t) }

    /// The trace ends at `end`: intervals still open end there, at the same instant as the last changes.
    func finish(end: Int64) {
        sweep(before: end)
        // What is open once the changes at `end` have applied closes at `end` too, in the same sweep step.
        var openG = Set(runnable.sortedKeys), openP = Set(idleProcs.sortedKeys)
        for c in early + inOrder {
            switch c.kind {
            case .runnableStart: openG.insert(c.id)
            case .runnableEnd: openG.remove(c.id)
            case .idleStart: openP.insert(c.id)
            case .idleEnd: openP.remove(c.id)
            }
        }
        for g in openG.sorted() { inOrder.append(Change(t: end, id: g, kind: .runnableEnd)) }
        for p in openP.sorted() { inOrder.append(Change(t: end, id: p, kind: .idleEnd)) }
        sweep(before: .max)
        // The segment after the last change is not part of the timeline.
        if inEpisode, let s = segmentStart { endEpisode(at: s) }
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
