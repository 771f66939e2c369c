// libFuzzer entry point for GoTrace. Not part of the SwiftPM package (Tests/Fuzz is no target):
// Tests/Fuzz/run-fuzz.sh compiles it together with Sources/GoTrace/**/*.swift into one module with
// `swiftc -sanitize=fuzzer,address`, so it can reach GoTrace's internals as well as its public API.
//
// Every input is read every way tracedb reads traces: TraceReader in both modes (whole generations
// only, as ingest does, and Go's exact behaviour, as `tracedb dump` does) with every event formatted
// and every payload, stack and frame decoded; the raw WireReader (`tracedb dump --wire`); and Go's
// analyses (summarizer, utilization/MMU, profiles, ranges), which ingest runs on every event it reads.
// A crash, trap, ASan report, hang (-timeout) or oversized allocation (-rss_limit_mb) is a finding.

@_cdecl("LLVMFuzzerTestOneInput")
public func goTraceFuzzOne(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    fuzzTraceReader(bytes, completeGenerationsOnly: true, analyse: true)
    fuzzTraceReader(bytes, completeGenerationsOnly: false, analyse: false)
    fuzzWireReader(bytes)
    return 0
}

@inline(never)
func fuzzTraceReader(_ bytes: [UInt8], completeGenerationsOnly: Bool, analyse: Bool) {
    guard let reader = try? TraceReader(bytes: bytes, completeGenerationsOnly: completeGenerationsOnly) else { return }
    let analyses = analyse ? TraceAnalyses(utilizationFlags: [.default, .perProc], countWorkerRunsOnce: true) : nil
    var out: [UInt8] = []
    var sink = 0
    var analysesStopped = false
    while true {
        let ev: Event?
        do { ev = try reader.next() } catch { _ = "\(error)"; break }
        guard let ev else { break }
        out.removeAll(keepingCapacity: true)
        ev.appendGoString(to: &out)
        sink &+= out.count
        sink &+= Int(ev.kind.rawValue) &+ Int(truncatingIfNeeded: ev.time)
        for f in ev.stack.frames { sink &+= f.function.utf8.count &+ f.file.utf8.count }
        // Decode the kind-specific payload (appendGoString above formats it too, but through other paths).
        switch ev.payload {
        case .stateTransition(let st):
            for f in st.stack.frames { sink &+= f.function.utf8.count }
        case .range(let r, let attrs):
            sink &+= r.name.utf8.count &+ attrs.count
        case .none:
            break
        default:
            sink &+= 1
        }
        // As ingest does (TraceLoad.maxGomaxprocs): Go's utilization analysis allocates per-P state
        // for GOMAXPROCS Ps, so a corrupt GOMAXPROCS of 2^40 exhausts memory (finding oom-f0d68cf1…,
        // reported for Analysis/MutatorUtilization.swift); ingest refuses such traces.
        if analyses != nil, let m = ev.metric, m.name == "/sched/gomaxprocs:threads", (m.value.uint64Value ?? 0) > 1 << 16 {
            analysesStopped = true
        }
        if !analysesStopped { analyses?.feed(ev) }
    }
    if let analyses, !analysesStopped {
        let r = analyses.finalize()
        for (_, series) in r.utilization where !(series.first?.isEmpty ?? true) {
            let curve = MMUCurve(series)
            for w: Int64 in [1_000, 1_000_000, 100_000_000] {
                sink &+= Int(curve.mmu(window: w) * 1000)
                sink &+= curve.examples(window: w, count: 2).count
            }
        }
        sink &+= r.summary.goroutines.count &+ r.profiles.count &+ r.ranges.count
    }
    blackHole(sink)
}

@inline(never)
func fuzzWireReader(_ bytes: [UInt8]) {
    guard let wire = try? WireReader(bytes: bytes) else { return }
    var out: [UInt8] = []
    while let ev = (try? wire.next()) ?? nil {
        out.removeAll(keepingCapacity: true)
        ev.appendGoString(to: &out)
    }
    blackHole(out.count)
}

@inline(never)
func blackHole(_ x: Int) {
    if x == -42 { print("") }
}
