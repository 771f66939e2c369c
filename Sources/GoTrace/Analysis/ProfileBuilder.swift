// The pprof-style profiles of `go tool trace` (cmd/trace/pprof.go: makeComputePprofFunc,
// pprofMatchingGoroutines, pprofOverlappingDuration, stackMap), computed in one streaming pass.

/// The four profiles `go tool trace -pprof=…` (and the /sched, /io, /block, /syscall pages) produce.
public enum ProfileKind: Int, CaseIterable, Sendable, Hashable {
    /// Scheduler latency: Runnable (any reason) until the next change of state.
    case sched
    /// Network blocking: Waiting with reason `"network"`.
    case io
    /// Synchronization blocking: Waiting with a reason containing `chan`, `sync` or `select`.
    case block
    /// Syscalls (any reason), including the part after the P was taken away.
    case syscall

    /// tracegolden's profile name: `sched`, `io`, `block`, `syscall`.
    public var name: String {
        switch self {
        case .sched: "sched"
        case .io: "io"
        case .block: "block"
        case .syscall: "syscall"
        }
    }

    /// The `go tool trace -pprof=` value: `sched`, `net`, `sync`, `syscall`.
    public var pprofFlag: String {
        switch self {
        case .sched: "sched"
        case .io: "net"
        case .block: "sync"
        case .syscall: "syscall"
        }
    }

    /// The goroutine state whose intervals the profile measures.
    public var state: GoState {
        switch self {
        case .sched: .runnable
        case .io, .block: .waiting
        case .syscall: .syscall
        }
    }

    /// Whether a transition into ``state`` with this reason starts an interval.
    public func tracks(reason: String) -> Bool {
        switch self {
        case .sched, .syscall: true
        case .io: reason == "network"
        case .block: Self.isSynchronization(reason: reason)
        }
    }

    /// Whether a wait reason is a synchronization one, the waits of the block profile and of the sync
    /// category of Go's goroutine analysis: Go's `strings.Contains(reason, "chan") || … "sync" || …
    /// "select"`. Matched on the UTF-8 bytes, as Go matches: `String.contains` compares Characters, so a
    /// combining mark after "chan" (one Character "n\u{301}") would hide the match Go makes.
    public static func isSynchronization(reason: String) -> Bool {
        let r = reason.utf8
        return r.firstRange(of: "chan".utf8) != nil || r.firstRange(of: "sync".utf8) != nil
            || r.firstRange(of: "select".utf8) != nil
    }
}

/// One stack of a profile (cmd/trace's `traceviewer.ProfileRecord`).
public struct ProfileRecord: Sendable {
    /// The stack of the event that moved the goroutine into the state, leaf first, at most 128
    /// frames. Empty when that event had no stack (e.g. an unblock by the scheduler or netpoller).
    public var frames: [StackFrame]
    /// How many intervals were counted.
    public var count: UInt64
    /// Their total duration in nanoseconds (after clipping to the goroutine's lifetime).
    public var time: Int64

    /// The PCs of ``frames``: what records are merged by.
    public var pcs: [UInt64] { frames.map(\.pc) }
}

/// One computed profile.
public struct Profile: Sendable {
    public var kind: ProfileKind
    /// The records, by time descending, then count descending, then the `;`-joined function names,
    /// then the `;`-joined hex PCs (tracegolden's profiles.tsv order).
    public var records: [ProfileRecord]
    /// Intervals that entered the profile.
    public var samplesCounted: Int
    /// Closed intervals dropped because they don't overlap the goroutine's lifetime.
    public var samplesWithZeroOverlap: Int
    /// Intervals still open at the end of the trace (always dropped).
    public var samplesOpenAtEnd: Int

    /// The sum of the records' ``ProfileRecord/time``.
    public var totalTime: Int64 { records.reduce(0) { $0 &+ $1.time } }
    /// The sum of the records' ``ProfileRecord/count``.
    public var totalCount: UInt64 { records.reduce(0) { $0 &+ $1.count } }
}

/// Computes `go tool trace`'s pprof-style profiles (see ``ProfileKind``) from the event stream,
/// exactly as cmd/trace does for all goroutines:
///
/// - An interval starts at a goroutine's transition into the profile's state (with a matching
///   reason) and ends at its first transition to a *different* state; repeated transitions into the
///   same state (GoStatus at generation boundaries) keep it open.
/// - Its stack is the stack of the event that started it (for GoUnblock the unblocking goroutine's
///   stack, for GoCreate the creator's, for GoSyscallEndBlocked none); records are merged by the
///   list of their first 128 PCs, not by function names.
/// - It counts for its overlap with the goroutine's `[StartTime, EndTime or trace end]` from the
///   ``GoroutineSummarizer`` — StartTime is the goroutine's *first run*, so the wait before a
///   goroutine first runs is dropped; a goroutine that never ran has StartTime 0. Intervals with no
///   overlap add nothing.
/// - Intervals still open at the end of the trace are dropped.
///
/// ```swift
/// let summarizer = GoroutineSummarizer(), profiles = ProfileBuilder()
/// while let event = try reader.next() { summarizer.feed(event); profiles.feed(event) }
/// let result = profiles.finalize(summary: summarizer.finalize())
/// ```
///
/// Most intervals are resolved as they end (the goroutine has already run and is still alive, so
/// its lifetime clip is known); only intervals of goroutines that have not run yet or have ended are
/// kept until ``finalize(summary:)``. Goroutine ids are assumed not to be reused (the Go runtime
/// never reuses them).
public final class ProfileBuilder {
    public let kinds: [ProfileKind]
    private var engine: ProfileEngine
    private var result: [Profile]?

    /// - Parameter kinds: the profiles to compute (all four by default).
    public init(kinds: [ProfileKind] = ProfileKind.allCases) {
        var seen = Set<ProfileKind>()
        self.kinds = kinds.filter { seen.insert($0).inserted }
        engine = ProfileEngine(kinds: self.kinds)
    }

    /// Feeds the next event of the trace (in reader order).
    public func feed(_ ev: Event) {
        precondition(result == nil, "ProfileBuilder.feed called after finalize")
        engine.feed(ev, ev.kind == .stateTransition ? ev.payload : .none)
    }

    /// Resolves the remaining intervals against the goroutines' final StartTime/EndTime from
    /// `summary` and returns the profiles in the order of ``kinds``. Call it once, after the last
    /// event; later calls return the same profiles.
    public func finalize(summary: TraceSummary) -> [Profile] {
        if let result { return result }
        let profiles = engine.finalize { id in summary.goroutines[id].map { ($0.startTime, $0.endTime) } }
        result = profiles
        return profiles
    }
}

/// The state and logic of ``ProfileBuilder``, a struct mutated in place (one exclusivity check per
/// event).
struct ProfileEngine {
    /// An interval in progress.
    private struct OpenInterval {
        var start: Int64
        var stack: Stack
    }

    private struct GoroutineTrack {
        /// The Summarizer's StartTime so far (0 = has not run).
        var startTime: Int64 = 0
        /// The Summarizer has set EndTime.
        var ended = false
    }

    /// A closed interval whose lifetime clip is only known at the end.
    private struct PendingSample {
        var goroutine: GoID
        var start: Int64
        var end: Int64
        var stack: Stack
    }

    private struct Accumulator {
        let kind: ProfileKind
        let state: GoState
        var stacks = ProfileStackRecords()
        var pending: [PendingSample] = []
        /// The interval in progress of each goroutine (by slot).
        var open: ContiguousArray<OpenInterval?> = []
        var counted = 0
        var zeroOverlap = 0

        init(kind: ProfileKind) {
            self.kind = kind
            state = kind.state
        }

        mutating func add(_ overlap: Int64, _ stack: Stack) {
            if overlap > 0 {
                stacks.add(stack, time: overlap)
                counted += 1
            } else {
                zeroOverlap += 1
            }
        }
    }

    /// Per-goroutine state, by slot.
    private var slots: [GoID: Int] = [:]
    private var tracks: [GoroutineTrack] = []
    private var accs: [Accumulator]
    private var blockReasonCache: [String: Bool] = [:]
    private var lastTime: Int64 = 0

    init(kinds: [ProfileKind]) {
        accs = kinds.map { Accumulator(kind: $0) }
    }

    private mutating func matches(_ kind: ProfileKind, _ reason: String) -> Bool {
        guard kind == .block else { return kind.tracks(reason: reason) }
        if let cached = blockReasonCache[reason] { return cached }
        let v = kind.tracks(reason: reason)
        blockReasonCache[reason] = v
        return v
    }

    /// Feeds an event with its decoded payload (only state transitions matter).
    mutating func feed(_ ev: Event, _ payload: EventPayload) {
        lastTime = ev.time
        // No profiles asked for: no per-goroutine state to keep.
        guard !accs.isEmpty, case .stateTransition(let st) = payload, st.resource.kind == .goroutine else { return }
        let id = st.resource.id
        let (old, new) = st.goroutine
        let t = ev.time

        let i: Int
        if let existing = slots[id] {
            i = existing
        } else {
            i = tracks.count
            tracks.append(GoroutineTrack())
            slots[id] = i
            for k in accs.indices { accs[k].open.append(nil) }
        }
        // Mirror the Summarizer's StartTime/EndTime as of this event.
        if old != new {
            if old == .notExist || old == .undetermined {
                tracks[i].startTime = 0
                tracks[i].ended = false
            }
            if new == .running && tracks[i].startTime == 0 { tracks[i].startTime = t }
            if new == .notExist || (new == .waiting && st.reason == "forever") { tracks[i].ended = true }
        }

        for k in accs.indices {
            guard let open = accs[k].open[i] else {
                if new == accs[k].state && matches(accs[k].kind, st.reason) {
                    accs[k].open[i] = OpenInterval(start: t, stack: ev.stack)
                }
                continue
            }
            if new == accs[k].state { continue }
            accs[k].open[i] = nil
            let start = tracks[i].startTime
            if start != 0 && !tracks[i].ended {
                // Lifetime clip known: [start, end ≥ t].
                accs[k].add(t - Swift.max(open.start, start), open.stack)
            } else {
                accs[k].pending.append(PendingSample(goroutine: id, start: open.start, end: t, stack: open.stack))
            }
        }
    }

    /// - Parameter lifetime: a goroutine's final StartTime and EndTime as the Summarizer has them
    ///   (nil: unset); nil for a goroutine the Summarizer does not know.
    mutating func finalize(lifetime: (GoID) -> (start: Int64?, end: Int64?)?) -> [Profile] {
        let traceEnd = lastTime
        var profiles: [Profile] = []
        for k in accs.indices {
            for s in accs[k].pending {
                var overlap: Int64 = 0
                if let g = lifetime(s.goroutine) {
                    overlap = Self.overlap(lifetime: (g.start ?? 0, g.end ?? traceEnd), sample: (s.start, s.end))
                }
                accs[k].add(overlap, s.stack)
            }
            accs[k].pending = []
            let openAtEnd = accs[k].open.reduce(0) { $0 + ($1 == nil ? 0 : 1) }
            profiles.append(Profile(kind: accs[k].kind, records: accs[k].stacks.sortedRecords(),
                                    samplesCounted: accs[k].counted, samplesWithZeroOverlap: accs[k].zeroOverlap,
                                    samplesOpenAtEnd: openAtEnd))
        }
        return profiles
    }

    /// cmd/trace `interval.overlap`.
    static func overlap(lifetime i1: (start: Int64, end: Int64), sample i2: (start: Int64, end: Int64)) -> Int64 {
        if i1.end < i2.start || i2.end < i1.start { return 0 }
        return Swift.min(i1.end, i2.end) - Swift.max(i1.start, i2.start)
    }
}

/// cmd/trace's `stackMap`: profile records keyed by stack, merged by PC list (first 128 PCs).
struct ProfileStackRecords {
    static let maxStack = 128

    private struct StackKey: Hashable {
        var generation: UInt64
        var id: UInt64
        init(_ s: Stack) {
            // Every "no stack" is Go's single NoStack.
            if s.isEmpty { generation = 0; id = 0 } else { generation = s.generation; id = s.id }
        }
    }

    private struct Record {
        var key: StackKey
        var frames: [StackFrame]
        var count: UInt64 = 0
        var time: Int64 = 0
    }

    private var records: [Record] = []
    private var byStack: [StackKey: Int] = [:]
    private var byPCs: [[UInt64]: Int] = [:]

    mutating func add(_ stack: Stack, time: Int64) {
        let i = index(stack)
        records[i].count &+= 1
        records[i].time &+= time
    }

    private mutating func index(_ stack: Stack) -> Int {
        let key = StackKey(stack)
        if let i = byStack[key], records[i].key == key { return i }
        // Go compares zero-padded [128]uint64 arrays: trailing zero PCs don't matter.
        var pcs = stack.frames.prefix(Self.maxStack).map(\.pc)
        while pcs.last == 0 { pcs.removeLast() }
        let frames = Array(stack.frames.prefix(Self.maxStack))
        let i: Int
        if let existing = byPCs[pcs] {
            // Same PCs under another stack: the record moves to this stack (and its frames).
            i = existing
            records[i].key = key
            records[i].frames = frames
        } else {
            i = records.count
            records.append(Record(key: key, frames: frames))
            byPCs[pcs] = i
        }
        byStack[key] = i
        return i
    }

    /// The records by time desc, count desc, joined function names, joined hex PCs.
    func sortedRecords() -> [ProfileRecord] {
        let keyed = records.map { r in
            (record: ProfileRecord(frames: r.frames, count: r.count, time: r.time),
             funcs: r.frames.map(\.function).joined(separator: ";"),
             pcs: r.frames.map { "0x" + String($0.pc, radix: 16) }.joined(separator: ";"))
        }
        return keyed.sorted { a, b in
            if a.record.time != b.record.time { return a.record.time > b.record.time }
            if a.record.count != b.record.count { return a.record.count > b.record.count }
            if a.funcs != b.funcs { return a.funcs.utf8.lexicographicallyPrecedes(b.funcs.utf8) }
            return a.pcs.utf8.lexicographicallyPrecedes(b.pcs.utf8)
        }.map(\.record)
    }
}
