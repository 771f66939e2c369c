// Execution statistics of a goroutine (or of a region of it), as in Go's
// internal/trace/summary.go `GoroutineExecStats`.

/// Time a goroutine spent in each state during a period (`trace.GoroutineExecStats`).
///
/// All durations are nanoseconds. `execTime`, `schedWaitTime`, `syscallTime`, `syscallBlockTime` and
/// the values of `blockTimeByReason` do not overlap each other; `totalTime` and `rangeTime` overlap them.
public struct GoroutineExecStats: Sendable, Equatable {
    /// Time spent Running.
    public var execTime: Int64 = 0
    /// Time spent Runnable (waiting for a P). See the snapshot quirk on ``GoroutineSummarizer``.
    public var schedWaitTime: Int64 = 0
    /// Time spent Waiting, by the runtime's block reason (`"chan receive"`, `"sleep"`, `""`, …).
    /// Keys whose value is 0 can be present, exactly as in Go.
    public var blockTimeByReason: [String: Int64] = [:]
    /// Time spent in syscalls while the goroutine's P stayed attached.
    public var syscallTime: Int64 = 0
    /// Time spent in syscalls after the P was taken away (the P went Idle).
    public var syscallBlockTime: Int64 = 0
    /// How long the goroutine (or region) existed in the trace.
    public var totalTime: Int64 = 0
    /// Time spent inside runtime ranges such as `GC mark assist`, by range name (overlaps the rest).
    public var rangeTime: [String: Int64] = [:]

    public init() {}

    /// The sum of ``blockTimeByReason``.
    public var blockTime: Int64 { blockTimeByReason.values.reduce(0, &+) }

    /// The sum of ``rangeTime``.
    public var totalRangeTime: Int64 { rangeTime.values.reduce(0, &+) }

    /// Go's `UnknownTime()`: ``totalTime`` minus the non-overlapping stats, or 0 if that is negative.
    public var unknownTime: Int64 {
        let sum = execTime &+ schedWaitTime &+ syscallTime &+ syscallBlockTime &+ blockTime
        return sum < totalTime ? totalTime &- sum : 0
    }

    /// Go's `NonOverlappingStats()`: the labelled durations the goroutine analysis page shows.
    public var nonOverlappingStats: [String: Int64] {
        var stats: [String: Int64] = [
            "Execution time": execTime,
            "Sched wait time": schedWaitTime,
            "Syscall execution time": syscallTime,
            "Block time (syscall)": syscallBlockTime,
            "Unknown time": unknownTime,
        ]
        for (reason, ns) in blockTimeByReason {
            stats["Block time (\(reason))", default: 0] &+= ns
        }
        return stats
    }
}

// MARK: - Internal compact representation

/// Interns the strings used as map keys (block reasons, range names) so the hot path can use small
/// integer keys instead of hashing strings into per-goroutine dictionaries.
struct AnalysisInterner {
    private var ids: [String: Int32] = [:]
    private(set) var strings: [String] = []

    mutating func id(_ s: String) -> Int32 {
        if let id = ids[s] { return id }
        let id = Int32(strings.count)
        ids[s] = id
        strings.append(s)
        return id
    }

    subscript(id: Int32) -> String { strings[Int(id)] }
}

/// A tiny map from interned key to value. Goroutines see only a handful of distinct block reasons
/// and range names, so a linear scan beats hashing. Keys stay present once added (even with value
/// 0), matching Go's map semantics for `m[k] += v`. One array of pairs: one allocation per
/// non-empty map, none for an empty one.
struct AnalysisSmallMap: Sendable, Equatable {
    struct Entry: Sendable, Equatable {
        var key: Int32
        var value: Int64
    }
    var entries: [Entry] = []

    @inline(__always)
    func index(_ key: Int32) -> Int? {
        for i in entries.indices where entries[i].key == key { return i }
        return nil
    }

    @inline(__always)
    subscript(key: Int32) -> Int64 {
        if let i = index(key) { return entries[i].value }
        return 0
    }

    /// `m[key] += delta`, inserting the key if needed.
    @inline(__always)
    mutating func add(_ key: Int32, _ delta: Int64) {
        if let i = index(key) {
            entries[i].value &+= delta
        } else {
            entries.append(Entry(key: key, value: delta))
        }
    }

    /// `m[key] = value`.
    @inline(__always)
    mutating func set(_ key: Int32, _ value: Int64) {
        if let i = index(key) {
            entries[i].value = value
        } else {
            entries.append(Entry(key: key, value: value))
        }
    }

    mutating func remove(_ key: Int32) {
        if let i = index(key) { entries.remove(at: i) }
    }

    var isEmpty: Bool { entries.isEmpty }

    func dictionary(_ names: AnalysisInterner) -> [String: Int64] {
        var d = [String: Int64](minimumCapacity: entries.count)
        for e in entries { d[names[e.key]] = e.value }
        return d
    }
}

/// ``GoroutineExecStats`` with interned keys; what the summarizer mutates per event.
struct SummarizerStats: Sendable, Equatable {
    var exec: Int64 = 0
    var schedWait: Int64 = 0
    var block = AnalysisSmallMap()
    var syscall: Int64 = 0
    var syscallBlock: Int64 = 0
    var total: Int64 = 0
    var range = AnalysisSmallMap()

    /// Go's `sub`: `self - v`, keeping exactly the map keys of `self`.
    func subtracting(_ v: SummarizerStats) -> SummarizerStats {
        var r = self
        r.exec &-= v.exec
        r.schedWait &-= v.schedWait
        for i in r.block.entries.indices { r.block.entries[i].value &-= v.block[r.block.entries[i].key] }
        r.syscall &-= v.syscall
        r.syscallBlock &-= v.syscallBlock
        r.total &-= v.total
        for i in r.range.entries.indices { r.range.entries[i].value &-= v.range[r.range.entries[i].key] }
        return r
    }

    func publicStats(reasons: AnalysisInterner, ranges: AnalysisInterner) -> GoroutineExecStats {
        var s = GoroutineExecStats()
        s.execTime = exec
        s.schedWaitTime = schedWait
        s.blockTimeByReason = block.dictionary(reasons)
        s.syscallTime = syscall
        s.syscallBlockTime = syscallBlock
        s.totalTime = total
        s.rangeTime = range.dictionary(ranges)
        return s
    }
}
