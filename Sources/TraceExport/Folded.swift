import Foundation
import TraceWarehouse

/// Collapsed ("folded") stacks, the input of flamegraph.pl and speedscope: one line per stack,
/// function names from root to leaf joined by ';', a space, and the value.
public enum FoldedExporter {
    /// The folded text of `profile`, using sample type `valueIndex` (default: the last, e.g. delay ns).
    /// Stacks with the same function names are merged; an empty stack is written as `(no stack)`.
    /// Lines are sorted by stack text so the output is deterministic.
    public static func folded(_ profile: StackProfile, valueIndex: Int? = nil) -> String {
        let vi = valueIndex ?? (profile.sampleTypes.count - 1)
        var sums: [String: Int64] = [:]
        for r in profile.records {
            let v = vi < r.values.count ? r.values[vi] : 0
            guard v != 0 else { continue }
            sums[line(r.stack), default: 0] += v
        }
        var out = ""
        for k in sums.keys.sorted() { out += "\(k) \(sums[k]!)\n" }
        return out
    }

    /// One stack as folded text (root first). Spaces and ';' inside names would break the format and
    /// are replaced.
    static func line(_ stack: [ProfileFrame]) -> String {
        if stack.isEmpty { return "(no stack)" }
        return stack.reversed().map { f in
            let n = f.function.isEmpty ? String(format: "0x%llx", f.pc) : f.function
            return n.replacingOccurrences(of: ";", with: ":").replacingOccurrences(of: " ", with: "_")
        }.joined(separator: ";")
    }
}
