// Go's `slices.SortFunc` (pattern-defeating quicksort). It is not stable, and where the reader
// sorts things with equal keys (CPU samples with equal times, the frontier of batch cursors) the
// order Go leaves them in decides the output, so the very same algorithm is needed here.

/// Sorts `data` exactly as Go's `slices.SortFunc(data, cmp)` would, with `less(a, b)` = `cmp(a, b) < 0`.
func goSortFunc<E>(_ data: inout [E], _ less: (E, E) -> Bool) {
    let n = data.count
    guard n > 1 else { return }
    withoutActuallyEscaping(less) { less in
        data.withUnsafeMutableBufferPointer { buf in
            var sorter = GoPDQSort(data: buf, less: less)
            sorter.pdqsort(0, n, limit: Int.bitWidth - n.leadingZeroBitCount)
        }
    }
}

private struct GoPDQSort<E> {
    let data: UnsafeMutableBufferPointer<E>
    let less: (E, E) -> Bool

    private enum Hint { case unknown, increasing, decreasing }

    @inline(__always) private func lt(_ i: Int, _ j: Int) -> Bool { less(data[i], data[j]) }
    @inline(__always) private func swap(_ i: Int, _ j: Int) { data.swapAt(i, j) }

    private func insertionSort(_ a: Int, _ b: Int) {
        var i = a + 1
        while i < b {
            var j = i
            while j > a && lt(j, j - 1) { swap(j, j - 1); j -= 1 }
            i += 1
        }
    }

    private func siftDown(_ lo: Int, _ hi: Int, _ first: Int) {
        var root = lo
        while true {
            var child = 2 * root + 1
            if child >= hi { break }
            if child + 1 < hi && lt(first + child, first + child + 1) { child += 1 }
            if !lt(first + root, first + child) { return }
            swap(first + root, first + child)
            root = child
        }
    }

    private func heapSort(_ a: Int, _ b: Int) {
        let first = a, lo = 0, hi = b - a
        var i = (hi - 1) / 2
        while i >= 0 { siftDown(i, hi, first); i -= 1 }
        i = hi - 1
        while i >= 0 { swap(first, first + i); siftDown(lo, i, first); i -= 1 }
    }

    mutating func pdqsort(_ a0: Int, _ b0: Int, limit limit0: Int) {
        var a = a0, b = b0, limit = limit0
        let maxInsertion = 12
        var wasBalanced = true, wasPartitioned = true
        while true {
            let length = b - a
            if length <= maxInsertion { insertionSort(a, b); return }
            if limit == 0 { heapSort(a, b); return }
            if !wasBalanced { breakPatterns(a, b); limit -= 1 }
            var (pivot, hint) = choosePivot(a, b)
            if hint == .decreasing {
                reverseRange(a, b)
                pivot = (b - 1) - (pivot - a)
                hint = .increasing
            }
            if wasBalanced && wasPartitioned && hint == .increasing {
                if partialInsertionSort(a, b) { return }
            }
            if a > 0 && !lt(a - 1, pivot) {
                a = partitionEqual(a, b, pivot)
                continue
            }
            let (mid, alreadyPartitioned) = partition(a, b, pivot)
            wasPartitioned = alreadyPartitioned
            let leftLen = mid - a, rightLen = b - mid
            let balanceThreshold = length / 8
            if leftLen < rightLen {
                wasBalanced = leftLen >= balanceThreshold
                pdqsort(a, mid, limit: limit)
                a = mid + 1
            } else {
                wasBalanced = rightLen >= balanceThreshold
                pdqsort(mid + 1, b, limit: limit)
                b = mid
            }
        }
    }

    private func partition(_ a: Int, _ b: Int, _ pivot: Int) -> (Int, Bool) {
        swap(a, pivot)
        var i = a + 1, j = b - 1
        while i <= j && lt(i, a) { i += 1 }
        while i <= j && !lt(j, a) { j -= 1 }
        if i > j { swap(j, a); return (j, true) }
        swap(i, j); i += 1; j -= 1
        while true {
            while i <= j && lt(i, a) { i += 1 }
            while i <= j && !lt(j, a) { j -= 1 }
            if i > j { break }
            swap(i, j); i += 1; j -= 1
        }
        swap(j, a)
        return (j, false)
    }

    private func partitionEqual(_ a: Int, _ b: Int, _ pivot: Int) -> Int {
        swap(a, pivot)
        var i = a + 1, j = b - 1
        while true {
            while i <= j && !lt(a, i) { i += 1 }
            while i <= j && lt(a, j) { j -= 1 }
            if i > j { break }
            swap(i, j); i += 1; j -= 1
        }
        return i
    }

    private func partialInsertionSort(_ a: Int, _ b: Int) -> Bool {
        let maxSteps = 5, shortestShifting = 50
        var i = a + 1
        for _ in 0..<maxSteps {
            while i < b && !lt(i, i - 1) { i += 1 }
            if i == b { return true }
            if b - a < shortestShifting { return false }
            swap(i, i - 1)
            if i - a >= 2 {
                var j = i - 1
                while j >= 1 {
                    if !lt(j, j - 1) { break }
                    swap(j, j - 1)
                    j -= 1
                }
            }
            if b - i >= 2 {
                var j = i + 1
                while j < b {
                    if !lt(j, j - 1) { break }
                    swap(j, j - 1)
                    j += 1
                }
            }
        }
        return false
    }

    private func breakPatterns(_ a: Int, _ b: Int) {
        let length = b - a
        guard length >= 8 else { return }
        var random = UInt64(length)
        let modulus = UInt(1) << UInt(UInt.bitWidth - UInt(length).leadingZeroBitCount)
        var idx = a + (length / 4) * 2 - 1
        while idx <= a + (length / 4) * 2 + 1 {
            random ^= random << 13
            random ^= random >> 7
            random ^= random << 17
            var other = Int(UInt(truncatingIfNeeded: random) & (modulus - 1))
            if other >= length { other -= length }
            swap(idx, a + other)
            idx += 1
        }
    }

    private func choosePivot(_ a: Int, _ b: Int) -> (Int, Hint) {
        let shortestNinther = 50, maxSwaps = 4 * 3
        let l = b - a
        var swaps = 0
        var i = a + l / 4 * 1, j = a + l / 4 * 2, k = a + l / 4 * 3
        if l >= 8 {
            if l >= shortestNinther {
                i = medianAdjacent(i, &swaps)
                j = medianAdjacent(j, &swaps)
                k = medianAdjacent(k, &swaps)
            }
            j = median(i, j, k, &swaps)
        }
        switch swaps {
        case 0: return (j, .increasing)
        case maxSwaps: return (j, .decreasing)
        default: return (j, .unknown)
        }
    }

    private func order2(_ a: Int, _ b: Int, _ swaps: inout Int) -> (Int, Int) {
        if lt(b, a) { swaps += 1; return (b, a) }
        return (a, b)
    }

    private func median(_ a0: Int, _ b0: Int, _ c0: Int, _ swaps: inout Int) -> Int {
        var a = a0, b = b0, c = c0
        (a, b) = order2(a, b, &swaps)
        (b, c) = order2(b, c, &swaps)
        (a, b) = order2(a, b, &swaps)
        _ = a; _ = c
        return b
    }

    private func medianAdjacent(_ a: Int, _ swaps: inout Int) -> Int { median(a - 1, a, a + 1, &swaps) }

    private func reverseRange(_ a: Int, _ b: Int) {
        var i = a, j = b - 1
        while i < j { swap(i, j); i += 1; j -= 1 }
    }
}
