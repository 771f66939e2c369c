/// A hash map from 64-bit integer IDs to small plain values, for per-goroutine,
/// per-proc and per-thread state (the ordering's, and the warehouse loader's; Go uses maps; Swift's `Dictionary` with class values costs
/// hashing and reference counting on every event). Open addressing, linear probing, deletion by
/// backward shift.
public struct IntMap<Value> {
    @usableFromInline var keys: [Int64]
    @usableFromInline var values: [Value?]
    @usableFromInline var mask: Int
    @usableFromInline var storedCount = 0
    /// Number of entries.
    @inlinable public var count: Int { storedCount }
    /// Changes whenever slots may have moved (insertions of new keys, removals).
    @usableFromInline var storedLayoutVersion = 0
    @inlinable public var layoutVersion: Int { storedLayoutVersion }

    @inlinable public init() {
        keys = [Int64](repeating: 0, count: 16)
        values = [Value?](repeating: nil, count: 16)
        mask = 15
    }

    @inlinable @inline(__always)
    func home(_ key: Int64) -> Int {
        Int(truncatingIfNeeded: (UInt64(bitPattern: key) &* 0x9E37_79B9_7F4A_7C15) >> 32) & mask
    }

    /// The slot holding `key`, or nil.
    @inlinable @inline(__always)
    public func find(_ key: Int64) -> Int? {
        var i = home(key)
        while values[i] != nil {
            if keys[i] == key { return i }
            i = (i + 1) & mask
        }
        return nil
    }

    @inlinable @inline(__always)
    public func contains(_ key: Int64) -> Bool { find(key) != nil }

    /// The value at a slot returned by ``find(_:)``.
    @inlinable @inline(__always)
    public subscript(slot slot: Int) -> Value {
        get { values[slot]! }
        set { values[slot] = newValue }
    }

    @inlinable @inline(__always)
    public subscript(key: Int64) -> Value? {
        guard let i = find(key) else { return nil }
        return values[i]
    }

    /// Inserts or replaces; returns the slot.
    @inlinable @discardableResult
    public mutating func set(_ key: Int64, _ value: Value) -> Int {
        if let i = find(key) { values[i] = value; return i }
        storedLayoutVersion &+= 1
        if (storedCount + 1) * 4 > (mask + 1) * 3 { grow() }
        var i = home(key)
        while values[i] != nil { i = (i + 1) & mask }
        keys[i] = key
        values[i] = value
        storedCount += 1
        return i
    }

    @inlinable public mutating func remove(_ key: Int64) {
        guard var i = find(key) else { return }
        storedLayoutVersion &+= 1
        values[i] = nil
        storedCount -= 1
        // Shift later entries of the probe run back so lookups stay correct.
        var j = i
        while true {
            j = (j + 1) & mask
            guard values[j] != nil else { break }
            let h = home(keys[j])
            // Move j to i unless its home lies cyclically in (i, j].
            let inRange = i <= j ? (h > i && h <= j) : (h > i || h <= j)
            if !inRange {
                keys[i] = keys[j]
                values[i] = values[j]
                values[j] = nil
                i = j
            }
        }
    }

    @inlinable mutating func grow() {
        let oldKeys = keys, oldValues = values
        let capacity = (mask + 1) * 2
        keys = [Int64](repeating: 0, count: capacity)
        values = [Value?](repeating: nil, count: capacity)
        mask = capacity - 1
        storedCount = 0
        for (k, v) in zip(oldKeys, oldValues) {
            if let v { set(k, v) }
        }
    }

    /// All entries, in no particular order.
    @inlinable public func forEach(_ body: (Int64, Value) throws(TraceError) -> Void) throws(TraceError) {
        for i in 0...mask {
            if let v = values[i] { try body(keys[i], v) }
        }
    }

    /// All keys, sorted.
    @inlinable public var sortedKeys: [Int64] {
        var out: [Int64] = []
        for i in 0...mask where values[i] != nil { out.append(keys[i]) }
        return out.sorted()
    }
}
