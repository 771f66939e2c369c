// Compact containers for the analyses' per-goroutine state. A trace can hold hundreds of thousands
// of goroutines, and each analysis keeps a record for every one of them until the end, so how
// these records are stored decides the analyses' peak memory.

/// A map from a 64-bit id (a goroutine id) to a value, for ids that the Go runtime hands out
/// densely from 1 up: ids in `0..<dense.count` live in an array indexed by id, others (negative,
/// or far beyond the ids seen so far, as a corrupt trace may give) in a dictionary. The array never
/// grows beyond about four times the number of entries plus 1024 slots, so memory stays
/// proportional to the entries whatever the ids are.
///
/// `package` so that the warehouse can key its own per-goroutine facts the same way.
package struct DenseIDMap<Value> {
    @usableFromInline var dense: [Value?] = []
    @usableFromInline var sparse: [Int64: Value] = [:]
    @usableFromInline var storedCount = 0

    @inlinable package init() {}

    /// The number of entries.
    @inlinable package var count: Int { storedCount }

    @inlinable package subscript(id: Int64) -> Value? {
        if id >= 0 && id < Int64(dense.count) { return dense[Int(id)] }
        return sparse.isEmpty ? nil : sparse[id]
    }

    /// `map[id] = value`.
    @inlinable package mutating func set(_ id: Int64, _ value: Value) {
        if id >= 0 {
            if id < Int64(dense.count) {
                if dense[Int(id)] == nil { storedCount += 1 }
                dense[Int(id)] = value
                return
            }
            let limit = Int64(4 * (storedCount + 1) + 1024)
            if id < limit {
                growDense(covering: Int(id), limit: Int(limit))
                if dense[Int(id)] == nil { storedCount += 1 } // (it may have moved in from `sparse`)
                dense[Int(id)] = value
                return
            }
        }
        if sparse.updateValue(value, forKey: id) == nil { storedCount += 1 }
    }

    @usableFromInline mutating func growDense(covering id: Int, limit: Int) {
        // Grow by half (not double) and to exactly that capacity: the array is the bulk of the map.
        let n = Swift.min(Swift.max(id + 1, dense.count + dense.count / 2, 1024), limit)
        var grown = [Value?]()
        grown.reserveCapacity(n)
        grown.append(contentsOf: dense)
        grown.append(contentsOf: repeatElement(nil, count: n - dense.count))
        dense = grown
        // Entries of `sparse` now in the dense range move there (an id is in exactly one place).
        if !sparse.isEmpty {
            let moving = sparse.keys.filter { $0 >= 0 && $0 < Int64(n) }
            for k in moving { dense[Int(k)] = sparse.removeValue(forKey: k) }
        }
    }

    /// Every entry, by increasing id.
    @inlinable package func forEachSorted(_ body: (Int64, Value) throws -> Void) rethrows {
        let sparseKeys = sparse.keys.sorted()
        var s = 0
        while s < sparseKeys.count && sparseKeys[s] < 0 {
            try body(sparseKeys[s], sparse[sparseKeys[s]]!)
            s += 1
        }
        for i in dense.indices {
            if let v = dense[i] { try body(Int64(i), v) }
        }
        while s < sparseKeys.count {
            try body(sparseKeys[s], sparse[sparseKeys[s]]!)
            s += 1
        }
    }
}

/// An append-only array stored in fixed-size chunks: no doubling (up to half the capacity unused)
/// and no copy of the whole array when it grows.
struct ChunkedArray<Element> {
    private static var shift: Int { 12 }
    private static var chunkSize: Int { 1 << shift }
    private static var mask: Int { chunkSize - 1 }

    private var chunks: [[Element]] = []
    private(set) var count = 0

    init() {}

    var indices: Swift.Range<Int> { 0..<count }

    subscript(i: Int) -> Element {
        @inline(__always) get { chunks[i &>> Self.shift][i & Self.mask] }
        @inline(__always) _modify { yield &chunks[i &>> Self.shift][i & Self.mask] }
    }

    mutating func append(_ e: Element) {
        if count & Self.mask == 0 {
            var chunk: [Element] = []
            // The first chunk grows as needed (small traces stay small); later ones are full size.
            if count > 0 { chunk.reserveCapacity(Self.chunkSize) }
            chunks.append(chunk)
        }
        chunks[chunks.count - 1].append(e)
        count += 1
    }

    mutating func removeAll() {
        chunks = []
        count = 0
    }
}
