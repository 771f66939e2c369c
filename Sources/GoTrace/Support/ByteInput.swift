#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A sequential byte stream over a file (read with `read(2)` into a fixed buffer, never mapped or
/// slurped) or over bytes in memory. Tracks how many bytes were consumed.
final class ByteInput {
    fileprivate var buffer: [UInt8]
    fileprivate var start = 0
    fileprivate var end = 0
    private var fd: Int32 = -1
    private var eofReached = false
    /// Bytes consumed before `buffer[0]`.
    private var base = 0
    private(set) var ioError: String?

    /// Bytes consumed so far.
    var offset: Int { base + start }

    init(bytes: [UInt8]) {
        buffer = bytes
        end = bytes.count
        eofReached = true
    }

    init(path: String, bufferSize: Int = 128 << 10) throws(TraceError) {
        let fd = open(path, O_RDONLY)
        if fd < 0 {
            let reason = String(cString: strerror(errno))
            throw TraceError(kind: .io, message: "open \(path): \(reason)")
        }
        self.fd = fd
        buffer = [UInt8](repeating: 0, count: bufferSize)
    }

    deinit {
        if fd >= 0 { close(fd) }
    }

    /// Refills the buffer; returns false at end of input.
    fileprivate func refill() -> Bool {
        if eofReached { return false }
        if start < end {
            // Keep the unread tail.
            buffer.withUnsafeMutableBytes { raw in
                guard let p = raw.baseAddress else { return }
                memmove(p, p + start, end - start)
            }
        }
        base += start
        end -= start
        start = 0
        while true {
            let n = buffer.withUnsafeMutableBytes { raw -> Int in
                posixRead(fd, raw.baseAddress! + end, raw.count - end)
            }
            if n > 0 { end += n; return true }
            if n < 0 && errno == EINTR { continue }
            if n < 0 { ioError = String(cString: strerror(errno)) }
            eofReached = true
            if fd >= 0 { close(fd); fd = -1 }
            return false
        }
    }

    @inline(__always)
    func readByte() -> UInt8? {
        if start == end && !refill() { return nil }
        let b = buffer[start]
        start += 1
        return b
    }

    /// Looks at the next byte without consuming it.
    func peekByte() -> UInt8? {
        if start == end && !refill() { return nil }
        return buffer[start]
    }

    /// Go's `binary.ReadUvarint`.
    func readUvarint() -> VarintResult {
        while end - start < maxVarintLength && refill() {}
        let (result, used) = buffer.withUnsafeBufferPointer { buf -> (VarintResult, Int) in
            guard let p = buf.baseAddress else { return (.eof, 0) }
            return goReadUvarint(p + start, end - start)
        }
        start += used
        return result
    }

    /// Appends up to `count` bytes to `out`; returns how many were appended (fewer only at the end).
    func read(_ count: Int, appendingTo out: inout [UInt8]) -> Int {
        var remaining = count
        while remaining > 0 {
            if start == end && !refill() { break }
            let n = min(remaining, end - start)
            buffer.withUnsafeBufferPointer { src in
                out.append(contentsOf: UnsafeBufferPointer(rebasing: src[start..<(start + n)]))
            }
            start += n
            remaining -= n
        }
        return count - remaining
    }
}

extension ByteInput {
    /// Copies up to `count` bytes to `dst`; returns how many were copied.
    func read(_ count: Int, into dst: UnsafeMutablePointer<UInt8>) -> Int {
        var remaining = count
        var out = dst
        while remaining > 0 {
            if start == end && !refill() { break }
            let n = min(remaining, end - start)
            buffer.withUnsafeBufferPointer { src in
                out.update(from: src.baseAddress! + start, count: n)
            }
            out += n
            start += n
            remaining -= n
        }
        return count - remaining
    }
}
