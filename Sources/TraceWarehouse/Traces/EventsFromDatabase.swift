import GoTrace

/// A trace's events read back from the warehouse as GoTrace ``Event``s, in `seq` order: the proof that
/// `events` (with `event_args`, `event_details` and the lookup tables) is lossless. Formatting them
/// with GoTrace's `appendGoString(to:)`, one per line, gives exactly what `tracedb dump FILE` (and
/// `go tool trace -d=parsed FILE`) prints for the file the trace was ingested from.
///
/// ```swift
/// let events = try EventsFromDatabase(db: warehouse.db, traceID: 1)
/// var out: [UInt8] = []
/// while let e = try events.next() { e.appendGoString(to: &out); out.append(UInt8(ascii: "\n")) }
/// ```
///
/// Strings and stacks (small) are loaded first; events are streamed with one query. Not thread-safe:
/// use it from one thread, like its `Database`.
///
/// What Go's text does not show is not rebuilt: a Sync's experimental batches (the database keeps only
/// their count per experiment) come back empty, and stacks come back with their warehouse id, not the
/// wire id of their generation.
public final class EventsFromDatabase {
    public let traceID: Int64
    /// The absolute trace-clock time of the trace start (`traces.start_abs_ns`): event times are stored
    /// relative to it.
    public let startAbsNs: Int64

    private let strings: [Int64: String]
    private let stacks: [Int64: Stack]
    private let rows: Statement

    public init(db: Database, traceID: Int64) throws {
        self.traceID = traceID
        guard let start = try Self.startAbsNs(db: db, traceID: traceID) else {
            throw WarehouseError("no trace with id \(traceID) in \(db.path)")
        }
        startAbsNs = start
        strings = try Self.loadStrings(db: db, traceID: traceID)
        stacks = try Self.loadStacks(db: db, traceID: traceID)
        rows = try db.prepare("""
            SELECT e.seq, e.ts_ns, e.kind, e.thread_id, e.proc_id, e.goid, e.stack_id,
                   e.res_kind, e.res_id, e.from_state, e.to_state, e.name_id, e.st_stack_id,
                   a.task_id, a.parent_task_id, a.value, a.text_id, d.detail
            FROM events e
            LEFT JOIN event_args a ON a.trace_id = e.trace_id AND a.seq = e.seq
            LEFT JOIN event_details d ON d.trace_id = e.trace_id AND d.seq = e.seq
            WHERE e.trace_id = ?
            ORDER BY e.seq
            """)
        try rows.bind(1, traceID)
    }

    /// The next event, or nil after the last one.
    public func next() throws -> Event? {
        guard try rows.step() else { return nil }
        return try event()
    }

    // MARK: One row

    /// The columns of `rows`, in its SELECT order.
    private enum Column {
        static let seq: Int32 = 0, ts: Int32 = 1, kind: Int32 = 2, thread: Int32 = 3, proc: Int32 = 4, goid: Int32 = 5
        static let stack: Int32 = 6, resKind: Int32 = 7, resID: Int32 = 8, from: Int32 = 9, to: Int32 = 10
        static let name: Int32 = 11, stStack: Int32 = 12, task: Int32 = 13, parentTask: Int32 = 14, value: Int32 = 15
        static let text: Int32 = 16, detail: Int32 = 17
    }

    private func int(_ c: Int32) -> Int64? { rows.isNull(c) ? nil : rows.int64(c) }

    private func event() throws -> Event {
        let seq = rows.int64(Column.seq)
        guard let kind = EventKind(rawValue: UInt16(truncatingIfNeeded: rows.int64(Column.kind))),
              rows.int64(Column.kind) == Int64(kind.rawValue) else {
            throw corrupt(seq, "unknown event kind \(rows.int64(Column.kind))")
        }
        let payload = try self.payload(kind, seq: seq)
        return Event(kind: kind, time: rows.int64(Column.ts) &+ startAbsNs,
                     goroutine: int(Column.goid) ?? noGoroutine, proc: int(Column.proc) ?? noProc,
                     thread: int(Column.thread) ?? noThread,
                     stack: try stack(int(Column.stack), seq: seq), payload: payload)
    }

    private func payload(_ kind: EventKind, seq: Int64) throws -> EventPayload {
        switch kind {
        case .bad, .stackSample:
            return .none
        case .sync:
            let detail = try self.detail(seq)
            return .sync(Sync(n: Int(try required(Column.value, "N", seq)),
                              clockSnapshot: try detail.map { try clockSnapshot($0, seq: seq) } ?? nil,
                              experimentalBatches: [:]))
        case .metric:
            let value: Value
            if let v = int(Column.value) {
                value = .uint64(UInt64(bitPattern: v))
            } else {
                value = .string(try string(required(Column.text, "value", seq), seq: seq))
            }
            return .metric(Metric(name: try name(seq), value: value))
        case .label:
            return .label(Label(label: try name(seq), resource: try resource(seq)))
        case .rangeBegin, .rangeActive, .rangeEnd:
            var attributes: [RangeAttribute] = []
            if let d = try detail(seq), let attrs = d["attributes"] {
                guard case .object(let object) = attrs else { throw corrupt(seq, "attributes are not an object") }
                attributes = try object.members.map { RangeAttribute(name: $0.key, value: try value($0.value, seq: seq)) }
            }
            return .range(Range(name: try name(seq), scope: try resource(seq)), attributes: attributes)
        case .taskBegin, .taskEnd:
            return .task(Task(id: UInt64(bitPattern: try required(Column.task, "task id", seq)),
                              parent: UInt64(bitPattern: try required(Column.parentTask, "parent task id", seq)),
                              type: try name(seq)))
        case .regionBegin, .regionEnd:
            return .region(Region(task: UInt64(bitPattern: try required(Column.task, "task id", seq)), type: try name(seq)))
        case .log:
            return .log(Log(task: UInt64(bitPattern: try required(Column.task, "task id", seq)), category: try name(seq),
                            message: try string(required(Column.text, "message", seq), seq: seq)))
        case .stateTransition:
            return .stateTransition(StateTransition(
                resource: try resource(seq), reason: try name(seq), stack: try stack(int(Column.stStack), seq: seq),
                oldState: UInt8(truncatingIfNeeded: try required(Column.from, "from_state", seq)),
                newState: UInt8(truncatingIfNeeded: try required(Column.to, "to_state", seq))))
        case .experimental:
            guard let d = try detail(seq), case .string(let experiment)? = d["experiment"] else {
                throw corrupt(seq, "an Experimental event without its experiment in event_details")
            }
            var names: [String] = [], values: [Value] = []
            if let args = d["args"] {
                guard case .object(let object) = args else { throw corrupt(seq, "args are not an object") }
                for m in object.members { names.append(m.key); values.append(try value(m.value, seq: seq)) }
            }
            return .experimental(ExperimentalEvent(name: try name(seq), experiment: experiment, args: names, argValues: values))
        }
    }

    private func required(_ c: Int32, _ what: String, _ seq: Int64) throws -> Int64 {
        guard let v = int(c) else { throw corrupt(seq, "its \(what) is missing") }
        return v
    }

    private func name(_ seq: Int64) throws -> String { try string(required(Column.name, "name_id", seq), seq: seq) }

    private func string(_ id: Int64, seq: Int64) throws -> String {
        guard let s = strings[id] else { throw corrupt(seq, "string \(id) is not in `strings`") }
        return s
    }

    /// NULL is Go's `NoStack`; any stored stack prints, even one with no frames.
    private func stack(_ id: Int64?, seq: Int64) throws -> Stack {
        guard let id else { return .empty }
        guard let s = stacks[id] else { throw corrupt(seq, "stack \(id) is not in `stacks`") }
        return s
    }

    private func resource(_ seq: Int64) throws -> ResourceID {
        let raw = int(Column.resKind) ?? 0
        guard let kind = ResourceKind(rawValue: UInt8(truncatingIfNeeded: raw)), Int64(kind.rawValue) == raw else {
            throw corrupt(seq, "unknown resource kind \(raw)")
        }
        return ResourceID(kind: kind, id: int(Column.resID) ?? 0)
    }

    private func detail(_ seq: Int64) throws -> OrderedJSON.Object? {
        guard !rows.isNull(Column.detail) else { return nil }
        do {
            guard case .object(let o) = try OrderedJSON.parse(rows.traceText(Column.detail)) else {
                throw corrupt(seq, "event_details.detail is not a JSON object")
            }
            return o
        } catch let e as OrderedJSON.SyntaxError {
            throw corrupt(seq, "event_details.detail is not valid JSON (\(e.message))")
        }
    }

    /// A stored value: a JSON number is a uint64, a JSON string a string (as the loader writes them).
    private func value(_ v: OrderedJSON, seq: Int64) throws -> Value {
        switch v {
        case .number(let text):
            guard let n = UInt64(text) else { throw corrupt(seq, "value \(text) is not a uint64") }
            return .uint64(n)
        case .string(let s):
            return .string(s)
        default:
            throw corrupt(seq, "a value is neither a number nor a string")
        }
    }

    private func clockSnapshot(_ detail: OrderedJSON.Object, seq: Int64) throws -> ClockSnapshot? {
        guard let clock = detail["clock"] else { return nil }
        guard case .object(let c) = clock, case .number(let trace)? = c["trace"], case .number(let mono)? = c["mono"],
              let traceNs = Int64(trace), let monoValue = UInt64(mono) else {
            throw corrupt(seq, "its clock snapshot is malformed")
        }
        // The loader writes null when the snapshot's wall time does not fit in Int64 ns (a corrupt trace).
        guard case .number(let wall)? = c["wall_unix_ns"], let wallNs = Int64(wall) else {
            throw corrupt(seq, "its clock snapshot has no wall time that fits in 64-bit nanoseconds")
        }
        let (sec, nsec) = wallNs.quotientAndRemainder(dividingBy: 1_000_000_000)
        let floorSec = nsec < 0 ? sec - 1 : sec
        return ClockSnapshot(trace: traceNs, wallSeconds: floorSec, wallNanoseconds: nsec < 0 ? nsec + 1_000_000_000 : nsec,
                             mono: monoValue)
    }

    private func corrupt(_ seq: Int64, _ what: String) -> WarehouseError {
        WarehouseError("trace \(traceID), event \(seq): \(what): the database does not hold this event completely")
    }

    // MARK: Loading the lookup tables

    private static func startAbsNs(db: Database, traceID: Int64) throws -> Int64? {
        let s = try db.prepare("SELECT coalesce(start_abs_ns, 0) FROM traces WHERE trace_id = ?")
        try s.bind(1, traceID)
        return try s.step() ? s.int64(0) : nil
    }

    private static func loadStrings(db: Database, traceID: Int64) throws -> [Int64: String] {
        let s = try db.prepare("SELECT string_id, value FROM strings WHERE trace_id = ?")
        try s.bind(1, traceID)
        var out: [Int64: String] = [:]
        // The exact bytes (a trace's strings need not be valid UTF-8).
        while try s.step() { out[s.int64(0)] = s.traceText(1) }
        return out
    }

    /// Every stack of the trace with its frames, leaf first; stacks without frames too.
    private static func loadStacks(db: Database, traceID: Int64) throws -> [Int64: Stack] {
        var frames: [Int64: [StackFrame]] = [:]
        let s = try db.prepare("""
            SELECT sf.stack_id, f.pc, fn.name, fl.path, f.line
            FROM stack_frames sf
            JOIN frames f ON f.trace_id = sf.trace_id AND f.frame_id = sf.frame_id
            JOIN funcs fn ON fn.trace_id = f.trace_id AND fn.func_id = f.func_id
            JOIN files fl ON fl.trace_id = f.trace_id AND fl.file_id = f.file_id
            WHERE sf.trace_id = ?
            ORDER BY sf.stack_id, sf.depth
            """)
        try s.bind(1, traceID)
        while try s.step() {
            frames[s.int64(0), default: []].append(StackFrame(pc: UInt64(bitPattern: s.int64(1)), function: s.traceText(2),
                                                              file: s.traceText(3), line: UInt64(bitPattern: s.int64(4))))
        }
        let ids = try db.prepare("SELECT stack_id, depth FROM stacks WHERE trace_id = ?")
        try ids.bind(1, traceID)
        var out: [Int64: Stack] = [:]
        while try ids.step() {
            let id = ids.int64(0)
            let f = frames[id] ?? []
            guard f.count == ids.int64(1) else {
                throw WarehouseError("trace \(traceID): stack \(id) has depth \(ids.int64(1)) but \(f.count) frames in stack_frames")
            }
            // A non-zero id (stack ids start at 1): Go prints `Stack=` for it even when it has no frames.
            out[id] = Stack(id: UInt64(bitPattern: id), generation: 0, frames: f)
        }
        return out
    }
}

/// The little JSON that `event_details` holds, read with object members kept in their stored order
/// (Go prints range attributes and experimental arguments in order; `JSONSerialization` loses it).
/// Numbers stay text, so a uint64 above 2^53 keeps every digit.
enum OrderedJSON: Equatable {
    case object(Object)
    case array([OrderedJSON])
    case string(String)
    case number(String)
    case bool(Bool)
    case null

    /// Members in order; lookup by key returns the first match.
    struct Object: Equatable {
        var members: [(key: String, value: OrderedJSON)]
        subscript(key: String) -> OrderedJSON? { members.first { $0.key == key }?.value }
        static func == (a: Object, b: Object) -> Bool {
            a.members.count == b.members.count && zip(a.members, b.members).allSatisfy { $0.key == $1.key && $0.value == $1.value }
        }
    }

    struct SyntaxError: Error { var message: String }

    static func parse(_ text: String) throws -> OrderedJSON {
        var p = Parser(bytes: Array(text.utf8))
        let v = try p.value()
        p.skipSpace()
        guard p.i == p.bytes.count else { throw p.error("trailing text") }
        return v
    }

    private struct Parser {
        let bytes: [UInt8]
        var i = 0
        var depth = 0

        func error(_ what: String) -> SyntaxError { SyntaxError(message: "\(what) at byte \(i)") }

        mutating func skipSpace() {
            while i < bytes.count, [0x20, 0x09, 0x0a, 0x0d].contains(bytes[i]) { i += 1 }
        }

        mutating func expect(_ c: UInt8) throws {
            skipSpace()
            guard i < bytes.count, bytes[i] == c else { throw error("expected '\(Character(Unicode.Scalar(c)))'") }
            i += 1
        }

        mutating func value() throws -> OrderedJSON {
            skipSpace()
            guard i < bytes.count else { throw error("unexpected end") }
            switch bytes[i] {
            case UInt8(ascii: "{"):
                depth += 1; defer { depth -= 1 }
                guard depth < 64 else { throw error("nested too deeply") }
                i += 1
                var members: [(key: String, value: OrderedJSON)] = []
                skipSpace()
                if i < bytes.count, bytes[i] == UInt8(ascii: "}") { i += 1; return .object(Object(members: members)) }
                while true {
                    skipSpace()
                    let key = try string()
                    try expect(UInt8(ascii: ":"))
                    members.append((key, try value()))
                    skipSpace()
                    guard i < bytes.count else { throw error("unterminated object") }
                    if bytes[i] == UInt8(ascii: "}") { i += 1; return .object(Object(members: members)) }
                    try expect(UInt8(ascii: ","))
                }
            case UInt8(ascii: "["):
                depth += 1; defer { depth -= 1 }
                guard depth < 64 else { throw error("nested too deeply") }
                i += 1
                var items: [OrderedJSON] = []
                skipSpace()
                if i < bytes.count, bytes[i] == UInt8(ascii: "]") { i += 1; return .array(items) }
                while true {
                    items.append(try value())
                    skipSpace()
                    guard i < bytes.count else { throw error("unterminated array") }
                    if bytes[i] == UInt8(ascii: "]") { i += 1; return .array(items) }
                    try expect(UInt8(ascii: ","))
                }
            case UInt8(ascii: "\""):
                return .string(try string())
            case UInt8(ascii: "t"): try literal("true"); return .bool(true)
            case UInt8(ascii: "f"): try literal("false"); return .bool(false)
            case UInt8(ascii: "n"): try literal("null"); return .null
            default:
                let start = i
                while i < bytes.count, bytes[i] == UInt8(ascii: "-") || bytes[i] == UInt8(ascii: "+")
                        || bytes[i] == UInt8(ascii: ".") || bytes[i] == UInt8(ascii: "e") || bytes[i] == UInt8(ascii: "E")
                        || (bytes[i] >= UInt8(ascii: "0") && bytes[i] <= UInt8(ascii: "9")) {
                    i += 1
                }
                guard i > start else { throw error("unexpected character") }
                return .number(String(decoding: bytes[start..<i], as: UTF8.self))
            }
        }

        mutating func literal(_ word: String) throws {
            let w = Array(word.utf8)
            guard i + w.count <= bytes.count, Array(bytes[i..<i + w.count]) == w else { throw error("expected \(word)") }
            i += w.count
        }

        mutating func string() throws -> String {
            guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") else { throw error("expected a string") }
            i += 1
            var out: [UInt8] = []
            while true {
                guard i < bytes.count else { throw error("unterminated string") }
                let c = bytes[i]; i += 1
                switch c {
                case UInt8(ascii: "\""):
                    return String(decoding: out, as: UTF8.self)
                case UInt8(ascii: "\\"):
                    guard i < bytes.count else { throw error("unterminated escape") }
                    let e = bytes[i]; i += 1
                    switch e {
                    case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(e)
                    case UInt8(ascii: "b"): out.append(0x08)
                    case UInt8(ascii: "f"): out.append(0x0c)
                    case UInt8(ascii: "n"): out.append(0x0a)
                    case UInt8(ascii: "r"): out.append(0x0d)
                    case UInt8(ascii: "t"): out.append(0x09)
                    case UInt8(ascii: "u"):
                        var scalar = try hex4()
                        if (0xD800..<0xDC00).contains(scalar), i + 1 < bytes.count,
                           bytes[i] == UInt8(ascii: "\\"), bytes[i + 1] == UInt8(ascii: "u") {
                            i += 2
                            let low = try hex4()
                            guard (0xDC00..<0xE000).contains(low) else { throw error("bad surrogate pair") }
                            scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                        }
                        out.append(contentsOf: String(Character(Unicode.Scalar(scalar) ?? "\u{FFFD}")).utf8)
                    default:
                        throw error("bad escape")
                    }
                default:
                    out.append(c)
                }
            }
        }

        mutating func hex4() throws -> UInt32 {
            guard i + 4 <= bytes.count, let v = UInt32(String(decoding: bytes[i..<i + 4], as: UTF8.self), radix: 16) else {
                throw error("bad \\u escape")
            }
            i += 4
            return v
        }
    }
}
