import GoTrace

/// How the timeline's time was spent: bucket by bucket (`timeline_buckets`, for the saved queries over
/// time) and P by P (the goroutine, GC-worker and mark-assist columns of `procs`, for proc-utilization).
///
/// Fed every goroutine and P state interval as it closes (StateTracker) and the mark-assist ranges as
/// their events stream by (TraceLoad). Buckets have a fixed width, a power of ten ns: it starts at 1 ns
/// and grows tenfold (adding up ten buckets into one, exactly) whenever the trace outgrows
/// `maxBuckets`, so at the end the trace spans 1,000–10,000 of them and every bucket width a query
/// picks by default (1, 2 or 5 × 10^k ns, at most 100 buckets) is a whole number of them.
final class TimelineBuilder {
    /// The columns of `timeline_buckets`: time per bucket spent by goroutines in a state (intervals of
    /// goroutine_intervals), by GC mark workers running, and by Ps running or idle (proc_states).
    enum Series: Int, CaseIterable {
        case runnable, running, waiting, syscall, gcWorker, procRunning, procIdle
    }
    static let maxBuckets: Int64 = 10_000

    @exclusivity(unchecked) private(set) var width: Int64 = 1

    /// Whether a goroutine is named runtime.gcBgMarkWorker (known for sure only at the end).
    @exclusivity(unchecked) var isGCWorker: (Int64) -> Bool = { _ in false }
    @exclusivity(unchecked) var mayBeGCWorker: (Int64) -> Bool = { _ in false }
    /// Running intervals of goroutines that are, or may turn out to be, GC mark workers: decided at the end.
    @exclusivity(unchecked) private var workerCandidates: [(goid: Int64, start: Int64, end: Int64, proc: Int64)] = []

    /// Per P: goroutine time running on it (Running intervals whose opening event was on the P) and
    /// mark-assist time overlapping those intervals.
    /// (goroutineNs grows at every running slice: an IntMap, not a hashed dictionary.)
    @exclusivity(unchecked) private(set) var goroutineNs = IntMap<Int64>()
    @exclusivity(unchecked) private(set) var gcWorkerNs: [Int64: Int64] = [:]
    @exclusivity(unchecked) private(set) var assistNs: [Int64: Int64] = [:]

    /// A 'GC mark assist' range open on a goroutine: since when, and its overlap so far with the
    /// goroutine's running time, per P (committed when the range ends; dropped if a new begin replaces it).
    private struct OpenAssist { var start: Int64; var overlap: [(proc: Int64, ns: Int64)] = [] }
    @exclusivity(unchecked) private var assists = IntMap<OpenAssist>()
    /// Goroutines whose Running interval closed while the trace was in its first generation: a range
    /// active since the trace start (RangeActive) may overlap those intervals, which the stream has
    /// already passed.
    @exclusivity(unchecked) private var ranInFirstGeneration = Set<Int64>()
    @exclusivity(unchecked) var inFirstGeneration = true
    /// Assist ranges whose overlap the stream cannot give (started before the trace, or active since its
    /// start on a goroutine that had already run): (goroutine, start (nil: unknown, counted from 0), end).
    /// Computed in SQL from goroutine_states once everything is written; real traces have none.
    @exclusivity(unchecked) private(set) var assistsForSQL: [(goid: Int64, start: Int64?, end: Int64)] = []
    @exclusivity(unchecked) private var inexact = Set<Int64>()

    // MARK: intervals

    /// A goroutine state interval [start, end) closed (or cut at the trace end); `proc` is the P of its
    /// opening event (-1: none).
    func goroutine(_ goid: Int64, state: GoState, start: Int64, end: Int64, proc: Int64) {
        switch state {
        case .runnable: add(.runnable, start, end)
        case .running:
            add(.running, start, end)
            if mayBeGCWorker(goid) { workerCandidates.append((goid, start, end, proc)) }
            if proc >= 0 {
                if let slot = goroutineNs.find(proc) { goroutineNs[slot: slot] += end - start } else { goroutineNs.set(proc, end - start) }
                if let slot = assists.find(goid) {
                    let o = end - max(start, assists[slot: slot].start)
                    if o > 0 { Self.addOverlap(&assists[slot: slot].overlap, proc, o) }
                }
            }
            if inFirstGeneration { ranInFirstGeneration.insert(goid) }
        case .waiting: add(.waiting, start, end)
        case .syscall: add(.syscall, start, end)
        default: break
        }
    }

    /// A P state interval [start, end) of proc_states.
    func proc(state: ProcState, start: Int64, end: Int64) {
        switch state {
        case .running: add(.procRunning, start, end)
        case .idle: add(.procIdle, start, end)
        default: break
        }
    }

    // MARK: mark assists (paired as RangeTracker pairs ranges: ranges.tsv)

    /// A RangeBegin of 'GC mark assist' on goroutine `goid` (replaces an open one).
    func assistBegin(_ goid: Int64, at t: Int64) {
        assists.set(goid, OpenAssist(start: t))
        inexact.remove(goid)
    }
    /// A RangeActive in the first generation: active since the trace start.
    func assistActive(_ goid: Int64) {
        assists.set(goid, OpenAssist(start: 0))
        if ranInFirstGeneration.contains(goid) { inexact.insert(goid) } else { inexact.remove(goid) }
    }
    /// A RangeEnd at `t`; `running` is the goroutine's open Running interval (start, P), if it is running.
    func assistEnd(_ goid: Int64, at t: Int64, running: (start: Int64, proc: Int64)?) {
        guard let slot = assists.find(goid) else {
            assistsForSQL.append((goid, nil, t)); return   // no begin: the start is unknown
        }
        var open = assists[slot: slot]
        assists.remove(goid)
        if inexact.contains(goid) { inexact.remove(goid); assistsForSQL.append((goid, open.start, t)); return }
        if let r = running, r.proc >= 0 {
            let o = t - max(r.start, open.start)
            if o > 0 { Self.addOverlap(&open.overlap, r.proc, o) }
        }
        for (p, ns) in open.overlap { assistNs[p, default: 0] += ns }
    }

    private static func addOverlap(_ list: inout [(proc: Int64, ns: Int64)], _ p: Int64, _ ns: Int64) {
        if let i = list.firstIndex(where: { $0.proc == p }) { list[i].ns += ns } else { list.append((p, ns)) }
    }

    // MARK: buckets

    private static let n = Series.allCases.count
    /// Bucket k of series i is at k × n + i. Per bucket: time from the intervals that start or end in it
    /// (`partial`), and a difference array of how many intervals cover it whole (Σ cover[0...k]).
    @exclusivity(unchecked) private var partial: [Int64] = []
    @exclusivity(unchecked) private var cover: [Int32] = []
    private var bucketCount: Int { partial.count / Self.n }

    @inline(__always) private func add(_ s: Series, _ start: Int64, _ end: Int64) {
        // Go's reader never lets time go backwards, so no interval starts before the trace (time 0).
        let a = max(start, 0)
        guard end > a else { return }
        while end / width >= Self.maxBuckets { coarsen() }
        let ba = Int(a / width), bz = Int(end / width), i = s.rawValue
        if bz >= bucketCount { grow(to: bz) }
        partial.withUnsafeMutableBufferPointer { p in
            if ba == bz {
                p[ba * Self.n + i] += end - a
            } else {
                p[ba * Self.n + i] += Int64(ba + 1) * width - a
                p[bz * Self.n + i] += end - Int64(bz) * width
            }
        }
        if bz > ba + 1 {
            cover.withUnsafeMutableBufferPointer { c in c[(ba + 1) * Self.n + i] += 1; c[bz * Self.n + i] -= 1 }
        }
    }

    private func grow(to b: Int) {
        let count = max(b + 1, bucketCount * 2, 64)
        partial.append(contentsOf: repeatElement(0, count: count * Self.n - partial.count))
        cover.append(contentsOf: repeatElement(0, count: count * Self.n - cover.count))
    }

    /// Time per bucket and series (k × n + i), whole buckets added in.
    private func values() -> [Int64] {
        var out = partial
        var run = [Int64](repeating: 0, count: Self.n)
        for k in 0..<bucketCount {
            for i in 0..<Self.n { run[i] += Int64(cover[k * Self.n + i]); out[k * Self.n + i] += run[i] * width }
        }
        return out
    }

    /// Ten buckets into one.
    private func coarsen() {
        let v = values()
        var p = [Int64](repeating: 0, count: (bucketCount + 9) / 10 * Self.n)
        for k in 0..<bucketCount { for i in 0..<Self.n { p[k / 10 * Self.n + i] += v[k * Self.n + i] } }
        partial = p
        cover = [Int32](repeating: 0, count: p.count)
        width *= 10
    }

    // MARK: end

    /// Decides which candidates were GC mark workers and closes the assists still open at the trace
    /// end (`end`; RangeTracker closes them at the last event). Call after the last interval.
    func finish(end: Int64) {
        for c in workerCandidates where isGCWorker(c.goid) {
            add(.gcWorker, c.start, c.end)
            if c.proc >= 0 { gcWorkerNs[c.proc, default: 0] += c.end - c.start }
        }
        workerCandidates = []
        for g in assists.sortedKeys { assistEnd(g, at: end, running: nil) }
    }

    /// The buckets with any time in them: (index, time per series in Series order).
    func buckets() -> [(index: Int, ns: ArraySlice<Int64>)] {
        let v = values()
        return (0..<bucketCount).compactMap { k in
            let row = v[k * Self.n ..< (k + 1) * Self.n]
            return row.contains(where: { $0 != 0 }) ? (k, row) : nil
        }
    }
}
