// All of Go's trace analyses in one streaming pass.

/// Runs ``GoroutineSummarizer``, ``MutatorUtilization`` (for several flag sets), ``ProfileBuilder``
/// and ``RangeTracker`` together over one pass of a trace, decoding each event's payload once
/// instead of once per analysis. The results are exactly those of the individual types.
///
/// ```swift
/// let analyses = TraceAnalyses()
/// while let event = try reader.next() { analyses.feed(event) }
/// let result = analyses.finalize()
/// let curve = MMUCurve(result.utilization[.default]!)
/// ```
public final class TraceAnalyses {
    /// Everything computed.
    public struct Result: Sendable {
        public var summary: TraceSummary
        /// The utilization functions, by flag set (see ``MutatorUtilization/finalize()``).
        public var utilization: [UtilFlags: [[MutatorUtil]]]
        /// Per flag set: GC-relevant events without a valid P, and GOMAXPROCS changes (both 0 means
        /// the utilization is exactly Go's; see ``MutatorUtilization``).
        public var utilizationDiagnostics: [UtilFlags: (eventsWithoutValidP: Int, gomaxprocsChanges: Int)]
        /// The profiles, in the order asked for.
        public var profiles: [Profile]
        /// The runtime ranges (GC cycles, STW, sweeps, assists), as ``RangeTracker/finalize()``.
        public var ranges: [RangeInterval]
        /// The number of events fed.
        public var eventCount: Int
    }

    private var summarizer = SummarizerEngine()
    private let collectGoroutines: Bool
    private var utilizations: [MMUEngine]
    private var profiles: ProfileEngine
    private var ranges = RangeEngine()
    private var eventCount = 0
    private var result: Result?

    /// - Parameters:
    ///   - utilizationFlags: the flag sets to compute utilization functions for (cmd/trace's default
    ///     only, by default).
    ///   - countWorkerRunsOnce, countSTWBeforeGOMAXPROCS: see
    ///     ``MutatorUtilization/init(flags:countWorkerRunsOnce:countSTWBeforeGOMAXPROCS:)`` (nil: the
    ///     same as `countWorkerRunsOnce`).
    ///   - profiles: the profiles to compute (all four by default).
    ///   - collectGoroutines: false leaves ``Result/summary``'s `goroutines` empty, instead of a
    ///     dictionary holding every goroutine's summary at once; take them one at a time from
    ///     ``consumeGoroutineSummaries(_:)``. For traces with many goroutines.
    public init(utilizationFlags: [UtilFlags] = [.default], countWorkerRunsOnce: Bool = false,
                countSTWBeforeGOMAXPROCS: Bool? = nil,
                profiles: [ProfileKind] = ProfileKind.allCases, collectGoroutines: Bool = true) {
        self.collectGoroutines = collectGoroutines
        var seenFlags = Set<UtilFlags>()
        utilizations = utilizationFlags.filter { seenFlags.insert($0).inserted }
            .map { MMUEngine(flags: $0, countWorkerRunsOnce: countWorkerRunsOnce,
                             countSTWBeforeGOMAXPROCS: countSTWBeforeGOMAXPROCS ?? countWorkerRunsOnce) }
        var seenKinds = Set<ProfileKind>()
        self.profiles = ProfileEngine(kinds: profiles.filter { seenKinds.insert($0).inserted })
    }

    /// Feeds the next event of the trace (in reader order).
    public func feed(_ ev: Event) {
        precondition(result == nil, "TraceAnalyses.feed called after finalize")
        eventCount += 1
        let payload: EventPayload
        switch ev.kind {
        case .stackSample, .experimental, .bad: payload = .none
        default: payload = ev.payload
        }
        summarizer.feed(ev, payload)
        for i in utilizations.indices { utilizations[i].feed(ev, payload) }
        profiles.feed(ev, payload)
        ranges.feed(ev, payload)
    }

    /// Closes everything at the last event and returns the results. Call it once, after the last
    /// event; later calls return the same results.
    public func finalize() -> Result {
        if let result { return result }
        let summary = summarizer.finalize(includingGoroutines: collectGoroutines)
        var utilization: [UtilFlags: [[MutatorUtil]]] = [:]
        var diagnostics: [UtilFlags: (eventsWithoutValidP: Int, gomaxprocsChanges: Int)] = [:]
        for u in utilizations {
            utilization[u.flags] = u.finalize()
            diagnostics[u.flags] = (u.eventsWithoutValidP, u.gomaxprocsChanges)
        }
        let summarizer = self.summarizer
        let r = Result(summary: summary, utilization: utilization, utilizationDiagnostics: diagnostics,
                       profiles: profiles.finalize { summarizer.lifetime(of: $0) }, ranges: ranges.finalize(),
                       eventCount: eventCount)
        result = r
        // The result holds everything now (but the goroutines, when not collected): drop the state.
        if collectGoroutines { self.summarizer = SummarizerEngine() }
        utilizations = []
        profiles = ProfileEngine(kinds: [])
        ranges = RangeEngine()
        return r
    }

    /// Hands every goroutine's summary to `body`, by increasing id, and returns how many there
    /// were. With `collectGoroutines: false` this is the only way to get them: each summary is made
    /// when it is handed over, and the summarizer's per-goroutine state is released afterwards
    /// (even if `body` throws), so call it once. Call it after ``finalize()``.
    @discardableResult
    public func consumeGoroutineSummaries(_ body: (GoroutineSummary) throws -> Void) rethrows -> Int {
        guard let result else { preconditionFailure("TraceAnalyses.consumeGoroutineSummaries called before finalize") }
        if collectGoroutines {
            let all = result.summary.goroutinesByID
            for g in all { try body(g) }
            return all.count
        }
        defer { summarizer = SummarizerEngine() }
        try summarizer.forEachGoroutine(body)
        return summarizer.goroutineCount
    }
}
