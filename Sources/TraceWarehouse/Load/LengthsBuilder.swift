import GoTrace

/// Builds the `lengths` table (Schema/001_schema.sql): exact distributions of wait and running-slice
/// lengths, keyed by what the saved queries group on, counted as each goroutine interval closes.
///
/// Memory is bounded by the number of distinct (measure, key, length) triples (about 10^5 on a
/// 5M-event trace), not by the number of intervals. Intervals of a goroutine whose start function is
/// not known yet when they close (Go names a goroutine after the first transition stack it sees) wait
/// in a small per-goroutine list until it is known, or until the end (then its name is '').
final class LengthsBuilder {
    enum Measure: Int64, CaseIterable {
        case schedLatency = 0, schedLatencyByFunction, schedLatencyByStack, schedLatencyByCause,
             runnable, running, runningByFunction, runningToSyscallByFunction

        var name: String {
            switch self {
            case .schedLatency: "sched_latency"
            case .schedLatencyByFunction: "sched_latency_by_function"
            case .schedLatencyByStack: "sched_latency_by_stack"
            case .schedLatencyByCause: "sched_latency_by_cause"
            case .runnable: "runnable"
            case .running: "running"
            case .runningByFunction: "running_by_function"
            case .runningToSyscallByFunction: "running_to_syscall_by_function"
            }
        }
        /// Measures whose key is the goroutine's start function (resolved once the name is known).
        var byFunction: Bool { self == .schedLatencyByFunction || self == .runningByFunction || self == .runningToSyscallByFunction }
    }

    /// Keys of the cause and end measures (the text is written at the end).
    /// Keys of the cause measure: three fixed causes, else `stoppedBase` + the string id of the reason that
    /// made the goroutine runnable ('preempted' and 'runtime.Gosched' are told apart by text when written).
    enum Cause { static let firstRun: Int64 = 0, woken: Int64 = 1, syscallReturned: Int64 = 2, stoppedBase: Int64 = 16 }
    enum SliceEnd: Int64, CaseIterable { case blocked = 0, preempted, yield, syscall, exit, other
        var name: String { ["blocked", "preempted", "yield", "syscall", "exit", "other"][Int(rawValue)] }
    }

    /// Counts per measure, by packed (length: 41 bits, key: 22 bits); triples that do not fit go to `wide`.
    /// One map per measure keeps the transient of a map's growth small.
    private final class Counts { @exclusivity(unchecked) var map = IntMap<Int32>() }   // a class: mutated in place, never copied
    @exclusivity(unchecked) private var counts: [Counts] = Measure.allCases.map { _ in Counts() }
    private struct Wide: Hashable { var measure: Int64, key: Int64, length: Int64 }
    @exclusivity(unchecked) private var wide: [Wide: Int64] = [:]

    /// Goroutine start functions, Go's way (GoroutineSummarizer): the root frame of the first transition
    /// stack seen since the goroutine was created or first seen. Names are interned here (ids from 1).
    /// goid → its name id (0: none yet), plus `waitedBit` once it had a 'sched_latency' wait; absent:
    /// never seen.
    @exclusivity(unchecked) private var goroutines = IntMap<Int32>()
    private static let waitedBit: Int32 = 1 << 30
    @exclusivity(unchecked) private var nameIDs: [ExactString: Int32] = [:]
    @exclusivity(unchecked) private(set) var names: [String] = [""]        // name id → text; 0 is ''
    /// Intervals closed before their goroutine's name was known: goid → [(measure, length)].
    @exclusivity(unchecked) private var pending = IntMap<[(Int64, Int64)]>()

    /// The name id of runtime.gcBgMarkWorker, once seen (0 before).
    @exclusivity(unchecked) private var gcWorkerNameID: Int32 = 0
    /// Whether the goroutine is named runtime.gcBgMarkWorker (a GC mark worker).
    func isGCWorker(_ goid: Int64) -> Bool { gcWorkerNameID != 0 && nameID(goid) == gcWorkerNameID }
    /// Whether it is a GC mark worker or has no name yet.
    func mayBeGCWorker(_ goid: Int64) -> Bool { let n = nameID(goid); return n == 0 || n == gcWorkerNameID }

    /// A goroutine's start function as Go names it ('' if it has none).
    func name(of goid: Int64) -> String { names[Int(nameID(goid))] }
    @inline(__always) private func nameID(_ goid: Int64) -> Int32 { (goroutines[goid] ?? 0) & ~Self.waitedBit }
    /// A goroutine's start function as an index into `names` (0: no name yet, or never seen).
    @inline(__always) func knownNameID(_ goid: Int64) -> Int32 { nameID(goid) }

    @inline(__always) private func add(_ m: Measure, _ key: Int64, _ length: Int64) {
        if key >= 0 && key < (1 << 22) && length >= 0 && length < (1 << 41) {
            // The key in the low bits: IntMap hashes by multiplication, which carries low bits up.
            let k = (length << 22) | key
            let c = counts[Int(m.rawValue)]
            if let slot = c.map.find(k) {
                if c.map[slot: slot] < Int32.max { c.map[slot: slot] += 1; return }
            } else {
                c.map.set(k, 1); return
            }
        }
        wide[Wide(measure: m.rawValue, key: key, length: length), default: 0] += 1
    }

    @inline(__always) private func addByFunction(_ m: Measure, goid: Int64, _ length: Int64) {
        let n = nameID(goid)
        if n != 0 {
            add(m, Int64(n), length)
        } else if let slot = pending.find(goid) {
            pending[slot: slot].append((m.rawValue, length))
        } else {
            pending.set(goid, [(m.rawValue, length)])
        }
    }

    /// A goroutine state transition (old ≠ new), before the interval it closes is counted: keeps the
    /// start function as Go's summarizer does.
    func transition(goid: Int64, from: GoState, stack: Stack) {
        let slot: Int
        if from == .notExist || from == .undetermined || !goroutines.contains(goid) {
            // (Re)created or first seen: Go starts a new summary with no name. Counts already made
            // under an earlier life's name stay there; Go never reuses goroutine ids.
            let waited = (goroutines[goid] ?? 0) & Self.waitedBit
            slot = goroutines.set(goid, waited)
        } else {
            slot = goroutines.find(goid)!
        }
        // A root frame without a function name leaves the goroutine unnamed (Go compares with its empty name).
        if goroutines[slot: slot] & ~Self.waitedBit == 0, !stack.isEmpty, let root = stack.frames.last, !root.function.isEmpty {
            let n: Int32
            if let id = nameIDs[ExactString(root.function)] { n = id } else {
                n = Int32(names.count); names.append(root.function); nameIDs[ExactString(root.function)] = n
                if root.function == "runtime.gcBgMarkWorker" { gcWorkerNameID = n }
            }
            goroutines[slot: slot] |= n
            if let p = pending.find(goid) {
                for (m, length) in pending[slot: p] { add(Measure(rawValue: m)!, Int64(n), length) }
                pending.remove(goid)
            }
        }
    }

    /// A goroutine interval closed at `t` by a transition to `to` with reason `closingReason`.
    func closed(_ c: StateTracker.ClosedInterval, goid: Int64, t: Int64, to: GoState, forever: Bool,
                closingReason: String, stackFuncsID: Int64) {
        switch c.state {
        case .runnable:
            let fromStart = t &- c.startNs
            let firstRun = c.flags & 1 != 0
            add(.runnable, firstRun ? 0 : 1, fromStart)
            if firstRun {
                add(.schedLatencyByCause, Cause.firstRun, fromStart)
                return
            }
            let d = t &- c.eventNs
            add(.schedLatency, 0, d)
            addByFunction(.schedLatencyByFunction, goid: goid, d)
            add(.schedLatencyByStack, stackFuncsID, d)
            let cause: Int64
            switch c.prevState {
            case Int8(GoState.waiting.rawValue): cause = Cause.woken
            case Int8(GoState.syscall.rawValue): cause = Cause.syscallReturned
            default: cause = Cause.stoppedBase + c.reason   // 'preempted' and 'runtime.Gosched' are told apart at the end
            }
            add(.schedLatencyByCause, cause, d)
            if let slot = goroutines.find(goid) { goroutines[slot: slot] |= Self.waitedBit }
        case .running:
            let d = t &- c.startNs
            let end: SliceEnd
            if to == .notExist || (to == .waiting && forever) { end = .exit }
            else if to == .waiting { end = .blocked }
            else if to == .syscall { end = .syscall }
            else if closingReason == "preempted" { end = .preempted }
            else if closingReason == "runtime.Gosched" { end = .yield }
            else { end = .other }
            add(.running, end.rawValue, d)
            addByFunction(.runningByFunction, goid: goid, d)
            if end == .syscall { addByFunction(.runningToSyscallByFunction, goid: goid, d) }
        default:
            break
        }
    }

    /// Writes the rows, resolving names and reasons (`reasonText`: strings.value of a string id), in
    /// primary-key order. Memory stays near the size of the counts themselves: the rows are sorted as
    /// 24-byte rows (measure, key index, length, count) and their text looked up while writing.
    /// `emptyStackKey`: the funcs_id of a stack without frames, under which waits with no stack are
    /// counted too (both print as '', and the saved queries group stacks by their text).
    func write(db: Database, traceID: Int64, emptyStackKey: Int64?, reasonText: (Int64) throws -> String) throws {
        // Goroutines never named: their intervals count under ''.
        for goid in pending.sortedKeys { for (m, length) in pending[goid]! { add(Measure(rawValue: m)!, 0, length) } }
        pending = IntMap()
        var waitingByName: [Int32: Int64] = [:]
        for goid in goroutines.sortedKeys where goroutines[goid]! & Self.waitedBit != 0 { waitingByName[nameID(goid), default: 0] += 1 }

        // Keys as text or integers, ranked in SQLite's key order (integers first, text by bytes).
        var causeText: [Int64: String] = [:]
        func key(_ m: Measure, _ k: Int64) throws -> SQLValueKey {
            if m.byFunction { return .text(names[Int(k)]) }
            switch m {
            case .schedLatency: return .text("")
            case .schedLatencyByStack: return .int(k == 0 ? emptyStackKey ?? 0 : k)
            case .runnable: return .text(k == 0 ? "first run" : "other")
            case .running: return .text(SliceEnd(rawValue: k)!.name)
            case .schedLatencyByCause:
                switch k {
                case Cause.firstRun: return .text("first run")
                case Cause.woken: return .text("woken")
                case Cause.syscallReturned: return .text("syscall returned")
                default:
                    if let t = causeText[k] { return .text(t) }
                    let r = k >= Cause.stoppedBase + 1 ? try reasonText(k - Cause.stoppedBase) : ""
                    let t = r == "preempted" ? "preempted" : r == "runtime.Gosched" ? "yielded" : "stopped (\(r))"
                    causeText[k] = t
                    return .text(t)
                }
            default: return .int(k)
            }
        }
        // 16 bytes a row: the array is the largest allocation at the end of a big ingest (~310K rows on the
        // 44.7 MB bench trace, the ingest's memory peak). The measure (5 bits) and the key index (27 bits)
        // share 32 bits; a count past UInt32.max (never seen) takes several rows, which the write adds up.
        struct Row {
            var mk: UInt32, count: UInt32, length: Int64
            var measure: Int { Int(mk >> 27) }
            var key: Int { Int(mk & (1 << 27 - 1)) }
        }
        // Distinct (measure, key) pairs first, to rank their keys.
        let measureOf: [String] = Measure.allCases.map(\.name) + ["sched_waiting_goroutines"]
        let waitingMeasure = measureOf.count - 1
        let measureRank: [Int] = {
            let order = measureOf.indices.sorted { measureOf[$0] < measureOf[$1] }
            var r = [Int](repeating: 0, count: order.count); for (i, m) in order.enumerated() { r[m] = i }; return r
        }()
        var keyIndex: [SQLValueKey: Int] = [:]
        var keys: [SQLValueKey] = []
        var rows: [Row] = []
        // Exactly the rows appended below: a growing array would hold its old and new buffers at once.
        let split = { (n: Int64) in Int((max(n, 1) - 1) / Int64(UInt32.max)) + 1 }   // rows for a count of n
        rows.reserveCapacity(counts.reduce(wide.values.reduce(0) { $0 + split($1) } + waitingByName.values.reduce(0) { $0 + split($1) }) {
            $0 + $1.map.count
        })
        func append(_ m: Int64, _ k: Int64, _ length: Int64, _ n: Int64) throws {
            let measure: Int, kv: SQLValueKey
            if m < 0 {
                measure = waitingMeasure; kv = .text(names[Int(k)])
            } else {
                measure = Int(m); kv = try key(Measure(rawValue: m)!, k)
            }
            let ki: Int
            if let i = keyIndex[kv] { ki = i } else { ki = keys.count; keys.append(kv); keyIndex[kv] = ki }
            guard ki < 1 << 27 else { throw WarehouseError("lengths: more than 2^27 distinct keys in one trace") }
            let mk = UInt32(measure) << 27 | UInt32(ki)
            var rest = n
            repeat {
                let c = min(rest, Int64(UInt32.max))
                rows.append(Row(mk: mk, count: UInt32(c), length: length))
                rest -= c
            } while rest > 0
        }
        for m in counts.indices {
            let c = counts[m]
            for k in c.map.sortedKeys { try append(Int64(m), k & ((1 << 22) - 1), k >> 22, Int64(c.map[k]!)) }
            c.map = IntMap()
        }
        for (k, n) in wide { try append(k.measure, k.key, k.length, n) }
        // Goroutines with a 'sched_latency' wait, per start function (measure -1 here).
        for (name, n) in waitingByName { try append(-1, Int64(name), 0, n) }
        wide = [:]
        keyIndex = [:]
        let keyRank: [Int] = {
            let order = keys.indices.sorted { keys[$0] < keys[$1] }
            var r = [Int](repeating: 0, count: order.count); for (i, k) in order.enumerated() { r[k] = i }; return r
        }()
        rows.sort { (measureRank[$0.measure], keyRank[$0.key], $0.length) < (measureRank[$1.measure], keyRank[$1.key], $1.length) }

        let ins = try RowBatchWriter(db: db, insert: "INSERT INTO lengths(trace_id, measure, key, length_ns, count)", columns: 5)
        let measureText = measureOf.map { SQLValue.text($0) }, keyValue = keys.map(\.value)
        var i = 0
        while i < rows.count {
            var n = Int64(rows[i].count)
            var j = i + 1
            // Keys that coincide once written (no stack and an empty stack) merge.
            while j < rows.count && rows[j].measure == rows[i].measure && keyRank[rows[j].key] == keyRank[rows[i].key]
                    && rows[j].length == rows[i].length { n += Int64(rows[j].count); j += 1 }
            ins.add(.int(traceID)); ins.add(measureText[rows[i].measure]); ins.add(keyValue[rows[i].key])
            ins.add(.int(rows[i].length)); ins.add(.int(n))
            try ins.endRow()
            i = j
        }
        try ins.flush()
    }
}

/// A `lengths.key` value that sorts as SQLite sorts keys (integers before text).
enum SQLValueKey: Hashable, Comparable {
    case int(Int64), text(String)
    var value: SQLValue { switch self { case .int(let i): .int(i); case .text(let t): .text(t) } }
    static func < (a: Self, b: Self) -> Bool {
        switch (a, b) {
        case (.int(let x), .int(let y)): x < y
        case (.int, .text): true
        case (.text, .int): false
        case (.text(let x), .text(let y)): Array(x.utf8).lexicographicallyPrecedes(Array(y.utf8))
        }
    }
}
