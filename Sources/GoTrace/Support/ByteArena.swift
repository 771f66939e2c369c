/// Storage for one generation's event-batch bytes: fixed chunks that never move, so a batch's
/// bytes keep their address (no copying as the generation grows, and no doubled peak memory).
/// A batch (at most 64 KiB) never spans two chunks.
final class ByteArena {
    /// A position to rewind to (to take back the last batch).
    struct Mark {
        fileprivate var chunk: Int
        fileprivate var fill: Int
    }

    private static let chunkSize = 1 << 20
    private var chunks: [(base: UnsafeMutablePointer<UInt8>, capacity: Int)] = []
    private var current = -1
    private var fill = 0

    init() {}

    deinit {
        for c in chunks { c.base.deallocate() }
    }

    var mark: Mark { Mark(chunk: current, fill: fill) }

    /// Returns room for `n` contiguous bytes; call ``commit(_:)`` after filling them.
    func reserve(_ n: Int) -> UnsafeMutablePointer<UInt8> {
        if current >= 0 && fill + n <= chunks[current].capacity {
            return chunks[current].base + fill
        }
        // Move on to the next chunk, reusing one left by a rewind if it is big enough.
        current += 1
        fill = 0
        if current < chunks.count && chunks[current].capacity < n {
            chunks[current].base.deallocate()
            chunks.remove(at: current)
        }
        if current == chunks.count {
            let capacity = max(Self.chunkSize, n)
            chunks.append((UnsafeMutablePointer<UInt8>.allocate(capacity: capacity), capacity))
        }
        return chunks[current].base
    }

    func commit(_ n: Int) { fill += n }

    /// Drops everything added after `mark`.
    func rewind(to mark: Mark) {
        current = mark.chunk
        fill = mark.fill
    }

    /// Copies `bytes` in and returns where they are.
    func append(_ bytes: UnsafeRawBufferPointer) -> UnsafePointer<UInt8> {
        let p = reserve(bytes.count)
        if let src = bytes.baseAddress { p.update(from: src.assumingMemoryBound(to: UInt8.self), count: bytes.count) }
        commit(bytes.count)
        return UnsafePointer(p)
    }
}
