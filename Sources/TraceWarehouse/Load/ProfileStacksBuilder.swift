import GoTrace

/// Builds `profile_stacks` (Schema/001_schema.sql): Go's four trace profiles (cmd/trace pprof.go:
/// scheduler latency, syscall, synchronization blocking, network blocking) as a count and a total per
/// stack of the event that moved the goroutine into the state, summed as each goroutine interval closes.
///
/// The rules are cmd/trace's, as ``ProfileBuilder`` follows them: an interval runs from the transition
/// into the state until the next transition to another state, and counts its overlap with the
/// goroutine's [first run, end or trace end] when that overlap is positive; intervals still open at the
/// trace end are dropped. An interval whose clip is known when it closes (the goroutine has run and has
/// not ended) is counted at once; the others (a goroutine that has not run yet, or has ended) wait in a
/// list until ``write(db:traceID:)``, which clips them with the goroutine's final start_ns and end_ns.
/// Memory: a few thousand (profile, stack) sums, one flag byte per goroutine, and the waiting intervals.
final class ProfileStacksBuilder {
    // The profiles are GoTrace's ``ProfileKind``s, indexed by raw value; their rows are written under
    // ``ProfileKind/profileStacksName``.

    /// Per goroutine, Go's summary so far: bit 0, it has run (StartTime set); bit 1, it has ended.
    @exclusivity(unchecked) private var life = IntMap<UInt8>()
    private static let started: UInt8 = 1, ended: UInt8 = 2
    /// Whether the last transition passed to ``transition(goid:from:to:reasonID:reason:)`` was the goroutine's
    /// first run (its StartTime is that event's time, so the interval it closes overlaps [start, …) by 0).
    @exclusivity(unchecked) private var firstRun = false
    /// Per profile, stack_id → (count, total ns).
    @exclusivity(unchecked) private var sums: [[Int64: (count: Int64, total: Int64)]] = ProfileKind.allCases.map { _ in [:] }
    private struct Pending { var goid: Int64, stack: Int64, start: Int64, end: Int64, profile: Int }
    @exclusivity(unchecked) private var pending: [Pending] = []
    /// Waiting reasons by string id: which profile a wait of that reason belongs to (-1: none).
    @exclusivity(unchecked) private var waitProfile: [Int64: Int] = [:]

    /// A goroutine state transition (`from` ≠ `to`) at relative time `t`, with its reason (string id and
    /// text), before the interval it closes is passed to ``closed(_:goid:t:)``: mirrors the summary's
    /// StartTime and EndTime as of this event.
    func transition(goid: Int64, from: GoState, to: GoState, reasonID: Int64, reason: String) {
        var f: UInt8 = from == .notExist || from == .undetermined ? 0 : life[goid] ?? 0
        firstRun = to == .running && f & Self.started == 0
        if to == .running { f |= Self.started }
        if to == .notExist || (to == .waiting && reason == "forever") { f |= Self.ended }
        life.set(goid, f)
        if to == .waiting && waitProfile[reasonID] == nil {
            waitProfile[reasonID] = ProfileKind.io.tracks(reason: reason) ? ProfileKind.io.rawValue
                : ProfileKind.block.tracks(reason: reason) ? ProfileKind.block.rawValue : -1
        }
    }

    /// A goroutine interval closed at `t` (relative ns): counted in the profile of its state, if any.
    @inline(__always) func closed(_ c: StateTracker.ClosedInterval, goid: Int64, t: Int64) {
        let p: Int
        switch c.state {
        case .runnable: p = ProfileKind.sched.rawValue
        case .syscall: p = ProfileKind.syscall.rawValue
        case .waiting:
            p = waitProfile[c.reason] ?? -1
            if p < 0 { return }
        default: return
        }
        if firstRun { return }   // overlap 0
        if (life[goid] ?? 0) == Self.started {
            // Had run before the interval (a goroutine does not run inside one) and is alive.
            add(p, c.stack, t - c.eventNs)
        } else {
            pending.append(Pending(goid: goid, stack: c.stack, start: c.eventNs, end: t, profile: p))
        }
    }

    @inline(__always) private func add(_ p: Int, _ stack: Int64, _ overlap: Int64) {
        guard overlap > 0 else { return }
        sums[p][stack, default: (0, 0)].count += 1
        sums[p][stack, default: (0, 0)].total += overlap
    }

    /// Clips the waiting intervals with each goroutine's final [start_ns, end_ns or trace end] from the
    /// `goroutines` table (written before this), and writes the rows.
    func write(db: Database, traceID: Int64, end traceEnd: Int64) throws {
        let lookup = try db.prepare("SELECT start_ns, end_ns FROM goroutines WHERE trace_id = ? AND goid = ?")
        var lifetimes: [Int64: (start: Int64?, end: Int64?)?] = [:]
        for s in pending {
            let g: (start: Int64?, end: Int64?)?
            if let known = lifetimes[s.goid] { g = known } else {
                try lookup.bind(1, traceID); try lookup.bind(2, s.goid)
                g = try lookup.step() ? (lookup.isNull(0) ? nil : lookup.int64(0), lookup.isNull(1) ? nil : lookup.int64(1)) : nil
                lookup.reset()
                lifetimes[s.goid] = g
            }
            guard let g else { continue }   // a goroutine the summary does not know: no row to clip with
            add(s.profile, s.stack, min(s.end, g.end ?? traceEnd) - max(s.start, g.start ?? s.start))
        }
        pending = []
        let ins = try db.prepare("INSERT INTO profile_stacks(trace_id, profile, stack_id, count, total_ns) VALUES (?, ?, ?, ?, ?)")
        for p in ProfileKind.allCases {
            for (stack, v) in sums[p.rawValue].sorted(by: { $0.key < $1.key }) {
                try ins.bind([.int(traceID), .text(p.profileStacksName), .int(stack), .int(v.count), .int(v.total)])
                try ins.run()
            }
        }
    }
}

extension ProfileKind {
    /// `profile_stacks.profile`, the name this profile's rows are written under: 'sched', 'syscall', 'block',
    /// or 'net' for ``ProfileKind/io``.
    public var profileStacksName: String {
        switch self {
        case .sched: "sched"
        case .syscall: "syscall"
        case .block: "block"
        case .io: "net"
        }
    }
}
