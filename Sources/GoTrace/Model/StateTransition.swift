/// A change of state of a goroutine or proc (`trace.StateTransition`).
public struct StateTransition: Sendable {
    /// The goroutine or proc whose state changed.
    public var resource: ResourceID
    /// Why, as the runtime says it (e.g. `chan receive`, `preempted`); often empty.
    public var reason: String
    /// The stack of the goroutine that changed state: for GoCreate the new goroutine's start stack,
    /// otherwise the goroutine's own stack at the transition (Go's `StateTransition.Stack`).
    public var stack: Stack
    /// The raw old and new state (a ``GoState`` or ``ProcState`` depending on `resource.kind`).
    public var oldState: UInt8
    public var newState: UInt8

    public init(resource: ResourceID, reason: String, stack: Stack, oldState: UInt8, newState: UInt8) {
        self.resource = resource; self.reason = reason; self.stack = stack
        self.oldState = oldState; self.newState = newState
    }
    /// The goroutine states; only meaningful when `resource.kind == .goroutine`.
    public var goroutine: (from: GoState, to: GoState) {
        (GoState(rawValue: oldState) ?? .undetermined, GoState(rawValue: newState) ?? .undetermined)
    }
    /// The proc states; only meaningful when `resource.kind == .proc`.
    public var proc: (from: ProcState, to: ProcState) {
        (ProcState(rawValue: oldState) ?? .undetermined, ProcState(rawValue: newState) ?? .undetermined)
    }
}
