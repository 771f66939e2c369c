/// One frame of a stack (`trace.StackFrame`).
public struct StackFrame: Hashable, Sendable {
    public var pc: UInt64
    public var function: String
    public var file: String
    public var line: UInt64
    public init(pc: UInt64, function: String, file: String, line: UInt64) {
        self.pc = pc; self.function = function; self.file = file; self.line = line
    }
}

/// A call stack, leaf first (`trace.Stack`). ``empty`` (id 0) is Go's `NoStack`.
///
/// `id` is only unique within one generation of the trace (`generation`), as in the wire format:
/// consumers that intern stacks can cache by `(generation, id)` and read `frames` once per key.
/// Stacks from a ``TraceReader`` resolve their frames from the generation's tables on each
/// access of `frames`.
public struct Stack: Sendable {
    /// The wire stack id, unique within `generation`; 0 means no stack.
    public let id: UInt64
    /// The generation whose stack table holds this stack.
    public let generation: UInt64
    let source: Source?

    enum Source: Sendable {
        case table(GenerationTable)
        case frames([StackFrame])
    }

    public init(id: UInt64, generation: UInt64, frames: [StackFrame]) {
        self.id = id; self.generation = generation; source = frames.isEmpty ? nil : .frames(frames)
    }

    init(id: UInt64, table: GenerationTable) {
        self.id = id; generation = table.gen; source = .table(table)
    }

    /// The frames, leaf first.
    public var frames: [StackFrame] {
        switch source {
        case .table(let t): t.publicFrames(id)
        case .frames(let f): f
        case nil: []
        }
    }

    /// Go's `NoStack`.
    public static let empty = Stack(id: 0, generation: 0, frames: [])
    public var isEmpty: Bool { id == 0 }

    /// Whether Go would print this stack (a handle other than `NoStack`): a stack of a generation
    /// prints even with id 0 (as the new-goroutine stack of GoCreate or a CPU sample's stack can).
    public var isGoNoStack: Bool { id == 0 && source == nil && generation == 0 }
}
