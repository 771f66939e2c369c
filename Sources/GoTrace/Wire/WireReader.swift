// The raw wire-format reader (internal/trace/raw): every event as it is on the wire, batch
// headers and table entries included, with only basic validation. What `go tool trace -d=wire`
// prints.

/// One raw wire event (`raw.Event`).
public struct WireEvent: Sendable, CustomStringConvertible {
    /// The wire event type byte.
    public let type: UInt8
    /// All arguments, followed for stack-table entries by four per frame (pc, func, file, line).
    public var args: [UInt64]
    /// The trailing data of events that have it (strings, experimental batches); nil when empty.
    public var data: [UInt8]?
    let specCount: Int

    /// The event's name in the trace's format version, e.g. `EventBatch`.
    public var name: String { wireSpecs[Int(type)].name }
    /// The names of the event's arguments (not including stack frame fields).
    public var argNames: [String] { wireSpecs[Int(type)].args }

    /// Go's `raw.Event.String()`.
    public var description: String {
        var out: [UInt8] = []
        appendGoString(to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends Go's `raw.Event.String()` (without a trailing newline) to `out`.
    public func appendGoString(to out: inout [UInt8]) {
        let spec = wireSpecs[Int(type)]
        out.appendString(spec.name)
        for (i, name) in spec.args.enumerated() {
            out.append(UInt8(ascii: " ")); out.appendString(name); out.append(UInt8(ascii: "="))
            out.appendUInt(i < args.count ? args[i] : 0)
        }
        if spec.isStack {
            let fields: [StaticString] = ["pc=", "func=", "file=", "line="]
            var i = spec.args.count
            var k = 0
            while i < args.count {
                if k % 4 == 0 { out.appendLiteral("\n\t") } else { out.append(UInt8(ascii: " ")) }
                out.appendLiteral(fields[k % 4]); out.appendUInt(args[i])
                i += 1; k += 1
            }
        }
        if let data {
            out.appendLiteral("\n\tdata=")
            data.withUnsafeBufferPointer { appendGoQuoted($0, to: &out) }
        }
    }
}

/// Reads a trace's raw wire events in file order (Go's `raw.Reader`), for debugging and tools.
///
/// ```swift
/// let wire = try WireReader(path: "trace.out")
/// while let event = try wire.next() { print(event) }   // what `go tool trace -d=wire` prints
/// ```
///
/// Like Go's, it stops quietly (returns nil) if the input ends exactly where an argument or a
/// data byte should start; it fails on an unknown event type or a malformed varint.
public final class WireReader {
    /// The minor Go version in the header.
    public let goVersion: Int
    private let input: ByteInput
    private let specCount: Int
    private var failure: TraceError?

    /// Opens the trace file at `path` (read in chunks, not all at once) and reads its header.
    public convenience init(path: String) throws {
        try self.init(input: try ByteInput(path: path))
    }

    /// Reads a trace held in memory.
    public convenience init(bytes: [UInt8]) throws {
        try self.init(input: ByteInput(bytes: bytes))
    }

    private init(input: ByteInput) throws(TraceError) {
        self.input = input
        let minor = try readHeader(input)
        guard TraceVersion.supported.contains(minor) else {
            let message = TraceVersion.legacy.contains(minor)
                ? "go 1.\(minor) is the old (v1) trace format: the wire dump reads only the v2 format of Go 1.22+ "
                    + "(Go's raw reader has no v1 event specs either); the parsed events are read without --wire"
                : "unknown or unsupported trace version go 1.\(minor) (tracedb reads Go 1.22–1.26 traces)"
            throw TraceError(kind: .unsupportedVersion, message: message, offset: 0)
        }
        goVersion = minor
        specCount = TraceVersion(minor: minor).specCount
    }

    /// Bytes consumed so far.
    public var bytesRead: Int { input.offset }

    /// The next raw event, or nil at the end. After an error, every later call rethrows it.
    public func next() throws -> WireEvent? {
        if let failure { throw failure }
        do {
            return try readEvent()
        } catch {
            failure = error
            throw error
        }
    }

    private enum Stop: Error { case end, failed(TraceError) }

    private func readEvent() throws(TraceError) -> WireEvent? {
        let at = input.offset
        guard let evb = input.readByte() else { return nil }
        if Int(evb) >= specCount || evb == 0 {
            throw TraceError(kind: .invalid, message: "invalid event type: \(evb)", offset: at)
        }
        let spec = wireSpecs[Int(evb)]
        var args: [UInt64] = []
        args.reserveCapacity(spec.args.count)
        func readArg() throws(TraceError) -> Bool {
            let argAt = input.offset
            switch input.readUvarint() {
            case .value(let v): args.append(v); return true
            case .eof: return false
            case let failure:
                let kind: TraceError.Kind = if case .overflow = failure { .invalid } else { .truncated }
                throw TraceError(kind: kind, message: failure.errorText, offset: argAt)
            }
        }
        for _ in 0..<spec.args.count {
            if try !readArg() { return nil }
        }
        if spec.isStack {
            // Go converts the count to int: a "negative" count reads no frames.
            let n = Int(truncatingIfNeeded: args[1])
            var i = 0
            while i < n {
                for _ in 0..<4 { if try !readArg() { return nil } }
                i += 1
            }
        }
        var data: [UInt8]?
        if spec.hasData {
            let lenAt = input.offset
            let len: UInt64
            switch input.readUvarint() {
            case .value(let v): len = v
            case .eof: return nil
            case let failure:
                let kind: TraceError.Kind = if case .overflow = failure { .invalid } else { .truncated }
                throw TraceError(kind: kind, message: failure.errorText, offset: lenAt)
            }
            let n = Int(truncatingIfNeeded: len)
            if n > 0 {
                var bytes: [UInt8] = []
                // Read in bounded steps so a huge declared length cannot make a huge allocation.
                var remaining = n
                while remaining > 0 {
                    let step = min(remaining, 1 << 16)
                    let got = input.read(step, appendingTo: &bytes)
                    if got < step { return nil }
                    remaining -= step
                }
                data = bytes
            }
        }
        return WireEvent(type: evb, args: args, data: data, specCount: specCount)
    }
}
