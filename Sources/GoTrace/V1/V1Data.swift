// The bytes of a v1 trace after its header, owned for as long as its events are being read: the
// v1 reader decodes the batches again when it delivers events, instead of keeping every decoded
// event in memory (see ``V1Parser``).

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

final class V1Data {
    private var storage: UnsafeMutableBufferPointer<UInt8>
    /// Valid bytes in `storage`.
    private(set) var count: Int

    /// The bytes, valid as long as this object lives.
    var bytes: UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(rebasing: storage[0..<count]) }

    /// Copies `bytes[start...]`.
    init(copying bytes: [UInt8], from start: Int) {
        let n = max(0, bytes.count - start)
        storage = .allocate(capacity: max(n, 1))
        count = n
        if n > 0 {
            bytes.withUnsafeBufferPointer { src in
                _ = storage.initialize(from: UnsafeBufferPointer(rebasing: src[start...]))
            }
        }
    }

    /// Reads everything left in `input`. `expected` (e.g. the file size minus the header) sizes
    /// the buffer so that it is allocated once.
    init(rest input: ByteInput, expected: Int) {
        storage = .allocate(capacity: max(expected, 1 << 16))
        count = 0
        while true {
            if count == storage.count {
                let bigger = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: storage.count * 2)
                _ = bigger.initialize(from: UnsafeBufferPointer(rebasing: storage[0..<count]))
                storage.deallocate()
                storage = bigger
            }
            let n = input.read(storage.count - count, into: storage.baseAddress! + count)
            if n == 0 { break }
            count += n
        }
    }

    deinit { storage.deallocate() }

    /// The size of the file at `path`, if it can be known.
    static func fileSize(_ path: String) -> Int? {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        return Int(st.st_size)
    }
}
