import Foundation
import TraceWarehouse

/// Where an exporter writes text: a file (flushed in 1 MiB chunks, so large exports stream) or memory.
public final class TextOutput {
    private var buffer: [UInt8] = []
    private var written: [UInt8] = []
    private let handle: FileHandle?

    /// Collects the output in memory (read it with `text` / `bytes`).
    public init() { handle = nil }
    /// Streams the output to `handle` (call `close()` at the end).
    public init(handle: FileHandle) { self.handle = handle }
    /// Creates (or truncates) the file at `path` and streams to it.
    public convenience init(path: String) throws {
        guard FileManager.default.createFile(atPath: path, contents: nil) else {
            throw WarehouseError("cannot create \(path)")
        }
        guard let h = FileHandle(forWritingAtPath: path) else { throw WarehouseError("cannot write \(path)") }
        self.init(handle: h)
    }

    @inline(__always) public func write(_ s: String) {
        buffer.append(contentsOf: s.utf8)
        if handle != nil && buffer.count >= 1 << 20 { flush() }
    }
    public func write(bytes: [UInt8]) {
        buffer.append(contentsOf: bytes)
        if handle != nil && buffer.count >= 1 << 20 { flush() }
    }

    public func flush() {
        guard !buffer.isEmpty else { return }
        if let handle {
            // FileHandle.write(_: Data) traps on a write error (a full disk): use the throwing call, keep
            // the first error for finish() and drop the rest of the output.
            if writeError == nil {
                do { try handle.write(contentsOf: buffer) } catch { writeError = error }
            }
        } else {
            written.append(contentsOf: buffer)
        }
        buffer.removeAll(keepingCapacity: true)
    }
    /// The first error writing to the file (e.g. the disk is full), if any.
    public private(set) var writeError: Error?
    /// Flushes and closes the file; throws if any write failed.
    public func finish() throws {
        close()
        if let writeError { throw writeError }
    }
    public func close() {
        flush()
        try? handle?.close()
    }
    /// Everything written so far (in-memory output only).
    public var bytes: [UInt8] { flush(); return written }
    public var text: String { String(decoding: bytes, as: UTF8.self) }
}
