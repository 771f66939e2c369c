import Foundation
import GoTrace

/// Gives each distinct string, function, file, frame and stack of one trace a small integer id and
/// writes the lookup rows (`strings`, `funcs`, `files`, `frames`, `stacks`, `stack_frames`) as new
/// values appear. Stacks are deduplicated across generations by their frame list.
final class Interner {
    private let traceID: Int64
    @exclusivity(unchecked) private var strings: [ExactString: Int64] = [:]
    @exclusivity(unchecked) private var funcs: [ExactString: Int64] = [:]
    @exclusivity(unchecked) private var files: [ExactString: Int64] = [:]
    @exclusivity(unchecked) private var frames: [StackFrame: Int64] = [:]
    @exclusivity(unchecked) private var stacksByFrames: [[Int64]: Int64] = [:]
    /// `stacks.funcs` → the first stack_id with those functions (`stacks.funcs_id`).
    @exclusivity(unchecked) private var stacksByFuncs: [ExactString: Int64] = [:]
    /// stack_id → its funcs_id (index 0 unused).
    @exclusivity(unchecked) private var funcsIDs: [Int64] = [0]
    /// Wire stack id → stack_id for the current generation (wire ids are per generation): the hot
    /// path, one dictionary probe per event. Cleared when a new generation starts, so memory stays
    /// bounded by one generation's stacks.
    @exclusivity(unchecked) private var stacksByWireID: [UInt64: Int64] = [:]
    @exclusivity(unchecked) private var stackGeneration: UInt64 = .max
    @exclusivity(unchecked) private var emptyString: Int64?

    private let insertString: Statement
    private let insertFunc: Statement
    private let insertFile: Statement
    private let insertFrame: Statement
    private let insertStack: Statement
    private let stackFramesOut: BatchInserter


    private let queue: WriteQueue

    init(db: Database, traceID: Int64, queue: WriteQueue) throws {
        self.traceID = traceID
        self.queue = queue
        insertString = try db.prepare("INSERT INTO strings(trace_id, string_id, value) VALUES (?, ?, ?)")
        insertFunc = try db.prepare("INSERT INTO funcs(trace_id, func_id, name) VALUES (?, ?, ?)")
        insertFile = try db.prepare("INSERT INTO files(trace_id, file_id, path) VALUES (?, ?, ?)")
        insertFrame = try db.prepare("INSERT INTO frames(trace_id, frame_id, pc, func_id, file_id, line) VALUES (?, ?, ?, ?, ?, ?)")
        insertStack = try db.prepare("""
            INSERT INTO stacks(trace_id, stack_id, depth, leaf_func_id, root_func_id, funcs, funcs_id) VALUES (?, ?, ?, ?, ?, ?, ?)
            """)
        stackFramesOut = try BatchInserter(db: db, table: "stack_frames", columns: ["trace_id", "stack_id", "depth", "frame_id"], queue: queue)
    }

    /// The id of a text value in `strings`.
    @inline(__always) func string(_ s: String) throws -> Int64 {
        if s.isEmpty, let e = emptyString { return e }
        if let id = strings[ExactString(s)] { return id }
        let id = Int64(strings.count + 1)
        strings[ExactString(s)] = id
        if s.isEmpty { emptyString = id }
        try insertText(insertString, id, s)
        return id
    }

    private func name(_ s: String, in table: inout [ExactString: Int64], _ stmt: Statement) throws -> Int64 {
        if let id = table[ExactString(s)] { return id }
        let id = Int64(table.count + 1)
        table[ExactString(s)] = id
        try insertText(stmt, id, s)
        return id
    }

    private func insertText(_ stmt: Statement, _ id: Int64, _ s: String) throws {
        let traceID = self.traceID
        try queue.perform { try stmt.bind(1, traceID); try stmt.bind(2, id); try stmt.bind(3, s); try stmt.run() }
    }

    func function(_ name: String) throws -> Int64 { try self.name(name, in: &funcs, insertFunc) }

    /// The `stack_id` of a stack, or nil for Go's NoStack. A stack of a generation with id 0 (GoCreate's
    /// start stack or a CPU sample's stack can be one) is a stack without frames, which Go still prints.
    @inline(__always) func stack(_ s: Stack) throws -> Int64? {
        if s.isGoNoStack { return nil }
        if s.generation != stackGeneration {
            stacksByWireID.removeAll(keepingCapacity: true)
            stackGeneration = s.generation
        }
        if let id = stacksByWireID[s.id] { return id }
        let id = try internStack(s.frames)
        stacksByWireID[s.id] = id
        return id
    }

    private func internStack(_ stackFrames: [StackFrame]) throws -> Int64 {
        var ids: [Int64] = []
        ids.reserveCapacity(stackFrames.count)
        var funcIDs: [Int64] = []
        for f in stackFrames {
            if let id = frames[f] { ids.append(id); funcIDs.append(try function(f.function)); continue }
            let funcID = try function(f.function)
            let fileID = try name(f.file, in: &files, insertFile)
            let id = Int64(frames.count + 1)
            frames[f] = id
            let ins = insertFrame, traceID = self.traceID
            try queue.perform {
                try ins.bind(1, traceID); try ins.bind(2, id)
                try ins.bind(3, Int64(bitPattern: f.pc)); try ins.bind(4, funcID)
                try ins.bind(5, fileID); try ins.bind(6, Int64(bitPattern: f.line))
                try ins.run()
            }
            ids.append(id); funcIDs.append(funcID)
        }
        if let id = stacksByFrames[ids] { return id }
        let id = Int64(stacksByFrames.count + 1)
        stacksByFrames[ids] = id
        let ins = insertStack, traceID = self.traceID, depth = Int64(ids.count)
        let leaf = funcIDs.first, root = funcIDs.last
        let funcs = stackFrames.map(\.function).joined(separator: ";")
        let funcsID = stacksByFuncs[ExactString(funcs)] ?? id
        if funcsID == id {
            stacksByFuncs[ExactString(funcs)] = id
            if funcs.isEmpty { emptyFuncsID = id }
        }
        funcsIDs.append(funcsID)
        try queue.perform {
            try ins.bind(1, traceID); try ins.bind(2, id); try ins.bind(3, depth)
            try ins.bind(4, leaf); try ins.bind(5, root)
            try ins.bind(6, funcs); try ins.bind(7, funcsID)
            try ins.run()
        }
        for (depth, frameID) in ids.enumerated() {
            stackFramesOut.add(traceID); stackFramesOut.add(id); stackFramesOut.add(depth); stackFramesOut.add(frameID)
            try stackFramesOut.endRow()
        }
        return id
    }

    /// The funcs_id of the stacks without frames (or whose frames have no function names), if the trace
    /// has one: kept, not looked up, since every closed wait asks.
    @exclusivity(unchecked) private(set) var emptyFuncsID: Int64?

    /// `stacks.funcs_id` of a stack_id (0 for none).
    @inline(__always) func funcsID(_ stack: Int64?) -> Int64 {
        guard let stack, stack > 0, Int(stack) < funcsIDs.count else { return 0 }
        return funcsIDs[Int(stack)]
    }

    func flush() throws { try stackFramesOut.flush() }
}

/// A string compared and hashed by its UTF-8 bytes. Swift's `String` equality is canonical
/// equivalence, which would give "é" and "e\u{301}" one id and lose the second spelling's bytes.
struct ExactString: Hashable {
    var value: String
    init(_ value: String) { self.value = value }
    static func == (a: ExactString, b: ExactString) -> Bool {
        var x = a.value, y = b.value
        return x.withUTF8 { p in
            y.withUTF8 { q in p.count == q.count && (p.count == 0 || memcmp(p.baseAddress!, q.baseAddress!, p.count) == 0) }
        }
    }
    func hash(into h: inout Hasher) {
        var v = value
        v.withUTF8 { h.combine(bytes: UnsafeRawBufferPointer($0)) }
    }
}
