import Foundation
#if canImport(Glibc)
import Glibc
private let systemWrite = Glibc.write
#elseif canImport(Darwin)
import Darwin
private let systemWrite = Darwin.write
#endif

/// Getting a trace failed: names the source (`stdin`, a URL, a command), what is wrong and, where it
/// helps, what to do.
public struct TraceInputError: Error, CustomStringConvertible, Sendable {
    public enum Kind: Sendable, Equatable {
        /// The source could not be read (a read error on the pipe, no space for the spool file).
        case io
        /// Nothing came: an empty pipe or body.
        case empty
        /// The server refused the connection or could not be reached.
        case connection
        /// The server answered with an HTTP error status.
        case httpStatus(Int)
        /// The server answered, but not with a Go execution trace.
        case notATrace
        /// No answer within the time allowed.
        case timeout
        /// The URL cannot be used.
        case badURL
    }
    public var kind: Kind
    public var source: String
    public var message: String
    public init(_ kind: Kind, source: String, message: String) {
        self.kind = kind; self.source = source; self.message = message
    }
    public var description: String { "\(source): \(message)" }
}

/// A trace copied from a stream (a pipe, an HTTP body) into a file of its own, so that the loader can
/// read it like any trace file: it hashes the file for de-duplication before it parses it, and reads
/// an old-format trace whole, neither of which a pipe allows. The file lives in a private temporary
/// folder under `name` (so the run is called `stdin`, or what `--name` says); `remove()` deletes both.
public final class SpooledTrace: @unchecked Sendable {
    /// The spool file: `<temporary folder>/tracedb-<random>/<name>`.
    public let path: String
    /// Bytes written so far.
    public private(set) var bytes = 0
    let folder: String
    let fd: Int32
    let source: String

    /// Creates an empty spool file called `name` (a plain file name) in a new private folder under
    /// `directory` (default: the system's temporary folder).
    public init(name: String, source: String, directory: String? = nil) throws(TraceInputError) {
        self.source = source
        let base = directory ?? FileManager.default.temporaryDirectory.path
        var template = Array((base + "/tracedb-XXXXXX").utf8CString)
        guard let dir = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            throw TraceInputError(.io, source: source, message: "cannot create a temporary folder in \(base) (\(String(cString: strerror(errno))))")
        }
        folder = String(cString: dir)
        let safe = name.isEmpty || name == "." || name == ".." ? "trace" : name.replacingOccurrences(of: "/", with: "_")
        path = folder + "/" + safe
        fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        if fd < 0 {
            let why = String(cString: strerror(errno))
            rmdir(folder)
            throw TraceInputError(.io, source: source, message: "cannot create a temporary file in \(base) (\(why))")
        }
    }

    deinit { remove() }

    /// Appends bytes to the spool file.
    public func write(_ chunk: UnsafeRawBufferPointer) throws(TraceInputError) {
        var off = 0
        while off < chunk.count {
            let n = systemWrite(fd, chunk.baseAddress! + off, chunk.count - off)
            if n < 0 {
                if errno == EINTR { continue }
                let why = String(cString: strerror(errno))
                throw TraceInputError(.io, source: source, message: "cannot write the temporary copy \(path) (\(why))")
            }
            off += n
        }
        bytes += chunk.count
    }

    /// Closes the spool file; call before reading it.
    public func finish() throws(TraceInputError) {
        if closed { return }
        closed = true
        if close(fd) != 0 {
            throw TraceInputError(.io, source: source, message: "cannot write the temporary copy \(path) (\(String(cString: strerror(errno))))")
        }
    }
    private var closed = false
    private var removed = false

    /// Deletes the spool file and its folder.
    public func remove() {
        if !closed { closed = true; close(fd) }
        if removed { return }
        removed = true
        unlink(path)
        rmdir(folder)
    }

    /// Deletes the file and its folder without touching the descriptor (safe while another thread
    /// may still be writing: its writes then go to an unlinked file). For abandoned downloads.
    func unlinkFiles() {
        unlink(path)
        rmdir(folder)
    }

    /// Copies everything readable from `fd` (standard input: 0) into a new spool file, in 1 MiB
    /// reads, calling `progress` with the bytes copied so far. Memory stays at one buffer whatever
    /// the trace's size.
    public static func copy(fromDescriptor input: Int32, name: String, source: String, directory: String? = nil,
                            progress: ((Int) -> Void)? = nil) throws(TraceInputError) -> SpooledTrace {
        let spool = try SpooledTrace(name: name, source: source, directory: directory)
        let size = 1 << 20
        let buf = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 16)
        defer { buf.deallocate() }
        while true {
            let n = read(input, buf, size)
            if n < 0 {
                if errno == EINTR { continue }
                let why = String(cString: strerror(errno))
                spool.remove()
                throw TraceInputError(.io, source: source, message: "cannot read (\(why))")
            }
            if n == 0 { break }
            do { try spool.write(UnsafeRawBufferPointer(start: buf, count: n)) } catch { spool.remove(); throw error }
            progress?(spool.bytes)
        }
        do { try spool.finish() } catch { spool.remove(); throw error }
        if spool.bytes == 0 {
            spool.remove()
            throw TraceInputError(.empty, source: source, message: "no data: expected a Go execution trace (e.g. `cat trace.out | tracedb ingest -`)")
        }
        return spool
    }
}
