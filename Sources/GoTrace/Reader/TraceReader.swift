/// Why reading a trace failed.
public struct TraceError: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable {
        /// The file ends in the middle of a generation (e.g. the program crashed while tracing).
        /// Every event returned before this error belongs to a complete generation.
        case truncated
        /// The bytes are not a valid trace (bad framing, unknown event, failed validation…).
        case invalid
        /// The header names a format this reader does not support (e.g. `go 1.19 trace`).
        case unsupportedVersion
        /// The file could not be read.
        case io
    }
    public var kind: Kind
    /// Go's error text where Go has one (so it can be compared with `go tool trace`).
    public var message: String
    /// Byte offset in the file where the problem was found, when known.
    public var offset: Int?
    /// The generation being read, when known.
    public var generation: UInt64?

    public init(kind: Kind, message: String, offset: Int? = nil, generation: UInt64? = nil) {
        self.kind = kind; self.message = message; self.offset = offset; self.generation = generation
    }
    /// `message` followed by where it happened, e.g. `… (at byte 1234, generation 3)`.
    public var description: String {
        var parts: [String] = []
        if let offset { parts.append("at byte \(offset)") }
        if let generation { parts.append("generation \(generation)") }
        return parts.isEmpty ? message : "\(message) (\(parts.joined(separator: ", ")))"
    }
}

/// Reads a Go execution trace as a stream of ``Event``s, exactly as Go's `internal/trace.Reader`.
///
/// Memory is bounded by the largest generation, not the file.
///
/// ```swift
/// let reader = try TraceReader(path: "trace.out")
/// var goroutines = Set<GoID>()
/// while let event = try reader.next() {
///     if let st = event.stateTransition, st.resource.kind == .goroutine { goroutines.insert(st.resource.id) }
/// }
/// print("\(goroutines.count) goroutines")
/// ```
public final class TraceReader {
    /// The minor Go version in the header (`go 1.22 trace` → 22).
    public private(set) var goVersion: Int = 0

    /// Opens the trace file at `path` and reads its header.
    public init(path: String) throws {
        throw TraceError(kind: .io, message: "not implemented")
    }

    /// Reads a trace held in memory.
    public init(bytes: [UInt8]) throws {
        throw TraceError(kind: .io, message: "not implemented")
    }

    /// The next event, or nil at the end of the trace. After an error, every later call rethrows it.
    public func next() throws -> Event? {
        nil
    }

    /// Bytes of the file consumed so far (for progress reporting).
    public var bytesRead: Int { 0 }
}
