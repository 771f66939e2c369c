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
        engine = SummarizerEngine() // The summary holds everything now.
        return summary
    }
}

/// The Summarizer's state and logic. A struct mutated in place, so the hot path pays for one
/// exclusivity check per event instead of one per field access.
struct SummarizerEngine {
    // Interned strings: block reasons and range names (map keys), goroutine names.
    private var reasons = AnalysisInterner()
    private var rangeNames = AnalysisInterner()
    private var names = AnalysisInterner()
    private let emptyReason: Int32
    private let emptyName: Int32

    /// Goroutine summaries, by slot; `slots` maps a goroutine id to its summary's slot. A goroutine
    /// created again under the same id gets a new summary in the same slot (Go replaces it too).
    private var slots = DenseIDMap<Int32>()
    private var gs = ChunkedArray<SummarizerGoroutine>()
    /// The pending state of the goroutines, by ``SummarizerGoroutine/live``. A goroutine has an
    /// entry while any of it may be set (from its creation until it ends); entries are reused.
    private var live: [SummarizerLive] = []
    private var freeLive: [Int32] = []
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
    /// Go's `Finalize` has closed everything still open.
    private var closed = false

    init() {
        emptyReason = reasons.id("")
        emptyName = names.id("")
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

    // MARK: Goroutine records

    @inline(__always)
    private func slot(_ id: GoID) -> Int? {
        slots[id].map { Int($0) }
    }

    /// The index of goroutine `g`'s pending state, giving it an (all unset) entry if it has none.
    @inline(__always)
    private mutating func liveIndex(_ g: Int) -> Int {
        let l = gs[g].live
        return l >= 0 ? Int(l) : attachLive(g)
    }

    private mutating func attachLive(_ g: Int) -> Int {
        let l: Int
        if let free = freeLive.popLast() {
            l = Int(free)
        } else {
            l = live.count
            live.append(SummarizerLive(lastBlockReason: emptyReason))
        }
        gs[g].live = Int32(l)
        return l
    }

    /// Resets goroutine `g`'s pending state to unset (Go's `goroutineSummary` reset at its end).
    private mutating func releaseLive(_ g: Int) {
        let l = gs[g].live
        guard l >= 0 else { return }
        live[Int(l)] = SummarizerLive(lastBlockReason: emptyReason)
        freeLive.append(l)
        gs[g].live = -1
    }

    /// The innermost active region of goroutine `g`, if any.
    private func innermostActiveRegion(_ g: Int) -> Int? {
        let l = gs[g].live
        return l >= 0 ? live[Int(l)].activeRegions.last : nil
    }

    // MARK: State transitions

    /// Starts a new summary for goroutine `id` (replacing any previous one, as Go does), with
    /// its pending state all unset.
    private mutating func newGoroutine(_ id: GoID, creationTime: Int64) -> Int {
        let g: Int
        if let i = slot(id) {
            // The replaced summary is unreachable from now on (as in Go): reuse its slot.
            releaseLive(i)
            gs[i] = SummarizerGoroutine(id: id, creationTime: creationTime, name: emptyName, previous: gs[i])
            g = i
        } else {
            g = gs.count
            gs.append(SummarizerGoroutine(id: id, creationTime: creationTime, name: emptyName, previous: nil))
            slots.set(id, Int32(g))
        }
        _ = attachLive(g)
        return g
    }

    private mutating func goroutineTransition(_ ev: Event, _ st: StateTransition) {
        let id = st.resource.id
        let (old, new) = st.goroutine
        if old == new { return } // Nothing new.

        let t = ev.time
        let g: Int
        let l: Int
        let existing = slot(id)
        // Transition out of `old`.
        if old == .notExist {
            g = newGoroutine(id, creationTime: t)
            l = Int(gs[g].live)
            // A new goroutine inherits the task of its creator's innermost active region, through a
            // synthetic region starting at the creation event.
            if ev.goroutine != noGoroutine, let creator = slot(ev.goroutine),
               let top = innermostActiveRegion(creator) {
                let r = newRegion(SummarizerRegion(taskID: regions[top].taskID, name: "", start: ev))
                live[l].activeRegions = [r]
            }
        } else if old == .undetermined || existing == nil {
            // First seen through GoStatus: created at the last Sync, and the time since then is
            // credited to the new state. (A transition out of a real state for an unknown goroutine
            // would crash Go; it is handled the same way here.)
            g = newGoroutine(id, creationTime: syncTs)
            l = Int(gs[g].live)
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
            l = liveIndex(g)
            switch old {
            case .running:
                gs[g].stats.exec &+= t &- live[l].lastStartTime
                live[l].lastStartTime = 0
            case .waiting:
                if live[l].lastBlockTime != 0 {
                    gs[g].stats.block.add(live[l].lastBlockReason, t &- live[l].lastBlockTime)
                    live[l].lastBlockTime = 0
                }
            case .runnable:
                if live[l].lastRunnableTime != 0 {
                    gs[g].stats.schedWait &+= t &- live[l].lastRunnableTime
                    live[l].lastRunnableTime = 0
                }
            case .syscall:
                if live[l].lastSyscallTime != 0 {
                    if live[l].lastSyscallBlockTime != 0 {
                        gs[g].stats.syscallBlock &+= t &- live[l].lastSyscallBlockTime
                        gs[g].stats.syscall &+= live[l].lastSyscallBlockTime &- live[l].lastSyscallTime
                    } else {
                        gs[g].stats.syscall &+= t &- live[l].lastSyscallTime
                    }
                    live[l].lastSyscallTime = 0
                    live[l].lastSyscallBlockTime = 0
                    // Go deletes syscallingP[syscallingG[id]], i.e. P 0 when there is no binding.
                    syscallingP[syscallingG.removeValue(forKey: id) ?? 0] = nil
                }
            default:
                break
            }
        }

        // Name the goroutine after the root frame of the first transition stack seen.
        if gs[g].name == emptyName, !st.stack.isEmpty, let root = st.stack.frames.last {
            gs[g].pc = root.pc
            gs[g].name = names.id(root.function)
        }

        // tracegolden's extra facts.
        gs[g].finalState = new
        if new == .running { gs[g].lastRunningTransition = t }

        // Transition into `new`.
        switch new {
        case .running:
            live[l].lastStartTime = t
            if gs[g].startTime == 0 { gs[g].startTime = t }
        case .runnable:
            live[l].lastRunnableTime = t
        case .waiting:
            if st.reason != "forever" {
                live[l].lastBlockTime = t
                live[l].lastBlockReason = reasons.id(st.reason)
            } else {
                finalize(g, lastTs: t, trigger: ev) // "forever" is like goroutine death.
            }
        case .notExist:
            finalize(g, lastTs: t, trigger: ev)
        case .syscall:
            syscallingP[ev.proc] = id
            syscallingG[id] = ev.proc
            live[l].lastSyscallTime = t
        case .undetermined:
            break
        }
    }

    private mutating func procTransition(_ ev: Event, _ st: StateTransition) {
        // A P going idle while its goroutine is in a syscall: the syscall is now blocking.
        let (old, new) = st.proc
        guard old != new, new == .idle else { return }
        if let goid = syscallingP.removeValue(forKey: st.resource.id), let g = slot(goid) {
            live[liveIndex(g)].lastSyscallBlockTime = ev.time
        }
    }

    // MARK: Ranges

    private mutating func rangeBegin(_ ev: Event, _ r: Range, active: Bool) {
        let g: Int?
        let name: Int32
        switch r.scope.kind {
        case .goroutine:
            g = slot(r.scope.id)
            name = rangeNames.id(r.name)
        case .proc:
            // Bound to the P, not the goroutine; attributed to the goroutine running now if the
            // range also ends on it.
            g = slot(ev.goroutine)
            name = rangeNames.id(r.name)
            if g != nil { rangesP[SummarizerRangeOnProc(proc: r.scope.id, name: name)] = ev.goroutine }
        default:
            return
        }
        guard let g else { return }
        let l = liveIndex(g)
        if active {
            let ts = live[l].lastRangeTime[name]
            if ts != 0 { gs[g].stats.range.add(name, syncTs &- ts) }
            live[l].lastRangeTime.set(name, syncTs)
        } else {
            live[l].lastRangeTime.set(name, ev.time)
        }
    }

    private mutating func rangeEnd(_ ev: Event, _ r: Range) {
        var g: Int?
        let name: Int32
        switch r.scope.kind {
        case .goroutine:
            name = rangeNames.id(r.name)
            g = slot(r.scope.id)
        case .proc:
            name = rangeNames.id(r.name)
            let key = SummarizerRangeOnProc(proc: r.scope.id, name: name)
            if let goid = rangesP.removeValue(forKey: key), goid == ev.goroutine {
                g = slot(goid)
            }
        default:
            return
        }
        guard let g else { return }
        let l = gs[g].live
        guard l >= 0 else { return } // No pending state: no range in progress.
        let ts = live[Int(l)].lastRangeTime[name]
        guard ts != 0 else { return }
        gs[g].stats.range.add(name, ev.time &- ts)
        live[Int(l)].lastRangeTime.remove(name)
    }

    // MARK: Regions and tasks

    private mutating func regionBegin(_ ev: Event, _ r: Region) {
        guard let g = slot(ev.goroutine) else { return }
        let idx = newRegion(SummarizerRegion(taskID: r.task, name: r.type, start: ev, stats: snapshot(g, lastTs: ev.time)))
        live[liveIndex(g)].activeRegions.append(idx)
        let ti = task(r.task)
        tasks[ti].regions.append(idx)
        tasks[ti].goroutines.insert(gs[g].id)
    }

    private mutating func regionEnd(_ ev: Event, _ r: Region) {
        guard let g = slot(ev.goroutine) else { return }
        let idx: Int
        let l = gs[g].live
        if l >= 0, let top = live[Int(l)].activeRegions.popLast() {
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
        var ret = gs[i].stats
        if ret.total == 0 { ret.total = lastTs &- gs[i].creationTime }
        let l = gs[i].live
        guard l >= 0 else { return ret } // Nothing pending.
        let p = live[Int(l)]
        if p.lastStartTime != 0 { ret.exec &+= lastTs &- p.lastStartTime }
        if p.lastRunnableTime != 0 { ret.schedWait &+= lastTs &- p.lastRunnableTime }
        if p.lastBlockTime != 0 { ret.block.add(p.lastBlockReason, lastTs &- p.lastBlockTime) }
        if p.lastSyscallTime != 0 { ret.syscall &+= lastTs &- p.lastSyscallTime }
        // Go's quirk: the blocked part of an in-progress syscall goes to sched wait (and is also
        // inside the syscall time above).
        if p.lastSyscallBlockTime != 0 { ret.schedWait &+= lastTs &- p.lastSyscallBlockTime }
        for e in p.lastRangeTime.entries {
            ret.range.add(e.key, lastTs &- e.value)
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
        let l = gs[g].live
        if l >= 0 && !live[Int(l)].activeRegions.isEmpty && !isSystemGoroutine(names[gs[g].name]) {
            for idx in live[Int(l)].activeRegions {
                regions[idx].end = trigger
                regions[idx].stats = finalStat.subtracting(regions[idx].stats)
                gs[g].regions.append(idx)
            }
        }
        releaseLive(g)
    }

    /// The first half of Go's `Finalize`: closes every goroutine still open at the last event.
    /// Idempotent.
    private mutating func close() {
        guard !closed else { return }
        closed = true
        let open = slots // (a copy: finalizing mutates self)
        open.forEachSorted { _, g in finalize(Int(g), lastTs: lastTs, trigger: nil) }
        live = []
        freeLive = []
    }

    private func publicRegion(_ idx: Int) -> RegionSummary {
        let r = regions[idx]
        return RegionSummary(taskID: r.taskID, name: r.name, start: r.start, end: r.end,
                             stats: r.stats.publicStats(reasons: reasons, ranges: rangeNames))
    }

    /// The public summary of the goroutine in slot `i` (after ``close()``).
    private func goroutineSummary(_ i: Int, region: (Int) -> RegionSummary) -> GoroutineSummary {
        let g = gs[i]
        // Sort by start time, regions without a start first (stable for ties).
        let regionList = g.regions.map(region).enumerated().sorted { a, b in
            switch (a.element.start?.time, b.element.start?.time) {
            case (nil, nil): return a.offset < b.offset
            case (nil, _): return true
            case (_, nil): return false
            case (let x?, let y?): return x != y ? x < y : a.offset < b.offset
            }
        }.map(\.element)
        return GoroutineSummary(
            id: g.id, name: names[g.name], pc: g.pc, creationTime: g.creationTime,
            startTime: g.startTime == 0 ? nil : g.startTime,
            endTime: g.endTime == 0 ? nil : g.endTime,
            lastStartTime: g.lastRunningTransition == 0 ? nil : g.lastRunningTransition,
            finalState: g.finalState,
            stats: g.stats.publicStats(reasons: reasons, ranges: rangeNames),
            regions: regionList)
    }

    /// Go's `Finalize`. With `includingGoroutines` false the summary's `goroutines` is left empty:
    /// take them from ``forEachGoroutine(_:)`` instead.
    mutating func finalize(includingGoroutines: Bool = true) -> TraceSummary {
        close()
        let publicRegions = regions.indices.map { publicRegion($0) }
        var out: [GoID: GoroutineSummary] = [:]
        if includingGoroutines {
            out.reserveCapacity(slots.count)
            slots.forEachSorted { id, i in out[id] = goroutineSummary(Int(i)) { publicRegions[$0] } }
        }
        var ts = [TaskID: TaskSummary](minimumCapacity: tasks.count)
        for t in tasks {
            ts[t.id] = TaskSummary(id: t.id, name: t.name, parent: t.parent, children: t.children,
                                   start: t.start, end: t.end, logs: t.logs,
                                   regions: t.regions.map { publicRegions[$0] }, goroutines: t.goroutines)
        }
        return TraceSummary(goroutines: out, tasks: ts, startTime: firstTs, endTime: firstTs == nil ? nil : lastTs)
    }

    /// The number of goroutines summarized.
    var goroutineCount: Int { slots.count }

    /// Every goroutine's summary, by increasing id (after ``finalize(includingGoroutines:)``).
    func forEachGoroutine(_ body: (GoroutineSummary) throws -> Void) rethrows {
        precondition(closed, "forEachGoroutine before finalize")
        try slots.forEachSorted { _, i in try body(goroutineSummary(Int(i)) { publicRegion($0) }) }
    }

    /// Goroutine `id`'s start and end time as its summary has them (nil: unset); nil if the
    /// goroutine is unknown.
    func lifetime(of id: GoID) -> (start: Int64?, end: Int64?)? {
        guard let i = slot(id) else { return nil }
        let g = gs[i]
        return (g.startTime == 0 ? nil : g.startTime, g.endTime == 0 ? nil : g.endTime)
    }
}

// MARK: - Internal state

struct SummarizerRangeOnProc: Hashable {
    var proc: ProcID
    var name: Int32
}

/// A goroutine being summarized (Go's `GoroutineSummary`), without the pending state of its
/// private `goroutineSummary` (see ``SummarizerLive``): kept for every goroutine until the end, so
/// it is kept small (128 bytes).
struct SummarizerGoroutine {
    let id: GoID
    var pc: UInt64 = 0
    var creationTime: Int64
    var startTime: Int64 = 0
    var endTime: Int64 = 0
    // tracegolden's per-goroutine-id fact (kept if the id is ever re-created).
    var lastRunningTransition: Int64 = 0
    var stats = SummarizerStats()
    /// Finished regions (indices into the summarizer's region store).
    var regions: [Int] = []
    /// The interned name.
    var name: Int32
    /// The index of its pending state in the summarizer's `live` store, or -1 if all unset.
    var live: Int32 = -1
    // tracegolden's per-goroutine-id fact (kept if the id is ever re-created).
    var finalState: GoState = .undetermined

    init(id: GoID, creationTime: Int64, name: Int32, previous: SummarizerGoroutine?) {
        self.id = id
        self.creationTime = creationTime
        self.name = name
        if let previous {
            lastRunningTransition = previous.lastRunningTransition
            finalState = previous.finalState
        }
    }
}

/// The pending state of a goroutine (0 = unset), all unset again when it ends.
struct SummarizerLive {
    var lastStartTime: Int64 = 0
    var lastRunnableTime: Int64 = 0
    var lastBlockTime: Int64 = 0
    var lastSyscallTime: Int64 = 0
    var lastSyscallBlockTime: Int64 = 0
    var lastRangeTime = AnalysisSmallMap()
    var activeRegions: [Int] = []
    var lastBlockReason: Int32

    init(lastBlockReason: Int32) { self.lastBlockReason = lastBlockReason }
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
