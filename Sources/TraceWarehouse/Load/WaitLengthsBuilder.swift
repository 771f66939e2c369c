import GoTrace

/// Builds `wait_lengths` and `wakeup_lengths` (Schema/001_schema.sql): the closed Waiting and Syscall
/// intervals counted by equal length, keyed by what blocking-by-reason, blocking-by-stack, syscalls,
/// syscalls-by-stack and wakeups group on, counted as each goroutine interval closes (as ``LengthsBuilder``
/// counts `lengths`).
///
/// Memory is bounded by the number of distinct (key, length) pairs, a few hundred thousand on a
/// 6M-event trace: each key (state, reason, stack; or waker, woken, reason) gets a small index, and
/// the counts sit in one integer map keyed by (length: 41 bits, key index: 22 bits). A wake-up whose
/// waker or woken goroutine has no start function yet waits in a list until the end, when the names
/// are final.
final class WaitLengthsBuilder {
    /// Start functions, as `goroutines.name` has them.
    private let names: LengthsBuilder

    private struct WaitKey: Hashable { var state: Int8, reason: Int64, stack: Int64 }
    @exclusivity(unchecked) private var waitKeys: [WaitKey: Int32] = [:]
    @exclusivity(unchecked) private var waitKeyList: [WaitKey] = []
    /// Per packed (length, key): how many intervals (waits: key = 2 × wait key index; wake-ups: 2 × wake
    /// key index + 1; one map for both keeps one growth transient); and for syscalls that lost their P,
    /// how many and their blocked time.
    @exclusivity(unchecked) private var counts = IntMap<Int32>()
    @exclusivity(unchecked) private var blockedCounts = IntMap<Int32>()
    @exclusivity(unchecked) private var blockedNs = IntMap<Int64>()
    /// Lengths or key indexes too large to pack, and counts past Int32 (never seen in practice).
    private struct Wide: Hashable { var key: Int32, length: Int64 }
    @exclusivity(unchecked) private var wideWaits: [Wide: (count: Int64, blockedCount: Int64, blockedNs: Int64)] = [:]

    private struct WakeKey: Hashable { var waker: Int32, woken: Int32, reason: Int64 }
    @exclusivity(unchecked) private var wakeKeys: [WakeKey: Int32] = [:]
    @exclusivity(unchecked) private var wakeKeyList: [WakeKey] = []
    @exclusivity(unchecked) private var wideWakes: [Wide: Int64] = [:]
    /// Wake-ups closed before the waker's or the woken goroutine's name was known.
    private struct PendingWake { var waker: Int64, woken: Int64, reason: Int64, length: Int64 }
    @exclusivity(unchecked) private var pending: [PendingWake] = []

    init(names: LengthsBuilder) { self.names = names }

    @inline(__always) private static func packed(_ key: Int32, _ length: Int64) -> Int64? {
        key >= 0 && key < (1 << 22) && length >= 0 && length < (1 << 41) ? (length << 22) | Int64(key) : nil
    }

    /// Adds one to the count at `p`; false (nothing changed) if it is at Int32.max.
    @inline(__always) private func countUp(_ m: inout IntMap<Int32>, _ p: Int64) -> Bool {
        if let s = m.find(p) {
            if m[slot: s] == Int32.max { return false }
            m[slot: s] += 1
        } else {
            m.set(p, 1)
        }
        return true
    }

    /// A goroutine interval closed at `t` by a transition to `to` made by goroutine `closer` (-1: none),
    /// after ``LengthsBuilder/transition(goid:from:stack:)`` saw that transition. `stackKey`: the
    /// stacks.funcs_id of the stack of the event that opened it, 0 for none or a stack without function
    /// names (the saved queries group stacks by their text).
    @inline(__always) func closed(_ c: StateTracker.ClosedInterval, goid: Int64, t: Int64, to: GoState, closer: Int64,
                                  stackKey: Int64) {
        guard c.state == .waiting || c.state == .syscall else { return }
        let d = t &- c.startNs
        let k = WaitKey(state: Int8(c.state.rawValue), reason: c.reason, stack: stackKey)
        let ki: Int32
        if let i = waitKeys[k] { ki = i } else {
            ki = Int32(waitKeyList.count); waitKeyList.append(k); waitKeys[k] = ki
        }
        let b = c.blockedNs ?? 0
        if let p = Self.packed(2 * ki, d), countUp(&counts, p) {
            // blocked_count ≤ count: it cannot pass Int32.max first.
            if b > 0 { _ = countUp(&blockedCounts, p) }
            if b != 0 {
                if let s = blockedNs.find(p) { blockedNs[slot: s] &+= b } else { blockedNs.set(p, b) }
            }
        } else {
            wideWaits[Wide(key: ki, length: d), default: (0, 0, 0)].count += 1
            if b > 0 { wideWaits[Wide(key: ki, length: d)]!.blockedCount += 1 }
            wideWaits[Wide(key: ki, length: d)]!.blockedNs &+= b
        }
        guard c.state == .waiting else { return }
        let waker = to == .runnable && closer >= 0 && closer != goid ? closer : -1
        let wakerName = waker < 0 ? 0 : names.knownNameID(waker), wokenName = names.knownNameID(goid)
        if (waker >= 0 && wakerName == 0) || wokenName == 0 {
            pending.append(PendingWake(waker: waker, woken: goid, reason: c.reason, length: d))
        } else {
            addWake(WakeKey(waker: wakerName, woken: wokenName, reason: c.reason), d)
        }
    }

    @inline(__always) private func addWake(_ k: WakeKey, _ d: Int64) {
        let ki: Int32
        if let i = wakeKeys[k] { ki = i } else {
            ki = Int32(wakeKeyList.count); wakeKeyList.append(k); wakeKeys[k] = ki
        }
        if let p = Self.packed(2 * ki + 1, d), countUp(&counts, p) { return }
        wideWakes[Wide(key: ki, length: d), default: 0] += 1
    }

    /// Writes the rows, adding the intervals still open at `end` (the trace end) from
    /// goroutine_open_intervals, which must be written already. `funcID` gives the funcs.func_id of a start
    /// function (every name comes from an interned stack frame).
    func write(db: Database, traceID: Int64, end: Int64, funcID: (String) throws -> Int64) throws {
        for w in pending {
            addWake(WakeKey(waker: w.waker < 0 ? 0 : names.knownNameID(w.waker), woken: names.knownNameID(w.woken),
                            reason: w.reason), w.length)
        }
        pending = []

        // Wake-ups by (waker func, woken func, reason, length); name ids of one text map to one func id.
        var funcOfName: [Int32: Int64] = [0: 0]
        func fid(_ n: Int32) throws -> Int64 {
            if let f = funcOfName[n] { return f }
            let f = try funcID(names.names[Int(n)]); funcOfName[n] = f; return f
        }
        let wakeFuncs = try wakeKeyList.map { (waker: try fid($0.waker), woken: try fid($0.woken)) }

        // The rows in primary-key order, 64 to a statement: a WITHOUT ROWID table takes sorted rows at a
        // fraction of the cost of rows in the maps' order (on the 44.7 MB bench trace 0.96 s of one-row
        // upserts in random order for 350K rows). Each row is sorted as one integer, (rank of its key in
        // key order) << 41 | length: only key indexes below 2^21 are ever packed into `counts`.
        let packable = 1 << 21
        let waitOrder = (0..<min(waitKeyList.count, packable)).sorted {
            let a = waitKeyList[$0], b = waitKeyList[$1]
            return (a.state, a.reason, a.stack) < (b.state, b.reason, b.stack)
        }
        let wakeOrder = (0..<min(wakeKeyList.count, packable)).sorted {
            let a = wakeFuncs[$0], b = wakeFuncs[$1]
            return (a.waker, a.woken, wakeKeyList[$0].reason) < (b.waker, b.woken, wakeKeyList[$1].reason)
        }
        func ranks(_ order: [Int]) -> [Int64] {
            var r = [Int64](repeating: 0, count: order.count)
            for (i, k) in order.enumerated() { r[k] = Int64(i) }
            return r
        }
        let waitRank = ranks(waitOrder), wakeRank = ranks(wakeOrder)
        let lengthMask: Int64 = (1 << 41) - 1
        var waitRows: [Int64] = [], wakeRows: [Int64] = []
        var nWaits = 0
        try counts.forEach { p, _ in if p & 1 == 0 { nWaits += 1 } }
        waitRows.reserveCapacity(nWaits); wakeRows.reserveCapacity(counts.count - nWaits)
        try counts.forEach { p, _ in
            let k = Int(p & ((1 << 22) - 1)), length = p >> 22
            if k & 1 == 0 { waitRows.append(waitRank[k >> 1] << 41 | length) } else { wakeRows.append(wakeRank[k >> 1] << 41 | length) }
        }
        waitRows.sort(); wakeRows.sort()

        let waits = try RowBatchWriter(
            db: db, insert: "INSERT INTO wait_lengths(trace_id, state, reason_id, stack_id, length_ns, count, open_count, blocked_count, blocked_ns)",
            columns: 9, suffix: """
                ON CONFLICT DO UPDATE SET count = count + excluded.count, blocked_count = blocked_count + excluded.blocked_count,
                  blocked_ns = blocked_ns + excluded.blocked_ns
                """)
        func insertWait(_ key: WaitKey, _ length: Int64, _ count: Int64, _ blockedCount: Int64, _ blocked: Int64) throws {
            waits.add(.int(traceID)); waits.add(.int(Int64(key.state))); waits.add(.int(key.reason)); waits.add(.int(key.stack))
            waits.add(.int(length)); waits.add(.int(count)); waits.add(.int(0)); waits.add(.int(blockedCount)); waits.add(.int(blocked))
            try waits.endRow()
        }
        let wakes = try RowBatchWriter(
            db: db, insert: "INSERT INTO wakeup_lengths(trace_id, waker_func_id, woken_func_id, reason_id, length_ns, count)",
            columns: 6, suffix: "ON CONFLICT DO UPDATE SET count = count + excluded.count")
        func insertWake(_ k: Int, _ length: Int64, _ n: Int64) throws {
            wakes.add(.int(traceID)); wakes.add(.int(wakeFuncs[k].waker)); wakes.add(.int(wakeFuncs[k].woken))
            wakes.add(.int(wakeKeyList[k].reason)); wakes.add(.int(length)); wakes.add(.int(n))
            try wakes.endRow()
        }
        for r in waitRows {
            let k = waitOrder[Int(r >> 41)], length = r & lengthMask, p = Self.packed(Int32(2 * k), length)!
            try insertWait(waitKeyList[k], length, Int64(counts[p]!), Int64(blockedCounts[p] ?? 0), blockedNs[p] ?? 0)
        }
        waitRows = []
        blockedCounts = IntMap(); blockedNs = IntMap()
        // A (key, length) counted past Int32.max continues here, and merges into its row.
        for (w, v) in wideWaits { try insertWait(waitKeyList[Int(w.key)], w.length, v.count, v.blockedCount, v.blockedNs) }
        wideWaits = [:]
        try waits.flush()
        // The open intervals (a few per goroutine alive at the end), keyed as the closed ones: the reason and
        // stack of the event at start_seq, which is always the transition that opened the interval.
        try db.execute("""
            INSERT INTO wait_lengths(trace_id, state, reason_id, stack_id, length_ns, count, open_count, blocked_count, blocked_ns)
            SELECT x.trace_id, x.state, coalesce(o.name_id, 0),
                   coalesce((SELECT CASE WHEN st.funcs <> '' THEN st.funcs_id END FROM stacks st
                             WHERE st.trace_id = x.trace_id AND st.stack_id = o.stack_id), 0),
                   \(end) - x.start_ns, count(*), count(*), sum(coalesce(x.blocked_ns, 0) > 0), sum(coalesce(x.blocked_ns, 0))
            FROM goroutine_open_intervals x
            LEFT JOIN events o ON o.trace_id = x.trace_id AND o.seq = x.start_seq
            WHERE x.trace_id = \(traceID) AND x.state IN (4, 5)
            GROUP BY 1, 2, 3, 4, 5
            ON CONFLICT DO UPDATE SET count = count + excluded.count, open_count = open_count + excluded.open_count,
              blocked_count = blocked_count + excluded.blocked_count, blocked_ns = blocked_ns + excluded.blocked_ns
            """)

        for r in wakeRows {
            let k = wakeOrder[Int(r >> 41)], length = r & lengthMask, p = Self.packed(Int32(2 * k + 1), length)!
            try insertWake(k, length, Int64(counts[p]!))
        }
        wakeRows = []
        counts = IntMap()
        for (w, n) in wideWakes { try insertWake(Int(w.key), w.length, n) }
        wideWakes = [:]
        try wakes.flush()
    }
}
