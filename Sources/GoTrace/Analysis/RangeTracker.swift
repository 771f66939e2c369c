// Pairing of runtime ranges (GC cycles, stop-the-world, sweeps, mark assists) into intervals, as
// cmd/trace/gen.go does and as tracegolden writes them to ranges.tsv, gc.tsv and stw.tsv.

/// One runtime range, from its RangeBegin (or first-generation RangeActive) to its RangeEnd.
public struct RangeInterval: Sendable {
    /// How the interval started.
    public enum StartKind: String, Sendable {
        /// A RangeBegin event.
        case begin = "Begin"
        /// A RangeActive in the first generation: active since the start of the trace.
        case active = "Active"
        /// A RangeEnd with no begin: the start is unknown.
        case none = "none"
    }
    /// How the interval ended.
    public enum EndKind: String, Sendable {
        /// A RangeEnd event.
        case end = "End"
        /// Still open at the end of the trace.
        case traceEnd = "trace_end"
    }

    /// The range name, e.g. `GC concurrent mark phase`, `stop-the-world (GC sweep termination)`.
    public var name: String
    /// What the range is bound to: nothing (GC cycles), a P (sweeps) or a goroutine (mark assists,
    /// and stop-the-world: the goroutine that stopped the world).
    public var scope: ResourceID
    public var startKind: StartKind
    public var endKind: EndKind
    /// The RangeBegin time, the trace start for ``StartKind/active``, nil for ``StartKind/none``.
    public var startTime: Int64?
    /// The RangeEnd time, or the trace end.
    public var endTime: Int64
    /// The time of the RangeActive event, for ``StartKind/active``.
    public var activeEventTime: Int64?
    /// The stack of the starting event (RangeBegin or RangeActive); empty otherwise.
    public var startStack: Stack

    /// `endTime - startTime`; nil when the start is unknown.
    public var duration: Int64? { startTime.map { endTime - $0 } }

    /// tracegolden's `scope_id`: the goroutine or P id, -1 for no scope.
    public var scopeID: Int64 { scope.kind == .none ? -1 : scope.id }

    /// A GC cycle (`GC concurrent mark phase`), as the trace viewer's GC row shows.
    public var isGCCycle: Bool { name == "GC concurrent mark phase" }

    /// For `stop-the-world (REASON)` ranges, REASON (e.g. `GC mark termination`); nil otherwise.
    public var stopTheWorldReason: String? {
        let prefix = "stop-the-world ("
        guard name.hasPrefix(prefix) else { return nil }
        var reason = name.dropFirst(prefix.count)
        if reason.hasSuffix(")") { reason = reason.dropLast() }
        return String(reason)
    }

    /// Go's `isGCSTW`: a stop-the-world range whose name mentions the GC.
    public var isGCStopTheWorld: Bool { isGCSTWRangeName(name) }
}

/// Pairs RangeBegin/RangeActive/RangeEnd events on (name, scope) into ``RangeInterval``s.
///
/// - A RangeActive in the first generation (before the second Sync event) means the range was
///   already active when the trace started: it starts at the trace start. Later RangeActive events
///   (re-assertions at generation boundaries) are ignored.
/// - A RangeBegin on a (name, scope) that is already open replaces the open one, as in cmd/trace.
/// - A RangeEnd without an open range gives an interval with an unknown start.
/// - Ranges still open at the end are closed at the last event (the trace end).
public final class RangeTracker {
    private var engine = RangeEngine()

    public init() {}

    /// Feeds the next event of the trace (in reader order).
    public func feed(_ ev: Event) {
        engine.feed(ev, RangeEngine.uses(ev.kind) ? ev.payload : .none)
    }

    /// Every range seen, the ones still open closed at the last event, sorted by start time
    /// (unknown starts first), end time, name and scope id, as tracegolden's ranges.tsv.
    public func finalize() -> [RangeInterval] { engine.finalize() }
}

/// The state and logic of ``RangeTracker``.
struct RangeEngine {
    private struct Key: Hashable {
        var name: Int32
        var kind: ResourceKind
        var id: Int64
    }

    private var names = AnalysisInterner()
    private var open: [Key: RangeInterval] = [:]
    private var done: [RangeInterval] = []
    private var seenSync = 0
    private var firstTime: Int64?
    private var lastTime: Int64 = 0
    /// The start stacks, detached from their generation's tables (see ``detach(_:)``): by wire id,
    /// for the generation `detachedGeneration`, and every distinct frame list seen.
    private var detachedGeneration: UInt64 = 0
    private var detached: [UInt64: Stack] = [:]
    private var frameLists = Set<[StackFrame]>()

    /// Whether events of this kind matter (their payload is needed).
    static func uses(_ kind: EventKind) -> Bool {
        switch kind {
        case .sync, .rangeBegin, .rangeActive, .rangeEnd: true
        default: false
        }
    }

    /// Feeds an event with its decoded payload (`.none` is fine for kinds ``uses(_:)`` rejects).
    mutating func feed(_ ev: Event, _ payload: EventPayload) {
        if firstTime == nil { firstTime = ev.time }
        lastTime = ev.time
        switch payload {
        case .sync:
            seenSync += 1
        case .range(let r, _):
            let key = Key(name: names.id(r.name), kind: r.scope.kind, id: r.scope.kind == .none ? -1 : r.scope.id)
            switch ev.kind {
            case .rangeBegin:
                open[key] = RangeInterval(name: r.name, scope: r.scope, startKind: .begin, endKind: .end,
                                          startTime: ev.time, endTime: 0, activeEventTime: nil,
                                          startStack: detach(ev.stack))
            case .rangeActive:
                if seenSync < 2 {
                    open[key] = RangeInterval(name: r.name, scope: r.scope, startKind: .active, endKind: .end,
                                              startTime: firstTime, endTime: 0, activeEventTime: ev.time,
                                              startStack: detach(ev.stack))
                }
            case .rangeEnd:
                var interval = open.removeValue(forKey: key)
                    ?? RangeInterval(name: r.name, scope: r.scope, startKind: .none, endKind: .end,
                                     startTime: nil, endTime: 0, activeEventTime: nil, startStack: .empty)
                interval.endTime = ev.time
                interval.endKind = .end
                done.append(interval)
            default:
                break
            }
        default:
            break
        }
    }

    /// The same stack (id, generation and frames) without the reference to its generation's tables
    /// that a stack read from a trace holds: every range kept until the end would otherwise keep all
    /// of its generation's strings and stacks alive, i.e. those of every generation of the trace.
    /// Frame lists are shared between the stacks that have the same frames.
    private mutating func detach(_ stack: Stack) -> Stack {
        guard case .table? = stack.source else { return stack }
        if stack.generation != detachedGeneration {
            detached.removeAll()
            detachedGeneration = stack.generation
        }
        if let d = detached[stack.id] { return d }
        let frames = frameLists.insert(stack.frames).memberAfterInsert
        let d = Stack(id: stack.id, generation: stack.generation, frames: frames)
        detached[stack.id] = d
        return d
    }

    func finalize() -> [RangeInterval] {
        var all = done
        for var interval in open.values {
            interval.endTime = lastTime
            interval.endKind = .traceEnd
            all.append(interval)
        }
        return all.enumerated().sorted { a, b in
            let x = a.element, y = b.element
            let xs = x.startTime ?? 0, ys = y.startTime ?? 0
            if xs != ys { return xs < ys }
            if x.endTime != y.endTime { return x.endTime < y.endTime }
            if x.name != y.name { return x.name.utf8.lexicographicallyPrecedes(y.name.utf8) }
            if x.scopeID != y.scopeID { return x.scopeID < y.scopeID }
            return a.offset < b.offset
        }.map(\.element)
    }
}
