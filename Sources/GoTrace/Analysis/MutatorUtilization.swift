// A port of Go 1.27's internal/trace/gc.go `MutatorUtilizationV2` (streaming), with two Go bugs fixed.

/// What counts as GC (not mutator) time in ``MutatorUtilization`` (Go's `trace.UtilFlags`).
public struct UtilFlags: OptionSet, Sendable, Hashable {
    public let rawValue: Int
    public init(rawValue: Int) { self.rawValue = rawValue }

    /// GC stop-the-world phases: ranges named `stop-the-world…` containing `GC`. Other STWs (e.g.
    /// "stop-the-world (start trace)") do not count.
    public static let stw = UtilFlags(rawValue: 1 << 0)
    /// Background mark workers (goroutines labelled `GC …` other than `GC (idle)`) while executing.
    public static let background = UtilFlags(rawValue: 1 << 1)
    /// `GC mark assist` ranges while the goroutine is executing.
    public static let assist = UtilFlags(rawValue: 1 << 2)
    /// `GC incremental sweep` ranges.
    public static let sweep = UtilFlags(rawValue: 1 << 3)
    /// One utilization function per P instead of one for the whole program.
    public static let perProc = UtilFlags(rawValue: 1 << 4)

    /// cmd/trace's MMU page defaults: System view, STW, background workers and mark assist.
    public static let `default`: UtilFlags = [.stw, .background, .assist]
}

/// A change of mutator utilization at `time` (Go's `trace.MutatorUtil`): from `time` on, the mean
/// fraction of the program (or P) available to the mutator is `util`, in [0, 1].
public struct MutatorUtil: Sendable, Equatable {
    public var time: Int64
    public var util: Double
    public init(time: Int64, util: Double) { self.time = time; self.util = util }
}

/// Builds mutator utilization functions from a stream of events, as Go's
/// `trace.MutatorUtilizationV2` does (the input of the MMU page of `go tool trace`).
///
/// ```swift
/// let mu = MutatorUtilization(flags: .default)
/// while let event = try reader.next() { mu.feed(event) }
/// let curve = MMUCurve(mu.finalize())
/// let worst10ms = curve.mmu(window: 10_000_000)
/// ```
///
/// The functions start at the first `/sched/gomaxprocs:threads` metric and end with utilization 0
/// at the last event (or earlier, see below). At each event the utilization is 1 − (Ps with GC work) / GOMAXPROCS, or 0
/// during a GC stop-the-world; with ``UtilFlags/perProc`` each P gets its own 0/1 function.
///
/// ## Go's algorithm, kept
/// Go counts GC work per P with event-driven increments and decrements, and this type does the same,
/// so the result is Go's number. That includes how Go counts background mark workers: a worker's P
/// is incremented by its `GC …` label event (emitted at every start of the worker) *and*, from the
/// worker's second run on, by its transition to running, but decremented only once when it stops.
/// Each run after the first therefore leaves +1 on the P, and Go's utilization drifts to 0 after a
/// few worker runs (tracegolden's sample-gc: 0 from 8.2 ms to the end of an 83.6 ms trace). Pass
/// `countWorkerRunsOnce: true` to count a worker once per run instead; that is not Go's number.
///
/// Also Go's: nothing before the first GOMAXPROCS metric counts, not even the start of a GC
/// stop-the-world. On Go 1.11–1.21 (v1) traces Go's conversion emits that first metric *inside* the
/// first stop-the-world (`stop-the-world (GC sweep termination)` begins, then the metric, then the
/// range ends), so Go's STW count goes to −1 at that end and no later GC stop-the-world ever brings
/// it above 0: Go's utilization on such a trace never counts a GC STW. Pass
/// `countSTWBeforeGOMAXPROCS: true` to count the stop-the-world ranges that began earlier (the
/// functions then start at 0 inside that STW, and every later STW counts); not Go's number either.
///
/// Also Go's: a function only records *changes*, and the final "0 at the last event" is not a
/// change when the utilization is already 0, so such a function ends where it last changed, not at
/// the end of the trace; ``MMUCurve`` then clips windows to that shorter duration (as Go does).
///
/// ## Two Go 1.27.3 bugs, fixed
/// Results differ from Go only in traces that hit them (see ``eventsWithoutValidP`` and
/// ``gomaxprocsChanges``; both 0 means the result is exactly Go's):
/// 1. **Events without a P.** Go indexes its per-P array with the event's P, so a GC-relevant event
///    with no P (-1), or a P beyond the current GOMAXPROCS, makes it panic. Here such an event
///    counts on the P where the work really is: for a goroutine (a background worker or an assisting
///    goroutine starting/stopping, a worker label, a mark assist range) the P it is executing on, as
///    recorded at its last transition to running; for a sweep, the P the range is scoped to. If there
///    is no such P, no P's count changes (no P loses mutator time); the rest of the event still
///    applies (STW counting, marking a goroutine as a worker or as assisting).
/// 2. **GOMAXPROCS changes.** Go truncates or extends its per-P array and keeps the surviving Ps'
///    counts, which are stale: the residue of the worker double count stays on the Ps that survive,
///    work counted on a removed P is lost, and a P that comes back starts at 0 (and could go
///    negative). Here every P's count is instead recomputed from the GC work actually in progress at
///    the change: background workers and assisting goroutines currently executing, on their P, and
///    (with ``UtilFlags/sweep``) sweeps in progress on each P. A change is a gomaxprocs metric whose
///    value differs from the current one; the metric is repeated with the same value at every GC
///    cycle, and those repeats change nothing, so a trace with a constant GOMAXPROCS gives exactly
///    Go's result.
///
/// Cost: O(GOMAXPROCS) per event, as in Go; memory proportional to the number of utilization
/// changes plus the number of goroutines.
public final class MutatorUtilization {
    public let flags: UtilFlags
    /// Whether background workers are counted once per run (not Go's behaviour; see above).
    public let countWorkerRunsOnce: Bool
    /// Whether stop-the-world ranges that began before the first GOMAXPROCS metric count (not Go's
    /// behaviour; see above).
    public let countSTWBeforeGOMAXPROCS: Bool
    private var engine: MMUEngine

    /// How many GC-relevant events had no valid P (Go would have panicked on each).
    public var eventsWithoutValidP: Int { engine.eventsWithoutValidP }
    /// How many times GOMAXPROCS changed (Go's per-P counts were replaced at each).
    public var gomaxprocsChanges: Int { engine.gomaxprocsChanges }

    /// Testing hook: false keeps Go's stale per-P counts across GOMAXPROCS changes.
    var rebuildCountsOnGOMAXPROCSChange: Bool {
        get { engine.rebuildCountsOnGOMAXPROCSChange }
        set { engine.rebuildCountsOnGOMAXPROCSChange = newValue }
    }
    /// Testing hook: called at each GOMAXPROCS change with (time, Go's counts, recomputed counts).
    var onGOMAXPROCSChange: ((Int64, [Int], [Int]) -> Void)? {
        get { engine.onGOMAXPROCSChange }
        set { engine.onGOMAXPROCSChange = newValue }
    }

    /// - Parameters:
    ///   - flags: what counts as GC time.
    ///   - countWorkerRunsOnce: count a background worker once per run instead of Go's double count.
    ///   - countSTWBeforeGOMAXPROCS: count a GC stop-the-world that began before the first GOMAXPROCS
    ///     metric; nil (the default) means the same as `countWorkerRunsOnce`: Go's utilization makes
    ///     neither correction, tracedb's own makes both.
    public init(flags: UtilFlags = .default, countWorkerRunsOnce: Bool = false, countSTWBeforeGOMAXPROCS: Bool? = nil) {
        self.flags = flags
        self.countWorkerRunsOnce = countWorkerRunsOnce
        self.countSTWBeforeGOMAXPROCS = countSTWBeforeGOMAXPROCS ?? countWorkerRunsOnce
        engine = MMUEngine(flags: flags, countWorkerRunsOnce: countWorkerRunsOnce,
                           countSTWBeforeGOMAXPROCS: self.countSTWBeforeGOMAXPROCS)
    }

    /// Feeds the next event of the trace (in reader order).
    public func feed(_ ev: Event) { engine.feed(ev, MMUEngine.uses(ev.kind) ? ev.payload : .none) }

    /// Ends every function with utilization 0 at the last event and returns them: one function, or
    /// one per P (series) with ``UtilFlags/perProc``. Empty if no events were fed or GOMAXPROCS was
    /// never reported. Feeding more events afterwards continues the functions.
    public func finalize() -> [[MutatorUtil]] { engine.finalize() }
}

/// The state and logic of ``MutatorUtilization``, a struct mutated in place (one exclusivity check
/// per event).
struct MMUEngine {
    let flags: UtilFlags
    let countWorkerRunsOnce: Bool
    let countSTWBeforeGOMAXPROCS: Bool

    private struct PerP {
        /// > 0 when GC is active on this P.
        var gc: Int
        /// The logical series of this P: a P removed and re-added needs a new series.
        var series: Int
    }

    /// What is known about a goroutine (Go's `states`, `inGC` and `bgMark` maps, plus ground truth).
    /// 8 bytes: one is kept for every goroutine of the trace.
    private struct Goroutine {
        /// The last state seen after GOMAXPROCS was known (Go's `states`).
        var state: GoState = .undetermined
        /// Inside a mark assist (Go's `inGC`).
        var inGC = false
        /// Labelled as a counted background worker at some point (Go's `bgMark`).
        var bgMark = false
        /// Its current run's worker label counts as GC work.
        var workerCounted = false
        private var executing: Int32 = -1
        /// The P it is executing on (Running or in a syscall), or -1: where its GC work is for
        /// fix 1, and the ground truth for fix 2. Stored clamped to 32 bits, which changes no
        /// result: it only matters when it is a valid P (in `0..<GOMAXPROCS`).
        var executingOn: ProcID {
            get { ProcID(executing) }
            set { executing = Int32(clamping: newValue) }
        }
    }

    private var out: [[MutatorUtil]] = []
    private var stw = 0
    private var ps: [PerP] = []
    /// The goroutines whose state differs from a new one's, by slot in `goroutines`: a goroutine
    /// that ends with nothing to remember (not a worker, not assisting) is forgotten and its slot
    /// reused, so this holds about the live goroutines, not every goroutine of the trace.
    private var slots: [GoID: Int32] = [:]
    private var goroutines: [Goroutine] = []
    private var freeSlots: [Int32] = []
    private var procs: [(time: Int64, n: Int)] = []
    private var nSync = 0
    private var lastTime: Int64?
    /// Sweep ranges in progress, by P (fix 2).
    private var sweeping: [ProcID: Int] = [:]

    private(set) var eventsWithoutValidP = 0
    private(set) var gomaxprocsChanges = 0
    var rebuildCountsOnGOMAXPROCSChange = true
    var onGOMAXPROCSChange: ((Int64, [Int], [Int]) -> Void)?

    init(flags: UtilFlags, countWorkerRunsOnce: Bool, countSTWBeforeGOMAXPROCS: Bool) {
        self.flags = flags
        self.countWorkerRunsOnce = countWorkerRunsOnce
        self.countSTWBeforeGOMAXPROCS = countSTWBeforeGOMAXPROCS
    }

    private func handleSTW(_ r: Range) -> Bool { flags.contains(.stw) && isGCSTWRangeName(r.name) }
    private func handleMarkAssist(_ r: Range) -> Bool { flags.contains(.assist) && r.name == "GC mark assist" }
    private func handleSweep(_ r: Range) -> Bool { flags.contains(.sweep) && r.name == "GC incremental sweep" }

    /// Whether a label makes its goroutine a counted background worker.
    private func isCountedWorkerLabel(_ label: String) -> Bool {
        flags.contains(.background) && label.hasPrefix("GC ") && label != "GC (idle)"
            && !(flags.contains(.perProc) && label == "GC (dedicated)")
    }

    private mutating func slot(_ g: GoID) -> Int {
        if let i = slots[g] { return Int(i) }
        let i: Int
        if let free = freeSlots.popLast() {
            i = Int(free)
        } else {
            i = goroutines.count
            goroutines.append(Goroutine())
        }
        slots[g] = Int32(i)
        return i
    }

    /// Forgets goroutine `g` (in slot `i`) if nothing distinguishes it from a goroutine never seen:
    /// its only other difference, its `state` (NotExist instead of Undetermined), is only ever
    /// read as ``GoState/isExecuting``, false for both.
    private mutating func forgetIfNew(_ g: GoID, _ i: Int) {
        let r = goroutines[i]
        guard !r.inGC, !r.bgMark, !r.workerCounted, r.executingOn == -1 else { return }
        goroutines[i] = Goroutine()
        slots[g] = nil
        freeSlots.append(Int32(i))
    }

    /// Adds `delta` to the GC count of P `p`, or of `fallback` when `p` is not a valid P (fix 1).
    @inline(__always)
    private mutating func adjust(_ p: ProcID, by delta: Int, fallback: ProcID) {
        if p >= 0 && p < ps.count {
            ps[Int(p)].gc += delta
            return
        }
        eventsWithoutValidP += 1
        if fallback >= 0 && fallback < ps.count { ps[Int(fallback)].gc += delta }
    }

    /// Whether events of this kind matter (their payload is needed).
    static func uses(_ kind: EventKind) -> Bool {
        switch kind {
        case .sync, .metric, .label, .rangeBegin, .rangeActive, .rangeEnd, .stateTransition: true
        default: false
        }
    }

    /// Feeds an event with its decoded payload (`.none` is fine for kinds ``uses(_:)`` rejects).
    mutating func feed(_ ev: Event, _ payload: EventPayload) {
        lastTime = ev.time
        let perProc = flags.contains(.perProc)
        // The goroutine a transition or label is about.
        var gi = -1
        switch payload {
        case .sync(let s):
            nSync = s.n
        case .metric(let m) where m.name == "/sched/gomaxprocs:threads":
            setGOMAXPROCS(Int(clamping: m.value.uint64Value ?? 0), at: ev.time)
        case .stateTransition(let st) where st.resource.kind == .goroutine:
            gi = slot(st.resource.id)
        case .label:
            gi = slot(ev.goroutine)
        default:
            break
        }

        // Nothing can be computed before GOMAXPROCS is known (ground truth is kept regardless).
        if ps.isEmpty {
            if countSTWBeforeGOMAXPROCS, case .range(let r, _) = payload, handleSTW(r) {
                // Not Go's: a stop-the-world in progress when GOMAXPROCS becomes known counts.
                switch ev.kind {
                case .rangeBegin: stw += 1
                case .rangeActive where nSync <= 1: stw += 1
                case .rangeEnd: stw -= 1
                default: break
                }
            }
            trackGroundTruth(ev, payload, gi)
            return
        }

        switch payload {
        case .range(let r, _):
            switch ev.kind {
            case .rangeActive:
                // After a full generation, RangeActive events are redundant.
                if nSync > 1 { break }
                // The range has been active since the start of the trace: fix up the past.
                // (A trace can't start during a STW.)
                var backdate = false
                if handleMarkAssist(r) {
                    // Only counts if the goroutine is executing (on its P) now.
                    backdate = slots[ev.goroutine].map { goroutines[Int($0)].state.isExecuting } ?? false
                } else if handleSweep(r) {
                    backdate = true
                }
                if backdate && !perProc {
                    // Per P there is nothing to do: this must be the first mention of the P.
                    // Otherwise subtract 1/gomaxprocs from every point so far.
                    var mi = 0, pi = 0
                    while mi < out[0].count {
                        if pi < procs.count - 1 && procs[pi + 1].time < out[0][mi].time {
                            pi += 1
                            continue
                        }
                        out[0][mi].util -= 1 / Double(procs[pi].n)
                        if out[0][mi].util < 0 { out[0][mi].util = 0 }
                        mi += 1
                    }
                }
                // Then it acts like the beginning of a range.
                rangeBoundary(ev, r, delta: 1)
            case .rangeBegin:
                rangeBoundary(ev, r, delta: 1)
            case .rangeEnd:
                rangeBoundary(ev, r, delta: -1)
            default:
                break
            }
        case .stateTransition(let st) where gi >= 0:
            let (old, new) = st.goroutine
            let starts = !old.isExecuting && new.isExecuting
            let stops = old.isExecuting && !new.isExecuting
            let g = goroutines[gi]
            if countWorkerRunsOnce && g.bgMark && !g.inGC {
                // A worker counts from its label on, once, until it stops.
                if stops && g.workerCounted { adjust(ev.proc, by: -1, fallback: g.executingOn) }
            } else if g.inGC || g.bgMark {
                if starts {
                    adjust(ev.proc, by: 1, fallback: -1) // Started running while doing GC things.
                } else if stops {
                    adjust(ev.proc, by: -1, fallback: g.executingOn) // Stopped running while doing GC things.
                }
            }
            goroutines[gi].state = new
        case .label(let l):
            if isCountedWorkerLabel(l.label) {
                // A background mark worker. Per P, dedicated workers don't count: they kick every
                // goroutine off their P, so they don't directly add to goroutine latency.
                goroutines[gi].bgMark = true
                if !countWorkerRunsOnce || !goroutines[gi].workerCounted {
                    adjust(ev.proc, by: 1, fallback: goroutines[gi].executingOn)
                }
            } else if countWorkerRunsOnce && l.label.hasPrefix("GC ") && goroutines[gi].workerCounted {
                // The running worker switched to a mode that doesn't count.
                adjust(ev.proc, by: -1, fallback: goroutines[gi].executingOn)
            }
        default:
            break
        }
        trackGroundTruth(ev, payload, gi)

        if !perProc {
            // The current average utilization.
            var gcPs = 0
            if stw > 0 {
                gcPs = ps.count
            } else {
                for p in ps where p.gc > 0 { gcPs += 1 }
            }
            out[0].addUtil(MutatorUtil(time: ev.time, util: 1 - Double(gcPs) / Double(ps.count)))
        } else {
            for p in ps {
                let util: Double = (stw > 0 || p.gc > 0) ? 0 : 1
                out[p.series].addUtil(MutatorUtil(time: ev.time, util: util))
            }
        }
    }

    /// RangeBegin/RangeActive (delta 1) and RangeEnd (delta -1).
    private mutating func rangeBoundary(_ ev: Event, _ r: Range, delta: Int) {
        if handleSTW(r) {
            stw += delta
        } else if handleSweep(r) {
            adjust(ev.proc, by: delta, fallback: r.scope.kind == .proc ? r.scope.id : -1)
        } else if handleMarkAssist(r) {
            let scoped = r.scope.kind == .goroutine && r.scope.id != noGoroutine
            let gi = slot(scoped ? r.scope.id : ev.goroutine)
            adjust(ev.proc, by: delta, fallback: goroutines[gi].executingOn)
            if scoped { goroutines[gi].inGC = delta > 0 }
        }
    }

    /// Keeps what is really executing where (after the event's own count changes).
    private mutating func trackGroundTruth(_ ev: Event, _ payload: EventPayload, _ gi: Int) {
        switch payload {
        case .stateTransition(let st) where gi >= 0:
            let (old, new) = st.goroutine
            if new.isExecuting {
                if !old.isExecuting { goroutines[gi].workerCounted = false } // A new run: no label yet.
                if ev.proc >= 0 {
                    goroutines[gi].executingOn = ev.proc
                } else if !old.isExecuting {
                    goroutines[gi].executingOn = -1
                }
            } else {
                goroutines[gi].executingOn = -1
                goroutines[gi].workerCounted = false
                if new == .notExist { forgetIfNew(st.resource.id, gi) }
            }
        case .label(let l):
            if isCountedWorkerLabel(l.label) {
                goroutines[gi].workerCounted = true
            } else if l.label.hasPrefix("GC ") {
                goroutines[gi].workerCounted = false
            }
        case .range(let r, _) where handleSweep(r):
            let p = ev.proc >= 0 ? ev.proc : (r.scope.kind == .proc ? r.scope.id : noProc)
            if ev.kind == .rangeBegin || (ev.kind == .rangeActive && nSync <= 1) {
                sweeping[p, default: 0] += 1
            } else if ev.kind == .rangeEnd {
                sweeping[p, default: 0] -= 1
            }
        default:
            break
        }
    }

    private mutating func setGOMAXPROCS(_ gomaxprocs: Int, at time: Int64) {
        let perProc = flags.contains(.perProc)
        // Fix 2: a real change (not the first value, not a repeat) recomputes the counts below.
        let isChange = !ps.isEmpty && gomaxprocs != ps.count
        if ps.count > gomaxprocs {
            if perProc {
                // End each removed P's series.
                for p in ps[gomaxprocs...] { out[p.series].addUtil(MutatorUtil(time: time, util: 0)) }
            }
            ps.removeLast(ps.count - gomaxprocs)
        }
        while ps.count < gomaxprocs {
            // Start a new series for the new P.
            var series = 0
            if perProc || out.isEmpty {
                series = out.count
                out.append([MutatorUtil(time: time, util: 1)])
            }
            ps.append(PerP(gc: 0, series: series))
        }
        if procs.isEmpty || gomaxprocs != procs[procs.count - 1].n {
            procs.append((time, gomaxprocs))
        }
        if isChange {
            gomaxprocsChanges += 1
            let goCounts = ps.map(\.gc)
            let saved = ps
            recomputeCounts()
            onGOMAXPROCSChange?(time, goCounts, ps.map(\.gc))
            if !rebuildCountsOnGOMAXPROCSChange { ps = saved }
        }
    }

    /// Fix 2: sets every P's count to the GC work in progress on it now.
    private mutating func recomputeCounts() {
        for i in ps.indices { ps[i].gc = 0 }
        for g in goroutines where g.executingOn >= 0 && g.executingOn < ps.count {
            if g.inGC || g.workerCounted { ps[Int(g.executingOn)].gc += 1 }
        }
        if flags.contains(.sweep) {
            for (p, n) in sweeping where n > 0 && p >= 0 && p < ps.count { ps[Int(p)].gc += n }
        }
    }

    func finalize() -> [[MutatorUtil]] {
        guard let lastTime else { return [] }
        // A final 0 marks the end of the trace (symmetric with its start).
        let mu = MutatorUtil(time: lastTime, util: 0)
        var result = out
        for p in ps { result[p.series].addUtil(mu) }
        return result
    }
}

/// Go's `isGCSTW`: a stop-the-world range caused by the GC.
func isGCSTWRangeName(_ name: String) -> Bool {
    name.hasPrefix("stop-the-world") && name.contains("GC")
}

extension Array where Element == MutatorUtil {
    /// Go's `addUtil`: appends a change, ignoring non-changes and keeping the lowest utilization
    /// for equal times.
    @inline(__always)
    mutating func addUtil(_ mu: MutatorUtil) {
        if let last = self.last {
            if mu.util == last.util { return }
            if mu.time == last.time {
                if mu.util < last.util { self[count - 1] = mu }
                return
            }
        }
        append(mu)
    }
}
