// A port of Go 1.27's internal/trace/gc.go MMU computation (`MMUCurve`, `MMU`, `Examples`, `MUD`)
// and mud.go.

/// A window of the windowed mutator utilization function (Go's `trace.UtilWindow`).
public struct UtilWindow: Sendable, Equatable {
    /// The start of the window.
    public var time: Int64
    /// The mean mutator utilization in the window.
    public var mutatorUtil: Double
    public init(time: Int64, mutatorUtil: Double) { self.time = time; self.mutatorUtil = mutatorUtil }
}

/// The minimum mutator utilization curve of one or more utilization functions (Go's
/// `trace.MMUCurve`): for a window size, the lowest mean utilization over any window of that size.
///
/// The computation, including its band-based pruning and the order in which candidate windows are
/// examined, is Go's, so ``mmu(window:)`` and ``examples(window:count:)`` return exactly Go's values.
/// A window longer than a function is clipped to that function's duration, as in Go.
public struct MMUCurve: Sendable {
    private var series: [MMUSeries]

    /// Prepares the curve for the given utilization functions (from ``MutatorUtilization/finalize()``).
    /// Empty functions are ignored.
    public init(_ utils: [[MutatorUtil]]) {
        series = utils.filter { !$0.isEmpty }.map { MMUSeries($0, bandsPerSeries: 1000) }
    }

    /// The minimum mutator utilization over all windows of `window` nanoseconds, in [0, 1]
    /// (Go's `MMU`). 0 for a window ≤ 0; 1 when there is no utilization function.
    public func mmu(window: Int64) -> Double {
        var acc = MMUAccumulator(mmu: 1, bound: 1)
        compute(window: window, &acc)
        return acc.mmu
    }

    /// Up to `count` disjoint windows with the lowest mean utilization, lowest first (Go's
    /// `Examples`; which set of disjoint windows is returned follows Go's search order).
    public func examples(window: Int64, count: Int) -> [UtilWindow] {
        var acc = MMUAccumulator(mmu: 1, bound: 1, nWorst: count)
        compute(window: window, &acc)
        // Lowest utilization first, then earliest.
        return acc.wHeap.items.sorted { a, b in
            a.mutatorUtil != b.mutatorUtil ? a.mutatorUtil < b.mutatorUtil : a.time < b.time
        }
    }

    /// Quantiles of the mutator utilization distribution over all windows of `window` nanoseconds
    /// (Go's `MUD`); quantile 0 is the MMU.
    public func mud(window: Int64, quantiles: [Double]) -> [Double] {
        if quantiles.isEmpty { return [] }
        // Refine bands until the highest quantile is known precisely.
        let maxQ = quantiles.max()!
        var duration: Int64 = 0
        for s in series {
            let d = s.util[s.util.count - 1].time - s.util[0].time
            if d >= window { duration += d - window }
        }
        let qMass = Double(duration) * maxQ
        var acc = MMUAccumulator(mmu: 1, bound: 1, preciseMass: qMass, mud: MMUDistribution())
        acc.mud!.setTrackMass(qMass)
        compute(window: window, &acc)
        return quantiles.map { q in
            let (mu, _) = acc.mud!.invCumulativeSum(Double(duration) * q)
            // NaN when the window is the whole trace or there is no mass: the quantiles have all
            // converged to the MMU.
            return mu.isNaN ? acc.mmu : mu
        }
    }

    private func compute(window: Int64, _ acc: inout MMUAccumulator) {
        if window <= 0 {
            acc.mmu = 0
            return
        }
        var candidates: [MMUBandUtil] = []
        var windows = [Int64](repeating: window, count: series.count)
        for (i, s) in series.enumerated() {
            let max = s.util[s.util.count - 1].time - s.util[0].time
            if window > max { windows[i] = max }
            // Go would fail on a function of zero duration; no window fits in it.
            if windows[i] <= 0 { continue }
            candidates.append(contentsOf: s.bandUtils(series: i, window: windows[i]))
        }
        // Refine bands from the lowest utilization bound up, until refining the next band can no
        // longer change the result.
        var heap = MMUHeap(candidates) { $0.utilBound < $1.utilBound }
        heap.initialize()
        while let top = heap.items.first, top.utilBound < acc.bound {
            series[top.series].bandMMU(top.band, window: windows[top.series], &acc)
            _ = heap.pop()
        }
    }
}

// MARK: - Series and bands

/// The lowest possible mean utilization of windows starting in a band.
private struct MMUBandUtil {
    var series: Int
    var band: Int
    var utilBound: Double
}

private struct MMUBand {
    /// The minimum instantaneous utilization in the band.
    var minUtil: Double
    /// The total utilization from the start to the band's left edge.
    var cumUtil: Double
    /// The integrator position at the band's left edge.
    var integrator: MMUIntegrator
}

private struct MMUSeries: Sendable {
    let util: [MutatorUtil]
    /// sums[j] is the total utilization (util × ns) of util[..<j].
    let sums: [Double]
    private(set) var bands: [MMUBand] = []
    let bandDur: Int64

    init(_ util: [MutatorUtil], bandsPerSeries: Int) {
        self.util = util
        var sums = [Double](repeating: 0, count: util.count)
        var prev = MutatorUtil(time: 0, util: 0)
        var sum = 0.0
        for (j, u) in util.enumerated() {
            sum += prev.util * Double(u.time &- prev.time)
            sums[j] = sum
            prev = u
        }
        self.sums = sums

        // Summarize the function in equal, non-overlapping bands (no more than there are points).
        let numBands = Swift.min(bandsPerSeries, util.count)
        let dur = util[util.count - 1].time - util[0].time
        bandDur = Swift.max(1, (dur + Int64(numBands) - 1) / Int64(numBands))
        // numBands + 1 bands, the last one recording the final cumulative sum.
        var bands: [MMUBand] = []
        bands.reserveCapacity(numBands + 1)
        var leftSum = MMUIntegrator()
        for i in 0...numBands {
            let (startTime, endTime) = bandTime(i)
            let cumUtil = leftSum.advance(startTime, self)
            var minUtil = 1.0
            var k = leftSum.pos
            while k < util.count && util[k].time < endTime {
                minUtil = Swift.min(minUtil, util[k].util)
                k += 1
            }
            bands.append(MMUBand(minUtil: minUtil, cumUtil: cumUtil, integrator: leftSum))
        }
        self.bands = bands
    }

    func bandTime(_ i: Int) -> (start: Int64, end: Int64) {
        let start = Int64(i) * bandDur + util[0].time
        return (start, start + bandDur)
    }

    /// For each band, the worst possible mean utilization of the windows starting in it.
    func bandUtils(series: Int, window: Int64) -> [MMUBandUtil] {
        // The fewest and the most bands a window can span.
        let minBands = Int((window + bandDur - 1) / bandDur)
        let maxBands = Int((window + 2 * (bandDur - 1)) / bandDur)
        precondition(!(window > 1 && maxBands < 2), "maxBands < 2")
        let tailDur = window % bandDur
        let nUtil = Swift.max(0, bands.count - maxBands + 1)
        var out: [MMUBandUtil] = []
        out.reserveCapacity(nUtil)
        for i in 0..<nUtil {
            // Assume the minimum for bands only partly covered, the mean for bands fully covered.
            var util = 0.0
            let l = bands[i].minUtil
            let r1 = bands[i + minBands - 1].minUtil
            let r2 = bands[i + maxBands - 1].minUtil
            let minBand = Swift.min(l, Swift.min(r1, r2))
            // The worst window overlaps the worst minimum as much as possible, then the second worst.
            if minBands == 1 {
                util += minBand * Double(window)
            } else {
                util += minBand * Double(bandDur)
                var midBand = 0.0
                if minBand == l {
                    midBand = Swift.min(r1, r2)
                } else if minBand == r1 {
                    midBand = Swift.min(l, r2)
                } else if minBand == r2 {
                    midBand = Swift.min(l, r1)
                }
                util += midBand * Double(tailDur)
            }
            if minBands > 2 {
                util += bands[i + minBands - 1].cumUtil - bands[i + 1].cumUtil
            }
            out.append(MMUBandUtil(series: series, band: i, utilBound: util / Double(window)))
        }
        return out
    }

    /// The precise minimum utilization of the windows whose left edge is in band `bandIdx`.
    ///
    /// The windowed utilization is piecewise linear, with its minima where an edge of the window
    /// meets a change of the instantaneous utilization, so only those points are evaluated.
    func bandMMU(_ bandIdx: Int, window: Int64, _ acc: inout MMUAccumulator) {
        var left = bands[bandIdx].integrator
        var right = left
        var (time, endTime) = bandTime(bandIdx)
        let utilEnd = util[util.count - 1].time - window
        if utilEnd < endTime { endTime = utilEnd }
        acc.resetTime()
        while true {
            let mu = (right.advance(time + window, self) - left.advance(time, self)) / Double(window)
            if acc.addMU(time: time, mu: mu, window: window) { break }
            if time == endTime { break }
            // The windowed function's slope is at most 1/window: skip what can't go below the bound.
            let minTime = time + Int64((mu - acc.bound) * Double(window))
            // Advance to the next change under either edge of the window.
            let t1 = left.next(time, self)
            let t2 = right.next(time + window, self) &- window
            time = t1 < t2 ? t1 : t2
            if time < minTime { time = minTime }
            if time >= endTime { time = endTime }
        }
    }
}

/// A position in a utilization function, integrating it (Go's `integrator`).
private struct MMUIntegrator: Sendable {
    /// The index of the current time's non-strict predecessor.
    var pos = 0

    /// The integral of the function from its start to `time`; `time` must not decrease.
    mutating func advance(_ time: Int64, _ s: MMUSeries) -> Double {
        let util = s.util
        var pos = self.pos
        let maxSeq = 8
        if pos + maxSeq < util.count && util[pos + maxSeq].time > time {
            // Nearby: linear scan.
            while pos + 1 < util.count && util[pos + 1].time <= time { pos += 1 }
        } else {
            // Far: binary search for the strict successor.
            var l = pos, r = util.count
            while l < r {
                let h = Int(UInt(l + r) >> 1)
                if util[h].time <= time { l = h + 1 } else { r = h }
            }
            pos = l - 1
        }
        self.pos = pos
        var partial = 0.0
        if time != util[pos].time {
            partial = util[pos].util * Double(time - util[pos].time)
        }
        return s.sums[pos] + partial
    }

    /// The first time after `time` at which the function changes.
    func next(_ time: Int64, _ s: MMUSeries) -> Int64 {
        var i = pos
        while i < s.util.count {
            if s.util[i].time > time { return s.util[i].time }
            i += 1
        }
        return Int64.max
    }
}

// MARK: - Accumulator

/// Tracks the MMU, the worst windows and the utilization distribution (Go's `accumulator`).
private struct MMUAccumulator {
    var mmu: Double
    /// Utilization above this bound cannot change the result.
    var bound: Double
    /// Worst-window tracking.
    var nWorst = 0
    var wHeap = MMUHeap<UtilWindow>([]) { a, b in
        a.mutatorUtil != b.mutatorUtil ? a.mutatorUtil > b.mutatorUtil : a.time > b.time
    }
    /// The mass of the distribution that must be precise before stopping.
    var preciseMass = 0.0
    var mud: MMUDistribution?
    var lastTime: Int64 = .max
    var lastMU = 0.0

    init(mmu: Double, bound: Double, nWorst: Int = 0, preciseMass: Double = 0, mud: MMUDistribution? = nil) {
        self.mmu = mmu; self.bound = bound; self.nWorst = nWorst; self.preciseMass = preciseMass; self.mud = mud
    }

    /// Declares a discontinuity of the windowed function (matters for the distribution only).
    mutating func resetTime() { lastTime = .max }

    /// Adds the point (time, mu) of the windowed function; returns true when further points are
    /// pointless.
    mutating func addMU(time: Int64, mu: Double, window: Int64) -> Bool {
        if mu < mmu { mmu = mu }
        bound = mmu

        if nWorst == 0 {
            // Once the minimum is 0 it can't go lower.
            return mu == 0
        }

        // Consider this window for the n worst, keeping the worse of overlapping windows.
        if wHeap.items.count < nWorst || mu < wHeap.items[0].mutatorUtil {
            var keep = false
            for (i, ui) in wHeap.items.enumerated() {
                if time + window > ui.time && ui.time + window > time {
                    if ui.mutatorUtil <= mu {
                        keep = true // Keep the first window.
                    } else {
                        _ = wHeap.remove(at: i) // Replace it with this window.
                    }
                    break
                }
            }
            if !keep {
                wHeap.push(UtilWindow(time: time, mutatorUtil: mu))
                if wHeap.items.count > nWorst { _ = wHeap.pop() }
            }
        }

        if wHeap.items.count < nWorst {
            bound = 1.0 // Not n windows yet.
        } else {
            // Anything above the least worst window has no effect.
            bound = Swift.max(bound, wHeap.items[0].mutatorUtil)
        }

        if mud != nil {
            if lastTime != .max {
                mud!.add(lastMU, mu, Double(time - lastTime))
            }
            lastTime = time
            lastMU = mu
            if let (_, mudBound) = mud!.approxInvCumulativeSum() {
                bound = Swift.max(bound, mudBound)
            } else {
                bound = 1 // Not enough precise mass yet.
            }
            // Not worth checking percentiles every time.
            return false
        }

        // Enough zero windows: nothing can be worse.
        return wHeap.items.count == nWorst && wHeap.items[0].mutatorUtil == 0
    }
}

// MARK: - Go's container/heap, operation for operation

/// A binary heap that performs exactly the swaps of Go's container/heap, so ties resolve as in Go.
struct MMUHeap<T> {
    var items: [T]
    let less: (T, T) -> Bool

    init(_ items: [T], less: @escaping (T, T) -> Bool) {
        self.items = items
        self.less = less
    }

    mutating func initialize() {
        let n = items.count
        var i = n / 2 - 1
        while i >= 0 {
            _ = down(i, n)
            i -= 1
        }
    }

    mutating func push(_ x: T) {
        items.append(x)
        up(items.count - 1)
    }

    mutating func pop() -> T {
        let n = items.count - 1
        items.swapAt(0, n)
        _ = down(0, n)
        return items.removeLast()
    }

    mutating func remove(at i: Int) -> T {
        let n = items.count - 1
        if n != i {
            items.swapAt(i, n)
            if !down(i, n) { up(i) }
        }
        return items.removeLast()
    }

    private mutating func up(_ j0: Int) {
        var j = j0
        while true {
            let i = (j - 1) / 2 // parent
            if i == j || !less(items[j], items[i]) { break }
            items.swapAt(i, j)
            j = i
        }
    }

    private mutating func down(_ i0: Int, _ n: Int) -> Bool {
        var i = i0
        while true {
            let j1 = 2 * i + 1
            if j1 >= n || j1 < 0 { break }
            var j = j1
            let j2 = j1 + 1
            if j2 < n && less(items[j2], items[j1]) { j = j2 }
            if !less(items[j], items[i]) { break }
            items.swapAt(i, j)
            i = j
        }
        return i > i0
    }
}

// MARK: - Mutator utilization distribution (mud.go)

/// An updatable, unnormalized distribution of duration over mutator utilization: a sum of scaled
/// uniform distributions and Dirac deltas, plus a histogram to track one inverse cumulative sum.
private struct MMUDistribution {
    static let degree = 1024

    private struct Edge {
        /// At x the density increases by delta, plus a Dirac delta of area dirac.
        var x: Double
        var delta: Double
        var dirac: Double
    }

    private var sorted: [Edge] = []
    private var unsorted: [Edge] = []
    private var trackMass = 0.0
    private var trackBucket = 0
    private var trackSum = 0.0
    private var hist = [Double](repeating: 0, count: MMUDistribution.degree)

    /// Adds a uniform distribution over [l, r] with total weight `area` (a Dirac delta if l == r).
    mutating func add(_ l0: Double, _ r0: Double, _ area: Double) {
        if area == 0 { return }
        var l = l0, r = r0
        if r < l { swap(&l, &r) }

        if l == r {
            unsorted.append(Edge(x: l, delta: 0, dirac: area))
        } else {
            let delta = area / (r - l)
            unsorted.append(Edge(x: l, delta: delta, dirac: 0))
            unsorted.append(Edge(x: r, delta: -delta, dirac: 0))
        }

        // Update the histogram.
        let degree = Double(MMUDistribution.degree)
        var (lb, lf) = MMUDistribution.modf(l * degree)
        if lb >= MMUDistribution.degree { (lb, lf) = (MMUDistribution.degree - 1, 1) }
        if l == r {
            hist[lb] += area
        } else {
            var (rb, rf) = MMUDistribution.modf(r * degree)
            if rb >= MMUDistribution.degree { (rb, rf) = (MMUDistribution.degree - 1, 1) }
            if lb == rb {
                hist[lb] += area
            } else {
                let perBucket = area / (r - l) / degree
                hist[lb] += perBucket * (1 - lf)
                hist[rb] += perBucket * rf
                var i = lb + 1
                while i < rb {
                    hist[i] += perBucket
                    i += 1
                }
            }
        }

        // Update mass tracking.
        let thresh = Double(trackBucket) / degree
        if l < thresh {
            if r < thresh {
                trackSum += area
            } else {
                trackSum += area * (thresh - l) / (r - l)
            }
            if trackSum >= trackMass {
                // The tracked mass moved to another bucket.
                setTrackMass(trackMass)
            }
        }
    }

    /// Go's math.Modf for the non-negative values used here: integer and fractional parts.
    private static func modf(_ x: Double) -> (Int, Double) {
        let ip = x.rounded(.towardZero)
        return (Int(ip), x - ip)
    }

    /// Sets the cumulative duration whose utilization bound ``approxInvCumulativeSum()`` reports.
    mutating func setTrackMass(_ mass: Double) {
        trackMass = mass
        var sum = 0.0
        for (i, val) in hist.enumerated() {
            let newSum = sum + val
            if newSum > mass {
                trackBucket = i
                trackSum = sum
                return
            }
            sum = newSum
        }
        trackBucket = hist.count
        trackSum = sum
    }

    /// Lower and upper bounds of the inverse cumulative sum of the tracked mass; nil when the
    /// distribution holds less mass than that.
    func approxInvCumulativeSum() -> (Double, Double)? {
        if trackBucket == hist.count { return nil }
        return (Double(trackBucket) / Double(MMUDistribution.degree), Double(trackBucket + 1) / Double(MMUDistribution.degree))
    }

    /// The utilization x such that at least `y` time was spent at utilization ≤ x; (max, false)
    /// when the distribution's total is less than y, (NaN, false) when it is empty.
    mutating func invCumulativeSum(_ y: Double) -> (Double, Bool) {
        if sorted.isEmpty && unsorted.isEmpty { return (.nan, false) }
        // Sort the new edges and merge them into the sorted ones.
        let edges = unsorted.sorted { $0.x < $1.x }
        unsorted = []
        if sorted.isEmpty {
            sorted = edges
        } else {
            var merged: [Edge] = []
            merged.reserveCapacity(sorted.count + edges.count)
            var i = 0, j = 0
            while i < sorted.count || j < edges.count {
                if i >= sorted.count {
                    merged.append(contentsOf: edges[j...]); break
                } else if j >= edges.count {
                    merged.append(contentsOf: sorted[i...]); break
                } else if sorted[i].x < edges[j].x {
                    merged.append(sorted[i]); i += 1
                } else {
                    merged.append(edges[j]); j += 1
                }
            }
            sorted = merged
        }

        // Walk the edges accumulating the cumulative sum.
        var csum = 0.0, rate = 0.0, prevX = 0.0
        for e in sorted {
            var newCsum = csum + (e.x - prevX) * rate
            if newCsum >= y {
                // y was exceeded between the previous edge and this one.
                if rate == 0 { return (e.x, true) }
                return ((y - csum) / rate + prevX, true)
            }
            newCsum += e.dirac
            if newCsum >= y {
                return (e.x, true) // Exceeded by the Dirac delta at e.x.
            }
            csum = newCsum
            prevX = e.x
            rate += e.delta
        }
        return (prevX, false)
    }
}
