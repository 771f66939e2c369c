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
public struct Stack: Sendable {
    /// The wire stack id, unique within `generation`; 0 means no stack.
    public let id: UInt64
    /// The generation whose stack table holds this stack.
    public let generation: UInt64
    /// The frames, leaf first.
    public let frames: [StackFrame]

    public init(id: UInt64, generation: UInt64, frames: [StackFrame]) {
        self.id = id; self.generation = generation; self.frames = frames
    }
    /// Go's `NoStack`.
    public static let empty = Stack(id: 0, generation: 0, frames: [])
    public var isEmpty: Bool { id == 0 }
}
