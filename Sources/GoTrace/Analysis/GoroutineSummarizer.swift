// A port of Go 1.27's internal/trace/summary.go `Summarizer`.

/// Builds per-goroutine time statistics, user regions and user tasks from a trace, one event at a
/// time, exactly as Go's `internal/trace.Summarizer` does (what `go tool trace` shows on its
/// goroutine, region and task pages).
///
/// ```swift
/// let summarizer = GoroutineSummarizer()
/// while let event = try reader.next() { summarizer.feed(event) }
/// let summary = summarizer.finalize()
/// ```
///
/// Go's behaviour is reproduced on purpose, including its quirks:
/// - A goroutine first seen through GoStatus (Undetermined → X) is created at the last Sync time,
///   and the time from that Sync to the event is credited to state X (Waiting: block reason `""`).
/// - A block with reason `"forever"` ends the goroutine like an exit.
/// - Repeated transitions (X → X, e.g. GoStatus at generation boundaries) are ignored.
/// - Syscall time becomes syscall-block time when the P the goroutine entered the syscall on goes
///   Idle.
/// - Snapshot quirk: a snapshot taken while a syscall is in progress (region begin/end, or the end
///   of the trace) counts the whole syscall as syscall time *and* its blocked part again as sched
///   wait time.
/// - Proc-scoped ranges (GC incremental sweep) count for the goroutine running when the range
///   began, only if the range ends on that same goroutine. RangeActive restarts at the last Sync.
/// - Regions still open when a system goroutine ends are dropped from its region list.
///
/// Where Go would crash on a malformed stream (a transition out of a state for an unknown
/// goroutine, a region event on an unknown goroutine) this type treats the goroutine as first seen
/// (Undetermined) or ignores the region event instead.
///
/// Cost: O(1) amortized per event; memory is proportional to goroutines, regions, tasks and logs.
public final class GoroutineSummarizer {
    private var engine = SummarizerEngine()
    private var result: TraceSummary?

    public init() {}

    /// Feeds the next event of the trace (in reader order).
    public func feed(_ ev: Event) {
        precondition(result == nil, "GoroutineSummarizer.feed called after finalize")
        engine.feed(ev, SummarizerEngine.uses(ev.kind) ? ev.payload : .none)
    }

    /// Closes everything still open at the last event and returns the summary (Go's `Finalize`).
    /// Call it once, after the last event; later calls return the same summary.
    public func finalize() -> TraceSummary {
        if let result { return result }
        let summary = engine.finalize()
        result = summary
        return summary
    }
}

/// The Summarizer's state and logic. A struct mutated in place, so the hot path pays for one
/// exclusivity check per event instead of one per field access.
struct SummarizerEngine {
    // Interned map keys: block reasons and range names.
    private var reasons = AnalysisInterner()
    private var rangeNames = AnalysisInterner()
    private let emptyReason: Int32

    /// Goroutine summaries, by slot; `slots` maps a goroutine id to its current summary.
    private var slots: [GoID: Int] = [:]
    private var gs: [SummarizerGoroutine] = []
    private var taskSlots: [TaskID: Int] = [:]
    private var tasks: [SummarizerTask] = []
    /// All regions ever created; goroutines and tasks refer to them by index (Go shares pointers).
    private var regions: [SummarizerRegion] = []

    /// Binding between a P and the goroutine in a syscall on it (Go's syscallingP/syscallingG).
    private var syscallingP: [ProcID: GoID] = [:]
    private var syscallingG: [GoID: ProcID] = [:]
    /// Best-effort mapping of an active P-scoped range to the goroutine it started on.
    private var rangesP: [SummarizerRangeOnProc: GoID] = [:]

    private var firstTs: Int64?
    private var lastTs: Int64 = 0
    private var syncTs: Int64 = 0

    init() {
        emptyReason = reasons.id("")
    }

    /// Whether events of this kind matter (their payload is needed).
    static func uses(_ kind: EventKind) -> Bool {
        switch kind {
        case .sync, .stateTransition, .rangeBegin, .rangeActive, .rangeEnd, .regionBegin, .regionEnd,
             .taskBegin, .taskEnd, .log:
            true
        default:
            false
        }
    }

    /// Feeds an event with its decoded payload (`.none` is fine for kinds ``uses(_:)`` rejects).
    mutating func feed(_ ev: Event, _ payload: EventPayload) {
        if syncTs == 0 { syncTs = ev.time }
        if firstTs == nil { firstTs = ev.time }
        lastTs = ev.time

        switch payload {
        case .sync:
            syncTs = ev.time
        case .stateTransition(let st):
            switch st.resource.kind {
            case .goroutine: goroutineTransition(ev, st)
            case .proc: procTransition(ev, st)
            default: break
            }
        case .range(let r, _):
            switch ev.kind {
            case .rangeBegin, .rangeActive: rangeBegin(ev, r, active: ev.kind == .rangeActive)
            case .rangeEnd: rangeEnd(ev, r)
            default: break
            }
        case .region(let r):
            if ev.kind == .regionBegin { regionBegin(ev, r) } else if ev.kind == .regionEnd { regionEnd(ev, r) }
        case .task(let t):
            let ti = task(t.id)
            tasks[ti].name = t.type
            tasks[ti].goroutines.insert(ev.goroutine)
            if ev.kind == .taskBegin { tasks[ti].start = ev } else { tasks[ti].end = ev }
            // Initialize the parent once, so the task appears once in its Children.
            if t.parent != noTask && tasks[ti].parent == nil {
                let pi = task(t.parent)
                tasks[ti].parent = tasks[pi].id
                tasks[pi].children.append(t.id)
            }
        case .log(let l):
            let ti = task(l.task)
            tasks[ti].goroutines.insert(ev.goroutine)
            tasks[ti].logs.append(ev)
        default:
            break
        }
    }

    // MARK: State transitions

    /// Starts a new summary for goroutine `id` (replacing any previous one, as Go does).
    private mutating func newGoroutine(_ id: GoID, creationTime: Int64) -> Int {
        if let i = slots[id] {
            let previous = gs[i]
            gs.append(SummarizerGoroutine(id: id, creationTime: creationTime, previous: previous))
        } else {
            gs.append(SummarizerGoroutine(id: id, creationTime: creationTime, previous: nil))
        }
        slots[id] = gs.count - 1
        return gs.count - 1
    }

    private mutating func goroutineTransition(_ ev: Event, _ st: StateTransition) {
        let id = st.resource.id
        let (old, new) = st.goroutine
        if old == new { return } // Nothing new.

        let t = ev.time
        let g: Int
        let existing = slots[id]
        // Transition out of `old`.
        if old == .notExist {
            g = newGoroutine(id, creationTime: t)
            // A new goroutine inherits the task of its creator's innermost active region, through a
            // synthetic region starting at the creation event.
            if ev.goroutine != noGoroutine, let creator = slots[ev.goroutine],
               let top = gs[creator].activeRegions.last {
                let r = newRegion(SummarizerRegion(taskID: regions[top].taskID, name: "", start: ev))
                gs[g].activeRegions = [r]
            }
        } else if old == .undetermined || existing == nil {
            // First seen through GoStatus: created at the last Sync, and the time since then is
            // credited to the new state. (A transition out of a real state for an unknown goroutine
            // would crash Go; it is handled the same way here.)
            g = newGoroutine(id, creationTime: syncTs)
            let stateTime = t &- syncTs
            switch new {
            case .running: gs[g].stats.exec &+= stateTime
            case .waiting: gs[g].stats.block.add(reasons.id(st.reason), stateTime)
            case .runnable: gs[g].stats.schedWait &+= stateTime
            case .syscall:
                // With a P it has had that P since the start: plain syscall time.
                if ev.proc == noProc { gs[g].stats.syscallBlock &+= stateTime } else { gs[g].stats.syscall &+= stateTime }
            default: break
            }
        } else {
            g = existing!
            switch old {
            case .running:
                gs[g].stats.exec &+= t &- gs[g].lastStartTime
                gs[g].lastStartTime = 0
            case .waiting:
                if gs[g].lastBlockTime != 0 {
                    gs[g].stats.block.add(gs[g].lastBlockReason, t &- gs[g].lastBlockTime)
                    gs[g].lastBlockTime = 0
                }
            case .runnable:
                if gs[g].lastRunnableTime != 0 {
                    gs[g].stats.schedWait &+= t &- gs[g].lastRunnableTime
                    gs[g].lastRunnableTime = 0
                }
            case .syscall:
                if gs[g].lastSyscallTime != 0 {
                    if gs[g].lastSyscallBlockTime != 0 {
                        gs[g].stats.syscallBlock &+= t &- gs[g].lastSyscallBlockTime
                        gs[g].stats.syscall &+= gs[g].lastSyscallBlockTime &- gs[g].lastSyscallTime
                    } else {
                        gs[g].stats.syscall &+= t &- gs[g].lastSyscallTime
                    }
                    gs[g].lastSyscallTime = 0
                    gs[g].lastSyscallBlockTime = 0
                    // Go deletes syscallingP[syscallingG[id]], i.e. P 0 when there is no binding.
                    syscallingP[syscallingG.removeValue(forKey: id) ?? 0] = nil
                }
            default:
                break
            }
        }

        // Name the goroutine after the root frame of the first transition stack seen.
        if gs[g].name.isEmpty, !st.stack.isEmpty, let root = st.stack.frames.last {
            gs[g].pc = root.pc
            gs[g].name = root.function
        }

        // tracegolden's extra facts.
        gs[g].finalState = new
        if new == .running { gs[g].lastRunningTransition = t }

        // Transition into `new`.
        switch new {
        case .running:
            gs[g].lastStartTime = t
            if gs[g].startTime == 0 { gs[g].startTime = t }
        case .runnable:
            gs[g].lastRunnableTime = t
        case .waiting:
            if st.reason != "forever" {
                gs[g].lastBlockTime = t
                gs[g].lastBlockReason = reasons.id(st.reason)
            } else {
                finalize(g, lastTs: t, trigger: ev) // "forever" is like goroutine death.
            }
        case .notExist:
            finalize(g, lastTs: t, trigger: ev)
        case .syscall:
            syscallingP[ev.proc] = id
            syscallingG[id] = ev.proc
            gs[g].lastSyscallTime = t
        case .undetermined:
            break
        }
    }

    private mutating func procTransition(_ ev: Event, _ st: StateTransition) {
        // A P going idle while its goroutine is in a syscall: the syscall is now blocking.
        let (old, new) = st.proc
        guard old != new, new == .idle else { return }
        if let goid = syscallingP.removeValue(forKey: st.resource.id), let g = slots[goid] {
            gs[g].lastSyscallBlockTime = ev.time
        }
    }

    // MARK: Ranges

    private mutating func rangeBegin(_ ev: Event, _ r: Range, active: Bool) {
        let g: Int?
        let name: Int32
        switch r.scope.kind {
        case .goroutine:
            g = slots[r.scope.id]
            name = rangeNames.id(r.name)
        case .proc:
            // Bound to the P, not the goroutine; attributed to the goroutine running now if the
            // range also ends on it.
            g = slots[ev.goroutine]
            name = rangeNames.id(r.name)
            if g != nil { rangesP[SummarizerRangeOnProc(proc: r.scope.id, name: name)] = ev.goroutine }
        default:
            return
        }
        guard let g else { return }
        if active {
            let ts = gs[g].lastRangeTime[name]
            if ts != 0 { gs[g].stats.range.add(name, syncTs &- ts) }
            gs[g].lastRangeTime.set(name, syncTs)
        } else {
            gs[g].lastRangeTime.set(name, ev.time)
        }
    }

    private mutating func rangeEnd(_ ev: Event, _ r: Range) {
        var g: Int?
        let name: Int32
        switch r.scope.kind {
        case .goroutine:
            name = rangeNames.id(r.name)
            g = slots[r.scope.id]
        case .proc:
            name = rangeNames.id(r.name)
            let key = SummarizerRangeOnProc(proc: r.scope.id, name: name)
            if let goid = rangesP.removeValue(forKey: key), goid == ev.goroutine {
                g = slots[goid]
            }
        default:
            return
        }
        guard let g else { return }
        let ts = gs[g].lastRangeTime[name]
        guard ts != 0 else { return }
        gs[g].stats.range.add(name, ev.time &- ts)
        gs[g].lastRangeTime.remove(name)
    }

    // MARK: Regions and tasks

    private mutating func regionBegin(_ ev: Event, _ r: Region) {
        guard let g = slots[ev.goroutine] else { return }
        let idx = newRegion(SummarizerRegion(taskID: r.task, name: r.type, start: ev, stats: snapshot(g, lastTs: ev.time)))
        gs[g].activeRegions.append(idx)
        let ti = task(r.task)
        tasks[ti].regions.append(idx)
        tasks[ti].goroutines.insert(gs[g].id)
    }

    private mutating func regionEnd(_ ev: Event, _ r: Region) {
        guard let g = slots[ev.goroutine] else { return }
        let idx: Int
        if let top = gs[g].activeRegions.popLast() {
            // The innermost region is the one that ended (its task already lists it).
            idx = top
        } else {
            // An end without a begin: fabricate the region now.
            idx = newRegion(SummarizerRegion(taskID: r.task, name: r.type, start: nil))
            let ti = task(r.task)
            tasks[ti].goroutines.insert(gs[g].id)
            tasks[ti].regions.append(idx)
        }
        regions[idx].stats = snapshot(g, lastTs: ev.time).subtracting(regions[idx].stats)
        regions[idx].end = ev
        gs[g].regions.append(idx)
    }

    private mutating func newRegion(_ r: SummarizerRegion) -> Int {
        regions.append(r)
        return regions.count - 1
    }

    private mutating func task(_ id: TaskID) -> Int {
        if let t = taskSlots[id] { return t }
        tasks.append(SummarizerTask(id: id))
        taskSlots[id] = tasks.count - 1
        return tasks.count - 1
    }

    // MARK: Snapshots and finalization

    /// Go's `snapshotStat`: the stats so far plus the pending time of the current state up to `lastTs`.
    private func snapshot(_ i: Int, lastTs: Int64) -> SummarizerStats {
        let g = gs[i]
        var ret = g.stats
        if g.stats.total == 0 { ret.total = lastTs &- g.creationTime }
        if g.lastStartTime != 0 { ret.exec &+= lastTs &- g.lastStartTime }
        if g.lastRunnableTime != 0 { ret.schedWait &+= lastTs &- g.lastRunnableTime }
        if g.lastBlockTime != 0 { ret.block.add(g.lastBlockReason, lastTs &- g.lastBlockTime) }
        if g.lastSyscallTime != 0 { ret.syscall &+= lastTs &- g.lastSyscallTime }
        // Go's quirk: the blocked part of an in-progress syscall goes to sched wait (and is also
        // inside the syscall time above).
        if g.lastSyscallBlockTime != 0 { ret.schedWait &+= lastTs &- g.lastSyscallBlockTime }
        for k in g.lastRangeTime.keys.indices {
            ret.range.add(g.lastRangeTime.keys[k], lastTs &- g.lastRangeTime.values[k])
        }
        return ret
    }

    /// Go's `GoroutineSummary.finalize`: called at goroutine death (with the triggering event) or at
    /// the end of the trace (trigger nil).
    private mutating func finalize(_ g: Int, lastTs: Int64, trigger: Event?) {
        if let trigger { gs[g].endTime = trigger.time }
        let finalStat = snapshot(g, lastTs: lastTs)
        gs[g].stats = finalStat
        // System goroutines are never part of regions, even though they inherit a task when
        // created inside one (e.g. GC workers started in a region).
        if !isSystemGoroutine(gs[g].name) {
            for idx in gs[g].activeRegions {
                regions[idx].end = trigger
                regions[idx].stats = finalStat.subtracting(regions[idx].stats)
                gs[g].regions.append(idx)
            }
        }
        gs[g].resetPending(emptyReason: emptyReason)
    }

    /// Go's `Finalize`.
    mutating func finalize() -> TraceSummary {
        for g in slots.values {
            finalize(g, lastTs: lastTs, trigger: nil)
        }
        let publicRegions = regions.map { r in
            RegionSummary(taskID: r.taskID, name: r.name, start: r.start, end: r.end,
                          stats: r.stats.publicStats(reasons: reasons, ranges: rangeNames))
        }
        var out = [GoID: GoroutineSummary](minimumCapacity: slots.count)
        for (id, i) in slots {
            let g = gs[i]
            // Sort by start time, regions without a start first (stable for ties).
            let regionList = g.regions.map { publicRegions[$0] }.enumerated().sorted { a, b in
                switch (a.element.start?.time, b.element.start?.time) {
                case (nil, nil): return a.offset < b.offset
                case (nil, _): return true
                case (_, nil): return false
                case (let x?, let y?): return x != y ? x < y : a.offset < b.offset
                }
            }.map(\.element)
            out[id] = GoroutineSummary(
                id: id, name: g.name, pc: g.pc, creationTime: g.creationTime,
                startTime: g.startTime == 0 ? nil : g.startTime,
                endTime: g.endTime == 0 ? nil : g.endTime,
                lastStartTime: g.lastRunningTransition == 0 ? nil : g.lastRunningTransition,
                finalState: g.finalState,
                stats: g.stats.publicStats(reasons: reasons, ranges: rangeNames),
                regions: regionList)
        }
        var ts = [TaskID: TaskSummary](minimumCapacity: tasks.count)
        for t in tasks {
            ts[t.id] = TaskSummary(id: t.id, name: t.name, parent: t.parent, children: t.children,
                                   start: t.start, end: t.end, logs: t.logs,
                                   regions: t.regions.map { publicRegions[$0] }, goroutines: t.goroutines)
        }
        return TraceSummary(goroutines: out, tasks: ts, startTime: firstTs, endTime: firstTs == nil ? nil : lastTs)
    }
}

// MARK: - Internal state

struct SummarizerRangeOnProc: Hashable {
    var proc: ProcID
    var name: Int32
}

/// A goroutine being summarized (Go's `GoroutineSummary` plus its private `goroutineSummary`).
struct SummarizerGoroutine {
    let id: GoID
    var name = ""
    var pc: UInt64 = 0
    var creationTime: Int64
    var startTime: Int64 = 0
    var endTime: Int64 = 0
    var stats = SummarizerStats()
    /// Finished regions (indices into the summarizer's region store).
    var regions: [Int] = []

    // Pending state (0 = unset), reset when the goroutine is finalized.
    var lastStartTime: Int64 = 0
    var lastRunnableTime: Int64 = 0
    var lastBlockTime: Int64 = 0
    var lastBlockReason: Int32 = 0
    var lastSyscallTime: Int64 = 0
    var lastSyscallBlockTime: Int64 = 0
    var lastRangeTime = AnalysisSmallMap()
    var activeRegions: [Int] = []

    // tracegolden's per-goroutine-id facts (kept if the id is ever re-created).
    var lastRunningTransition: Int64 = 0
    var finalState: GoState = .undetermined

    init(id: GoID, creationTime: Int64, previous: SummarizerGoroutine?) {
        self.id = id
        self.creationTime = creationTime
        if let previous {
            lastRunningTransition = previous.lastRunningTransition
            finalState = previous.finalState
        }
    }

    mutating func resetPending(emptyReason: Int32) {
        lastStartTime = 0
        lastRunnableTime = 0
        lastBlockTime = 0
        lastBlockReason = emptyReason
        lastSyscallTime = 0
        lastSyscallBlockTime = 0
        lastRangeTime = AnalysisSmallMap()
        activeRegions = []
    }
}

struct SummarizerRegion {
    var taskID: TaskID
    var name: String
    var start: Event?
    var end: Event?
    /// The goroutine's snapshot at start while active; the region's own stats once ended.
    var stats = SummarizerStats()
}

struct SummarizerTask {
    let id: TaskID
    var name = ""
    var parent: TaskID?
    var children: [TaskID] = []
    var start: Event?
    var end: Event?
    var logs: [Event] = []
    var regions: [Int] = []
    var goroutines = Set<GoID>()
    init(id: TaskID) { self.id = id }
}
