import GoTrace

/// Pairs RangeBegin/RangeActive/RangeEnd events into intervals by (name, scope), as `go tool trace`
/// does (cmd/trace gen.go): a RangeActive in the first generation means the range was already running
/// at the trace start; later RangeActive events are redundant; a range still open at the end closes
/// at the trace end; an end without a start has no start.
struct RangePairer {
    struct Key: Hashable { var name: String; var kind: ResourceKind; var scope: Int64 }
    struct Interval {
        var key: Key
        var start: Int64?
        var end: Int64
        var startKind: String
        var endKind: String
    }
    private var open: [Key: (start: Int64?, kind: String)] = [:]
    private(set) var done: [Interval] = []

    mutating func event(kind: EventKind, range: GoTrace.Range, t: Int64, syncsSeen: Int) {
        let key = Key(name: range.name, kind: range.scope.kind, scope: range.scope.kind == .none ? -1 : range.scope.id)
        switch kind {
        case .rangeBegin:
            open[key] = (t, "Begin")
        case .rangeActive:
            if syncsSeen < 2 { open[key] = (0, "Active") }
        case .rangeEnd:
            let o = open.removeValue(forKey: key)
            done.append(Interval(key: key, start: o?.start, end: t, startKind: o?.kind ?? "none", endKind: "End"))
        default:
            break
        }
    }

    /// Closes open ranges at `end` and returns every interval sorted by (start, end, name, scope).
    mutating func finish(end: Int64) -> [Interval] {
        for (key, o) in open {
            done.append(Interval(key: key, start: o.start, end: end, startKind: o.kind, endKind: "trace_end"))
        }
        open.removeAll()
        done.sort { a, b in
            let sa = a.start ?? Int64.min, sb = b.start ?? Int64.min
            if sa != sb { return sa < sb }
            if a.end != b.end { return a.end < b.end }
            if a.key.name != b.key.name { return a.key.name < b.key.name }
            return a.key.scope < b.key.scope
        }
        return done
    }
}
