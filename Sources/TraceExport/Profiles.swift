import Foundation
import GoTrace
import TraceWarehouse

/// The profiles tracedb exports: Go's four `go tool trace -pprof=TYPE` profiles (GoTrace's
/// ``ProfileKind``, named by their `-pprof=` flag: sched, net, sync, syscall), and the CPU samples.
public enum ExportProfile: Hashable, Sendable, CaseIterable {
    /// One of Go's four profiles.
    case go(ProfileKind)
    /// CPU profile samples recorded in the trace (runtime/pprof running while tracing).
    case cpu

    /// Scheduler latency: time goroutines spent Runnable (`-pprof=sched`).
    public static let sched = ExportProfile.go(.sched)
    /// Network blocking: Waiting with reason "network" (`-pprof=net`).
    public static let net = ExportProfile.go(.io)
    /// Synchronization blocking: Waiting with a reason containing chan, sync or select (`-pprof=sync`).
    public static let sync = ExportProfile.go(.block)
    /// Time in system calls, including the part after the P was taken away (`-pprof=syscall`).
    public static let syscall = ExportProfile.go(.syscall)

    public static var allCases: [ExportProfile] { ProfileKind.allCases.map { .go($0) } + [.cpu] }

    /// The `--profile` name: Go's `-pprof=` value, or `cpu`.
    public init?(rawValue: String) {
        guard let p = Self.allCases.first(where: { $0.rawValue == rawValue }) else { return nil }
        self = p
    }

    public var rawValue: String {
        switch self {
        case .go(let kind): kind.pprofFlag
        case .cpu: "cpu"
        }
    }

    public var title: String {
        switch self {
        case .go(.sched): "scheduler latency (time Runnable)"
        case .go(.io): "network blocking"
        case .go(.block): "synchronization blocking (chan, select, sync)"
        case .go(.syscall): "system calls"
        case .cpu: "CPU samples"
        }
    }
}

/// One stack of a profile with its values.
public struct ProfileRecord: Sendable {
    public var stack: [ProfileFrame]   // leaf first; empty = no stack
    public var values: [Int64]
}

/// A profile computed from the warehouse, before encoding: sample types and one record per stack.
public struct StackProfile: Sendable {
    public var sampleTypes: [PprofProfile.ValueType]
    public var periodType: PprofProfile.ValueType
    public var period: Int64
    public var records: [ProfileRecord]
    public var comment: String

    public var totals: [Int64] {
        var t = [Int64](repeating: 0, count: sampleTypes.count)
        for r in records { for (i, v) in r.values.enumerated() where i < t.count { t[i] += v } }
        return t
    }

    /// The pprof profile (one sample per record).
    public func pprof(info: TraceInfo? = nil) -> PprofProfile {
        var p = PprofProfile(sampleTypes: sampleTypes, periodType: periodType, period: period)
        p.samples = records.map { PprofProfile.Sample(stack: $0.stack, values: $0.values) }
        if let info {
            p.timeNanos = info.wallStartUnixNs ?? 0
            p.durationNanos = info.durationNs
            p.comments = ["tracedb: trace \(info.id) \(info.fileName)", comment]
        } else {
            p.comments = [comment]
        }
        return p
    }
}

/// A saved query that cannot be a profile; the CLI words it (naming its flags).
public enum ProfileQueryError: Error, Sendable, Equatable {
    /// No `*_ns`, `*_bytes` or `count` column, and no value columns were given.
    case noValueColumn(query: String)
}

/// Computes profiles from `goroutine_states` and `cpu_samples` in SQL.
public enum ProfileExporter {
    /// The CPU profiler's default period (runtime/pprof samples at 100 Hz); the trace does not record
    /// the rate, so CPU time is the sample count × 10 ms.
    public static let cpuPeriodNs: Int64 = 10_000_000

    /// The state filter of each of Go's four profiles (cmd/trace/pprof.go): the state entered and
    /// which reasons count. `instr` is case-sensitive like Go's strings.Contains (LIKE is not).
    static func stateFilter(_ kind: ExportProfile) -> String? {
        switch kind {
        case .go(.sched): "s.state = 2"
        case .go(.io): "s.state = 4 AND r.value = 'network'"
        case .go(.block): "s.state = 4 AND (instr(r.value, 'chan') > 0 OR instr(r.value, 'sync') > 0 OR instr(r.value, 'select') > 0)"
        case .go(.syscall): "s.state = 5"
        case .cpu: nil
        }
    }

    /// The per-stack (count, total ns) of one of Go's four profiles, exactly as `go tool trace -pprof=TYPE`:
    /// each interval in the state runs from the transition event into it (`event_ns`) to the next
    /// transition to a different state; it is clipped to the goroutine's [first run, end or trace end]
    /// (a goroutine that never ran is not clipped at the start); intervals open at the trace end and
    /// those with no overlap are dropped; the stack is that of the transition event into the state.
    /// `stacks`: a further condition on `s.stack_id` (nil: every stack). The pure-SQL definition of
    /// ``stateProfileRows(_:db:traceID:stacks:)``, which reads profile_stacks instead (ExportPprofTests
    /// checks that both give the same profiles).
    public static func stateProfileSQL(_ kind: ExportProfile, stacks stackFilter: String? = nil) -> String {
        let filter = (stateFilter(kind) ?? "0") + (stackFilter.map { " AND (\($0))" } ?? "")
        return """
            WITH iv AS (
              SELECT s.stack_id, s.end_ns,
                     min(s.end_ns, coalesce(g.end_ns, t.duration_ns)) - max(s.event_ns, coalesce(g.start_ns, s.event_ns)) AS ns
              FROM goroutine_states s
              JOIN traces t ON t.trace_id = s.trace_id
              JOIN goroutines g ON g.trace_id = s.trace_id AND g.goid = s.goid
              LEFT JOIN strings r ON r.trace_id = s.trace_id AND r.string_id = s.reason_id
              WHERE s.trace_id = :trace_id AND s.open_at_end = 0 AND \(filter)
            )
            SELECT stack_id, count(*) AS count, sum(ns) AS total_ns, max(end_ns) AS last_end FROM iv WHERE ns > 0 GROUP BY stack_id
            """
    }

    /// The profile `kind` of trace `traceID`, one record per distinct stack (merged by PC list, as Go does).
    /// `viaSQL`: compute Go's four profiles with ``stateProfileSQL(_:stacks:)`` over goroutine_states
    /// instead of reading profile_stacks (the tests' reference; 10 s instead of a few ms on a 45 MB trace).
    public static func profile(_ kind: ExportProfile, db: Database, traceID: Int64, viaSQL: Bool = false) throws -> StackProfile {
        let stacks = try StackReader(db: db, traceID: traceID)
        let sql: String
        var types = [PprofProfile.ValueType("contentions", "count"), PprofProfile.ValueType("delay", "nanoseconds")]
        var periodType = PprofProfile.ValueType("trace", "count")
        var period: Int64 = 1
        if kind == .cpu {
            sql = "SELECT stack_id, count(*), count(*) * \(cpuPeriodNs), max(ts_ns) FROM cpu_samples WHERE trace_id = :trace_id GROUP BY stack_id"
            types = [PprofProfile.ValueType("samples", "count"), PprofProfile.ValueType("cpu", "nanoseconds")]
            periodType = PprofProfile.ValueType("cpu", "nanoseconds")
            period = cpuPeriodNs
        } else {
            sql = stateProfileSQL(kind)
        }
        let rows: [ProfileRow]
        if case .go(let k) = kind, !viaSQL {
            rows = try stateProfileRows(k, db: db, traceID: traceID, stacks: stacks)
        } else {
            let s = try db.prepare(sql)
            try s.bind(named: ":trace_id", .int(traceID))
            var r: [ProfileRow] = []
            while try s.step() { r.append((s.isNull(0) ? nil : s.int64(0), [s.int64(1), s.int64(2)], s.int64(3))) }
            rows = r
        }
        let records = try mergeByPCs(rows, stacks: stacks)
        let comment = kind == .cpu
            ? "CPU samples from the trace; cpu time assumes the default 100 Hz profiling rate"
            : "\(kind.title): the same samples as go tool trace -pprof=\(kind.rawValue)"
        return StackProfile(sampleTypes: types, periodType: periodType, period: period, records: records, comment: comment)
    }

    /// One stack's sums: (stack_id, nil for none; the values; when its last interval ended, which decides
    /// whose frames a merged record shows).
    typealias ProfileRow = (stack: Int64?, values: [Int64], last: Int64)

    /// The rows of one of Go's four profiles from profile_stacks, summed at ingest, in stateProfileSQL's
    /// order (by stack_id, none first). The end time of a stack's last interval matters only where stacks
    /// of different frames share a PC key (``mergeByPCs(_:stacks:)`` shows the newest one's): those few
    /// stacks, none on most traces, get theirs from stateProfileSQL restricted to them; the others 0.
    static func stateProfileRows(_ kind: ProfileKind, db: Database, traceID: Int64, stacks: StackReader) throws -> [ProfileRow] {
        let s = try db.prepare("SELECT stack_id, count, total_ns FROM profile_stacks WHERE trace_id = ? AND profile = ? ORDER BY stack_id")
        try s.bind(1, traceID); try s.bind(2, kind.profileStacksName)
        var rows: [ProfileRow] = []
        while try s.step() { let id = s.int64(0); rows.append((id == 0 ? nil : id, [s.int64(1), s.int64(2)], 0)) }
        var byKey: [[UInt64]: [Int]] = [:]
        var shown: [[ProfileFrame]] = []
        for (i, r) in rows.enumerated() {
            let (frames, key) = try pcKey(stacks.frames(r.stack))
            shown.append(frames)
            byKey[key, default: []].append(i)
        }
        var ambiguous: [Int] = []
        for (_, rs) in byKey where rs.count > 1 && rs.contains(where: { shown[$0] != shown[rs[0]] }) { ambiguous += rs }
        guard !ambiguous.isEmpty else { return rows }
        let ids = ambiguous.compactMap { rows[$0].stack }
        var cond = ids.isEmpty ? "0" : "s.stack_id IN (" + ids.map(String.init).joined(separator: ",") + ")"
        if ambiguous.contains(where: { rows[$0].stack == nil }) { cond += " OR s.stack_id IS NULL" }
        let q = try db.prepare(stateProfileSQL(.go(kind), stacks: cond))
        try q.bind(named: ":trace_id", .int(traceID))
        var last: [Int64?: Int64] = [:]
        while try q.step() { last[q.isNull(0) ? nil : q.int64(0)] = q.int64(3) }
        for i in ambiguous { rows[i].last = last[rows[i].stack] ?? 0 }
        return rows
    }

    /// A stack as cmd/trace's stackMap keys it: its first 128 frames, and their PCs without trailing zeros.
    static func pcKey(_ frames: [ProfileFrame]) -> (frames: [ProfileFrame], key: [UInt64]) {
        let f = frames.count > 128 ? Array(frames.prefix(128)) : frames
        var key = f.map(\.pc)
        while key.last == 0 { key.removeLast() }
        return (f, key)
    }

    /// Groups rows by their stack's PC list as cmd/trace's stackMap does: the key is the first 128 PCs
    /// in a zero-padded array, so trailing zero PCs do not count (a stack whose only frame has PC 0 is
    /// the empty stack). The frames shown are those of the stack seen last (`last`: the time the
    /// interval ended, which is when Go records it), as Go keeps the newest stack for a key.
    static func mergeByPCs(_ rows: [ProfileRow], stacks: StackReader) throws -> [ProfileRecord] {
        var index: [[UInt64]: Int] = [:]
        var out: [ProfileRecord] = []
        var newest: [Int64] = []
        for r in rows {
            let (frames, key) = try pcKey(stacks.frames(r.stack))
            if let i = index[key] {
                for k in out[i].values.indices { out[i].values[k] += r.values[k] }
                if r.last > newest[i] { out[i].stack = frames; newest[i] = r.last }
            } else {
                index[key] = out.count
                out.append(ProfileRecord(stack: frames, values: r.values))
                newest.append(r.last)
            }
        }
        // Deterministic output: largest last value first, then by stack.
        return out.sorted { a, b in
            if a.values.last != b.values.last { return (a.values.last ?? 0) > (b.values.last ?? 0) }
            if a.values.first != b.values.first { return (a.values.first ?? 0) > (b.values.first ?? 0) }
            return a.stack.map(\.pc).lexicographicallyPrecedes(b.stack.map(\.pc))
        }
    }

    // MARK: saved queries as profiles

    /// A profile from any query that returns a stack and values: the stack is a `stack_id` column
    /// (or an integer `stack` column), or a text `stack`/`funcs` column of function names leaf→root
    /// joined by ';' (or newlines). Every other numeric column whose name ends in `_ns`, `_bytes` or
    /// `count` becomes a sample type (or exactly the `valueColumns` given). `:trace_id` is bound; other
    /// parameters stay unset (NULL), which saved queries read as their defaults.
    public static func profile(sql: String, name: String, db: Database, traceID: Int64,
                               valueColumns: [String] = []) throws -> StackProfile {
        let s = try db.prepare(sql)
        guard s.isReadOnly else { throw WarehouseError("query \(name) is not read-only") }
        try s.bind(named: ":trace_id", .int(traceID))
        let columns = (0..<s.columnCount).map { s.columnName($0) }
        guard let stackCol = columns.firstIndex(where: { ["stack_id", "stack", "funcs"].contains($0.lowercased()) }) else {
            throw WarehouseError("query \(name) has no stack column (stack_id, stack or funcs): columns are \(columns.joined(separator: ", "))")
        }
        var valueIdx: [Int] = []
        if valueColumns.isEmpty {
            valueIdx = columns.indices.filter { i in
                let c = columns[i].lowercased()
                return i != stackCol && (c.hasSuffix("_ns") || c.hasSuffix("_bytes") || c == "count" || c.hasSuffix("_count")
                    || c == "samples" || c == "n")
            }
        } else {
            for v in valueColumns {
                guard let i = columns.firstIndex(of: v) else {
                    throw WarehouseError("query \(name) has no column \(v): columns are \(columns.joined(separator: ", "))")
                }
                valueIdx.append(i)
            }
        }
        guard !valueIdx.isEmpty else {
            throw ProfileQueryError.noValueColumn(query: name)
        }
        let types = valueIdx.map { i -> PprofProfile.ValueType in
            let c = columns[i]
            if c.hasSuffix("_ns") { return .init(String(c.dropLast(3)), "nanoseconds") }
            if c.hasSuffix("_bytes") { return .init(String(c.dropLast(6)), "bytes") }
            return .init(c, "count")
        }
        let stacks = try StackReader(db: db, traceID: traceID)
        var byID: [(stack: Int64?, values: [Int64], last: Int64)] = []
        var byText: [String: [Int64]] = [:]
        var textOrder: [String] = []
        while try s.step() {
            let values = valueIdx.map { i -> Int64 in
                switch s.value(Int32(i)) {
                case .int(let v): return v
                case .double(let d): return Int64(d.rounded())
                case .text(let t): return Int64(t) ?? 0
                default: return 0
                }
            }
            switch s.value(Int32(stackCol)) {
            case .null: byID.append((nil, values, 0))
            case .int(let id): byID.append((id, values, 0))
            case .text(let t) where columns[stackCol].lowercased() == "stack_id": byID.append((Int64(t), values, 0))
            case .text(let t):
                if let old = byText[t] { byText[t] = zip(old, values).map { $0 + $1 } } else { byText[t] = values; textOrder.append(t) }
            default: byID.append((nil, values, 0))
            }
        }
        var records = try mergeByPCs(byID, stacks: stacks)
        for t in textOrder {
            let funcs = t.split(whereSeparator: { $0 == ";" || $0 == "\n" }).map { String($0).trimmingCharacters(in: .whitespaces) }
            let frames = funcs.filter { !$0.isEmpty }.map { f -> ProfileFrame in
                // "func file:line" (stack_text) or just "func".
                let parts = f.split(separator: " ", maxSplits: 1).map(String.init)
                var file = "", line: Int64 = 0
                if parts.count == 2, let colon = parts[1].lastIndex(of: ":") {
                    file = String(parts[1][..<colon]); line = Int64(parts[1][parts[1].index(after: colon)...]) ?? 0
                }
                return ProfileFrame(pc: 0, function: parts[0], file: file, line: line)
            }
            records.append(ProfileRecord(stack: frames, values: byText[t]!))
        }
        return StackProfile(sampleTypes: types, periodType: types.last!, period: 1, records: records,
                            comment: "saved query \(name)")
    }

    /// The SQL of a saved query: a name from the query library (the built-in `Queries/NAME.sql`, or a
    /// user query in one of `directories`) or the path of a `.sql` file.
    public static func savedQuerySQL(_ nameOrPath: String, directories: [String] = []) throws -> (name: String, sql: String) {
        if nameOrPath.hasSuffix(".sql") || nameOrPath.contains("/") {
            guard let text = try? String(contentsOfFile: nameOrPath, encoding: .utf8) else {
                throw WarehouseError("cannot read query file \(nameOrPath)")
            }
            return (((nameOrPath as NSString).lastPathComponent as NSString).deletingPathExtension, text)
        }
        let library = try QueryLibrary.load(directories: directories)
        if let q = library.query(named: nameOrPath) { return (q.name, q.sql) }
        throw WarehouseError("no saved query '\(nameOrPath)'" + (library.names.isEmpty ? "" : "; known: \(library.names.joined(separator: ", "))"))
    }
}
