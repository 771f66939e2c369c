/// Why reading a trace failed.
public struct TraceError: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable {
        /// The file ends in the middle of a generation (e.g. the program crashed while tracing).
        /// With ``TraceReader``'s default `completeGenerationsOnly: true`, every event returned
        /// before this error belongs to a complete generation (followed by the Sync that closes
        /// the last one, as Go emits it).
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
/// Reads Go 1.22–1.26 traces (headers `go 1.22 trace` … `go 1.26 trace`; Go 1.27 writes 1.26).
/// The file is read one generation at a time, so memory is bounded by the largest generation,
/// not the file. The first and last events are Sync events, as in Go.
///
/// Also reads the old format of Go 1.11–1.21 (headers `go 1.11`, `go 1.19`, `go 1.21 trace`),
/// converted to the same events as Go converts them (``V1Reader``). That format has no
/// generations: the whole file is read, merged and validated before the first event.
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

    /// The reader's state, kept at a fixed address so the hot loop mutates it in place.
    /// (Unused, over the consumed input, for a v1 trace.)
    private let core: UnsafeMutablePointer<ReaderCore>
    /// The reader of a v1 (Go 1.11–1.21) trace.
    private let v1: V1Reader?

    /// Opens the trace file at `path` and reads its header.
    ///
    /// - Parameter completeGenerationsOnly: if the file ends inside a generation, deliver no event
    ///   of that generation before the `.truncated` error (the default). Pass false to get exactly
    ///   what Go's reader delivers, which for Go 1.22–1.25 traces can include events of the cut
    ///   generation (Go cannot tell that a generation without its string table is incomplete).
    public convenience init(path: String, completeGenerationsOnly: Bool = true) throws {
        try self.init(input: try ByteInput(path: path), completeGenerationsOnly: completeGenerationsOnly,
                      size: V1Data.fileSize(path))
    }

    /// Reads a trace held in memory.
    public convenience init(bytes: [UInt8], completeGenerationsOnly: Bool = true) throws {
        try self.init(input: ByteInput(bytes: bytes), completeGenerationsOnly: completeGenerationsOnly,
                      size: bytes.count)
    }

    /// `size`: the input's size if known (a v1 trace is read whole).
    private init(input: ByteInput, completeGenerationsOnly: Bool, size: Int?) throws(TraceError) {
        let minor = try readHeader(input)
        if v1TraceVersions.contains(minor) {
            let data = V1Data(rest: input, expected: (size ?? 0) - input.offset)
            v1 = try V1Reader(data: data, version: minor, completeGenerationsOnly: completeGenerationsOnly)
            goVersion = minor
            core = UnsafeMutablePointer<ReaderCore>.allocate(capacity: 1)
            core.initialize(to: ReaderCore(input: input, version: .go126, completeGenerationsOnly: completeGenerationsOnly))
            return
        }
        guard TraceVersion.supported.contains(minor) else {
            throw TraceError(kind: .unsupportedVersion,
                             message: "unknown or unsupported trace version go 1.\(minor) (tracedb reads Go 1.11–1.26 traces)",
                             offset: 0)
        }
        v1 = nil
        goVersion = minor
        core = UnsafeMutablePointer<ReaderCore>.allocate(capacity: 1)
        core.initialize(to: ReaderCore(input: input, version: TraceVersion(minor: minor),
                                       completeGenerationsOnly: completeGenerationsOnly))
    }

    deinit {
        core.deinitialize(count: 1)
        core.deallocate()
    }

    /// Bytes of the file consumed so far (for progress reporting).
    public var bytesRead: Int { core.pointee.input.offset }

    /// The next event, or nil at the end of the trace. After an error, every later call rethrows it.
    public func next() throws -> Event? {
        if let v1 { return try v1.next() }
        guard let p = try core.pointee.nextPending() else { return nil }
        // Built outside any mutating access to `core`, so the event is not copied on the way out.
        let box = p.box < 0 ? nil : core.pointee.takeBox(p.box)
        return Event(typ: p.typ, time: p.time, args: p.args, ctx: p.ctx, table: p.hasTable ? core.pointee.table : nil,
                     box: box, info: core.pointee.info)
    }

    /// ``next()`` with a typed error.
    func nextEvent() throws(TraceError) -> Event? {
        if let v1 { return try v1.next() }
        return try core.pointee.next()
    }
}
