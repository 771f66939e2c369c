// A port of Go 1.27's internal/trace `RelatedGoroutinesV2`, fed one event at a time.

/// Finds the goroutines related to a goroutine through the scheduler: those that unblocked it, and
/// those that unblocked them (two hops), as Go's `trace.RelatedGoroutinesV2` does for the trace
/// viewer's goroutine-focused view.
///
/// An unblock edge is a goroutine transition out of Waiting (to another state) that happened while
/// some goroutine was running: that running goroutine unblocked the one that changed state.
public final class RelatedGoroutines {
    /// For each goroutine, the goroutines that unblocked it.
    private var unblockers: [GoID: Set<GoID>] = [:]

    public init() {}

    /// Feeds the next event of the trace (in reader order).
    public func feed(_ ev: Event) {
        guard ev.goroutine != noGoroutine, ev.kind == .stateTransition,
              case .stateTransition(let st) = ev.payload, st.resource.kind == .goroutine else { return }
        let (old, new) = st.goroutine
        guard old != new, old == .waiting else { return }
        unblockers[st.resource.id, default: []].insert(ev.goroutine)
    }

    /// `goid` itself plus every goroutine within two unblock hops of it.
    public func related(to goid: GoID) -> Set<GoID> {
        var related: Set<GoID> = [goid]
        for _ in 0..<2 {
            var next = related
            for g in related { next.formUnion(unblockers[g] ?? []) }
            related = next
        }
        return related
    }
}
