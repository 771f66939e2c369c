import Foundation
import Testing
@testable import TraceWarehouse

/// Saved queries Go has no equivalent for: checked against an independent computation in Swift over
/// the raw interval rows (a different formulation from the SQL), on every fixture, plus literal
/// expected values on chosen fixtures.
@Suite("Saved queries without a Go equivalent: independent recomputation")
struct QueriesExactTests {
    static let traces = GoldenTrace.all

    struct GState {
        var goid: Int64, start: Int64, end: Int64, event: Int64, state: Int64, reason: String, proc: Int64?
        var firstRun: Bool, open: Bool, seq: Int64, unblock: Int64?, stack: String, blocked: Int64
    }

    /// goroutine_states rows with reason text and stack text, per goroutine in order.
    static func states(_ c: QueryCheck) throws -> [GState] {
        try c.sql("""
            SELECT s.goid, s.start_ns, s.end_ns, s.event_ns, s.state, coalesce(r.value, ''), s.proc_id, s.first_run, s.open_at_end,
                   s.start_seq, s.unblock_goid, coalesce((SELECT group_concat(fn.name, ';') FROM
                     (SELECT * FROM stack_frames sf WHERE sf.trace_id = s.trace_id AND sf.stack_id = s.stack_id ORDER BY sf.depth) sf
                     JOIN frames f ON f.trace_id = sf.trace_id AND f.frame_id = sf.frame_id
                     JOIN funcs fn ON fn.trace_id = f.trace_id AND fn.func_id = f.func_id), ''),
                   coalesce(s.syscall_blocked_ns, 0)
            FROM goroutine_states s LEFT JOIN strings r ON r.trace_id = s.trace_id AND r.string_id = s.reason_id
            WHERE s.trace_id = ?1 ORDER BY s.goid, s.start_ns, s.start_seq
            """).map { r in
            GState(goid: Int64(r[0])!, start: Int64(r[1])!, end: Int64(r[2])!, event: Int64(r[3])!, state: Int64(r[4])!, reason: r[5],
                   proc: Int64(r[6]), firstRun: r[7] == "1", open: r[8] == "1", seq: Int64(r[9])!, unblock: Int64(r[10]),
                   stack: r[11], blocked: Int64(r[12])!)
        }
    }

    static func names(_ c: QueryCheck) throws -> [Int64: String] {
        Dictionary(uniqueKeysWithValues: try c.sql("SELECT goid, name FROM goroutines WHERE trace_id = ?1").map { (Int64($0[0])!, $0[1]) })
    }

    static func duration(_ c: QueryCheck) throws -> Int64 { Int64(try c.sql("SELECT duration_ns FROM traces WHERE trace_id = ?1")[0][0])! }

    /// The sched-latency wait set: Runnable, not a first run, not open at the end.
    static func waits(_ s: [GState]) -> [GState] { s.filter { $0.state == 2 && !$0.firstRun && !$0.open } }

    static func pct(_ a: Int64, _ b: Int64) -> String { String((Double(a) * 100 / Double(max(b, 1)) * 1000).rounded() / 1000) }

    @Test("sched-latency-by-function and sched-latency-by-cause", arguments: traces)
    func schedByFunctionAndCause(_ t: GoldenTrace) throws {
        guard let c = try QueryCheck(t) else { return }
        let s = try Self.states(c), names = try Self.names(c)
        var want: [[String]] = []
        for (fn, ws) in Dictionary(grouping: Self.waits(s), by: { names[$0.goid] ?? "" }) {
            let d = ws.map { $0.end - $0.event }
            want.append([fn, String(Set(ws.map(\.goid)).count), String(d.count), str(nearestRank(d, 50)), str(nearestRank(d, 90)),
                         str(nearestRank(d, 99)), str(d.max()), String(d.reduce(0, +))])
        }
        expectSameRows(try c.rows("sched-latency-by-function", ["function", "goroutines", "count", "p50_ns", "p90_ns", "p99_ns", "max_ns", "total_ns"]),
                       want, "\(t) sched-latency-by-function")
        // Cause: the previous interval of the same goroutine, or the reason of the stop.
        var cause: [String: [Int64]] = [:]
        for (_, gs) in Dictionary(grouping: s, by: \.goid) {
            for (i, x) in gs.enumerated() where x.state == 2 && !x.open {
                let prev = i > 0 ? gs[i - 1].state : nil
                let k = x.firstRun ? "first run" : prev == 4 ? "woken" : prev == 5 ? "syscall returned"
                    : x.reason == "preempted" ? "preempted" : x.reason == "runtime.Gosched" ? "yielded" : "stopped (\(x.reason))"
                cause[k, default: []].append(x.firstRun ? x.end - x.start : x.end - x.event)
            }
        }
        expectSameRows(try c.rows("sched-latency-by-cause", ["cause", "count", "p50_ns", "p90_ns", "p99_ns", "max_ns", "total_ns"]),
                       cause.map { [$0.key, String($0.value.count), str(nearestRank($0.value, 50)), str(nearestRank($0.value, 90)),
                                    str(nearestRank($0.value, 99)), str($0.value.max()), String($0.value.reduce(0, +))] },
                       "\(t) sched-latency-by-cause")
    }

    @Test("context-switching and context-switching-by-function", arguments: traces)
    func contextSwitching(_ t: GoldenTrace) throws {
        guard let c = try QueryCheck(t) else { return }
        let s = try Self.states(c), names = try Self.names(c), dur = try Self.duration(c)
        var slices: [(fn: String, d: Int64, how: String)] = []
        for (_, gs) in Dictionary(grouping: s, by: \.goid) {
            for (i, x) in gs.enumerated() where x.state == 3 && !x.open {
                let n = i + 1 < gs.count ? gs[i + 1] : nil
                let how = n == nil ? "exit" : n!.state == 4 ? "blocked" : n!.state == 5 ? "syscall"
                    : n!.reason == "preempted" ? "preempted" : n!.reason == "runtime.Gosched" ? "yield" : "other"
                slices.append((names[x.goid] ?? "", x.end - x.start, how))
            }
        }
        let d = slices.map(\.d)
        let sw = Int64(slices.filter { $0.how != "syscall" }.count)
        let short = Int64(d.filter { $0 < 10000 }.count)
        func n(_ h: String) -> String { String(slices.filter { $0.how == h }.count) }
        #expect(try c.rows("context-switching", ["slices", "switches", "switches_per_s", "p50_ns", "p90_ns", "p99_ns", "avg_ns", "short_slices",
                                                 "short_pct", "ended_blocked", "ended_preempted", "ended_yield", "ended_syscall", "ended_exit"])
                == [[String(d.count), String(sw), String((Double(sw) * 1e9 / Double(max(dur, 1)) * 1000).rounded() / 1000),
                     str(nearestRank(d, 50)), str(nearestRank(d, 90)), str(nearestRank(d, 99)), String(d.isEmpty ? 0 : d.reduce(0, +) / Int64(d.count)),
                     String(short), Self.pct(short, Int64(d.count)), n("blocked"), n("preempted"), n("yield"), n("syscall"), n("exit")]],
                "\(t) context-switching")
        var want: [[String]] = []
        for (fn, m) in Dictionary(grouping: slices, by: \.fn) {
            let v = m.map(\.d), swf = Int64(m.filter { $0.how != "syscall" }.count), sh = Int64(v.filter { $0 < 10000 }.count)
            want.append([fn, String(v.count), String(swf), str(nearestRank(v, 50)), str(nearestRank(v, 99)), String(sh),
                         Self.pct(sh, Int64(v.count)), String(v.reduce(0, +))])
        }
        expectSameRows(try c.rows("context-switching-by-function", ["function", "slices", "switches", "p50_ns", "p99_ns", "short_slices", "short_pct", "running_ns"]),
                       want, "\(t) context-switching-by-function")
    }

    /// A sweep over +1/-1 points: the elementary segments [t, next) with the counters after all changes at t.
    static func sweep(_ pts: [(Int64, [Int64])], width: Int) -> [(Int64, Int64, [Int64])] {
        var by: [Int64: [Int64]] = [:]
        for (ts, d) in pts { by[ts, default: Array(repeating: 0, count: width)] = zip(by[ts] ?? Array(repeating: 0, count: width), d).map(+) }
        let keys = by.keys.sorted()
        var cur = Array(repeating: Int64(0), count: width), out: [(Int64, Int64, [Int64])] = []
        for (i, k) in keys.enumerated() {
            cur = zip(cur, by[k]!).map(+)
            if i + 1 < keys.count { out.append((k, keys[i + 1], cur)) }
        }
        return out
    }

    static func procStates(_ c: QueryCheck) throws -> [(proc: Int64, start: Int64, end: Int64, state: Int64)] {
        try c.sql("SELECT proc_id, start_ns, end_ns, state FROM proc_states WHERE trace_id = ?1").map { (Int64($0[0])!, Int64($0[1])!, Int64($0[2])!, Int64($0[3])!) }
    }

    @Test("idle-ps-while-runnable and idle-ps-while-runnable-worst", arguments: traces)
    func idlePs(_ t: GoldenTrace) throws {
        guard let c = try QueryCheck(t) else { return }
        let s = try Self.states(c), ps = try Self.procStates(c), dur = try Self.duration(c)
        var pts: [(Int64, [Int64])] = []
        for p in ps where p.state == 3 { pts += [(p.start, [1, 0]), (p.end, [-1, 0])] }
        for x in s where x.state == 2 { pts += [(x.start, [0, 1]), (x.end, [0, -1])] }
        var episodes: [(s: Int64, e: Int64, gw: Int64, mi: Int64, mr: Int64)] = []
        var open: (s: Int64, e: Int64, gw: Int64, mi: Int64, mr: Int64)?
        for (a, b, v) in Self.sweep(pts, width: 2) {
            if v[0] > 0 && v[1] > 0 {
                if var o = open, o.e == a { o.e = b; o.gw += v[1] * (b - a); o.mi = max(o.mi, v[0]); o.mr = max(o.mr, v[1]); open = o } else {
                    if let o = open { episodes.append(o) }
                    open = (a, b, v[1] * (b - a), v[0], v[1])
                }
            } else if let o = open { episodes.append(o); open = nil }
        }
        if let o = open { episodes.append(o) }
        let total = episodes.reduce(Int64(0)) { $0 + $1.e - $1.s }, gw = episodes.reduce(Int64(0)) { $0 + $1.gw }
        let allWait = s.filter { $0.state == 2 }.reduce(Int64(0)) { $0 + $1.end - $1.start }
        #expect(try c.rows("idle-ps-while-runnable", ["episodes", "total_ns", "pct_of_trace", "max_ns", "waiting_goroutine_ns", "pct_of_sched_wait"])
                == [[String(episodes.count), String(total), Self.pct(total, dur), str(episodes.map { $0.e - $0.s }.max()), String(gw), Self.pct(gw, allWait)]],
                "\(t) idle-ps-while-runnable")
        let worst = episodes.sorted { ($0.e - $0.s, -$0.s) > ($1.e - $1.s, -$1.s) }.prefix(10)
        #expect(try c.rows("idle-ps-while-runnable-worst", ["rank", "start_ns", "end_ns", "max_idle_procs", "max_runnable", "waiting_goroutine_ns"])
                == worst.enumerated().map { [String($0 + 1), String($1.s), String($1.e), String($1.mi), String($1.mr), String($1.gw)] },
                "\(t) idle-ps-while-runnable-worst")
        // With a threshold, shorter episodes go.
        let long = episodes.filter { $0.e - $0.s >= 100_000 }
        #expect(try c.rows("idle-ps-while-runnable", ["episodes"], ["min_ns": .int(100_000)]) == [[String(long.count)]])
    }

    @Test("sched-delay-causes attributes every wait nanosecond to one cause", arguments: traces)
    func schedDelayCauses(_ t: GoldenTrace) throws {
        guard let c = try QueryCheck(t) else { return }
        let s = try Self.states(c), names = try Self.names(c), ps = try Self.procStates(c)
        var pts: [(Int64, [Int64])] = []
        for x in Self.waits(s) { pts += [(x.event, [1, 0, 0, 0, 0]), (x.end, [-1, 0, 0, 0, 0])] }
        for p in ps where p.state == 3 { pts += [(p.start, [0, 1, 0, 0, 0]), (p.end, [0, -1, 0, 0, 0])] }
        for w in try c.sql("SELECT start_ns, end_ns FROM stw_pauses WHERE trace_id = ?1 AND start_ns IS NOT NULL") {
            pts += [(Int64(w[0])!, [0, 0, 1, 0, 0]), (Int64(w[1])!, [0, 0, -1, 0, 0])]
        }
        for x in s where x.state == 3 && names[x.goid] == "runtime.gcBgMarkWorker" { pts += [(x.start, [0, 0, 0, 1, 0]), (x.end, [0, 0, 0, -1, 0])] }
        for x in s where x.state == 5 && x.proc != nil && x.end - x.blocked > x.start { pts += [(x.start, [0, 0, 0, 0, 1]), (x.end - x.blocked, [0, 0, 0, 0, -1])] }
        var ns: [String: Int64] = [:], mx: [String: Int64] = [:]
        for (a, b, v) in Self.sweep(pts, width: 5) where v[0] > 0 {
            let k = v[2] > 0 ? "stop-the-world" : v[1] > 0 ? "idle P available" : v[3] > 0 ? "all Ps busy: GC workers"
                : v[4] > 0 ? "all Ps busy: P held in syscall" : "all Ps busy: goroutines"
            ns[k, default: 0] += v[0] * (b - a)
            mx[k] = max(mx[k] ?? 0, v[0])
        }
        let total = ns.values.reduce(0, +)
        #expect(total == Self.waits(s).reduce(Int64(0)) { $0 + $1.end - $1.event }, "\(t): causes cover all of sched-latency")
        expectSameRows(try c.rows("sched-delay-causes", ["cause", "wait_ns", "pct", "max_waiting"]),
                       ns.map { [$0.key, String($0.value), Self.pct($0.value, total), String(mx[$0.key]!)] }, "\(t) sched-delay-causes")
    }

    @Test("proc-utilization, thread-utilization", arguments: traces)
    func utilization(_ t: GoldenTrace) throws {
        guard let c = try QueryCheck(t) else { return }
        let s = try Self.states(c), names = try Self.names(c), ps = try Self.procStates(c)
        let assists = try c.sql("SELECT scope_id, coalesce(start_ns, 0), end_ns FROM ranges WHERE trace_id = ?1 AND name = 'GC mark assist' AND scope_kind = 1")
            .map { (Int64($0[0])!, Int64($0[1])!, Int64($0[2])!) }
        var want: [[String]] = []
        for (p, m) in Dictionary(grouping: ps, by: \.proc) {
            let run = m.filter { $0.state == 2 }.reduce(Int64(0)) { $0 + $1.end - $1.start }
            let idle = m.filter { $0.state == 3 }.reduce(Int64(0)) { $0 + $1.end - $1.start }
            let onP = s.filter { $0.state == 3 && $0.proc == p }
            let gr = onP.reduce(Int64(0)) { $0 + $1.end - $1.start }
            let gc = onP.filter { names[$0.goid] == "runtime.gcBgMarkWorker" }.reduce(Int64(0)) { $0 + $1.end - $1.start }
            var asst: Int64 = 0
            for x in onP { for a in assists where a.0 == x.goid && x.start < a.2 && x.end > a.1 { asst += min(x.end, a.2) - max(x.start, a.1) } }
            want.append([String(p), String(run), String(idle), Self.pct(run, run + idle), String(gr), String(gc), String(asst), Self.pct(gc + asst, run + idle)])
        }
        expectSameRows(try c.rows("proc-utilization", ["proc", "running_ns", "idle_ns", "running_pct", "goroutine_ns", "gc_worker_ns", "assist_ns", "gc_pct"]),
                       want, "\(t) proc-utilization")
        let ths = try c.sql("SELECT thread_id, state, sum(end_ns - start_ns) FROM thread_states WHERE trace_id = ?1 GROUP BY thread_id, state")
        var per: [String: [Int64]] = [:]
        for r in ths { per[r[0], default: [0, 0, 0]][Int(r[1])!] += Int64(r[2])! }
        let got = try c.rows("thread-utilization", ["thread", "running_ns", "syscall_ns", "idle_ns"])
        let sums = per.values.reduce([Int64(0), 0, 0]) { zip($0, $1).map(+) }
        #expect(got.last == ["all", String(sums[1]), String(sums[2]), String(sums[0])], "\(t) thread-utilization total row")
        expectSameRows(Array(got.dropLast()).filter { per[String($0[0].dropFirst())] != nil },
                       per.map { ["M" + $0.key, String($0.value[1]), String($0.value[2]), String($0.value[0])] }, "\(t) thread-utilization vs thread_states")
        // Each thread interval names what it had over that time: a syscall interval the goroutine in the
        // syscall (whose own Syscall interval covers it), a running interval the P it held (Running on this
        // M over that time), an idle interval neither. Go 1.11–1.21 traces (through Go's v1 conversion) let
        // an M run other goroutines while one's syscall is still open and report the exit without an M, so
        // there a syscall interval cannot be pinned to one goroutine: only its P and idle rules are checked.
        let v1 = t.name.hasPrefix("go1.21/") ? 1 : 0
        let wrong = try c.sql("""
            SELECT t.thread_id, t.start_ns, t.end_ns, t.state_name, t.proc_id, t.goid FROM thread_states t
            WHERE t.trace_id = ?1 AND (
              (t.state = 2 AND \(v1) = 0 AND (t.goid IS NULL OR NOT EXISTS (SELECT 1 FROM goroutine_states g WHERE g.trace_id = ?1
                 AND g.goid = t.goid AND g.state = 5 AND g.start_ns <= t.start_ns AND g.end_ns >= t.end_ns)))
              OR (t.state = 1 AND (t.proc_id IS NULL OR NOT EXISTS (SELECT 1 FROM proc_states p WHERE p.trace_id = ?1
                 AND p.proc_id = t.proc_id AND p.state = 2 AND p.thread_id = t.thread_id AND p.start_ns <= t.start_ns AND p.end_ns >= t.end_ns)))
              OR (t.state = 0 AND (t.proc_id IS NOT NULL OR t.goid IS NOT NULL)))
            LIMIT 5
            """)
        #expect(wrong.isEmpty, "\(t) thread intervals whose P or goroutine does not match: \(wrong)")
    }

    @Test("utilization-over-time and goroutines-over-time: buckets add up", arguments: traces)
    func overTime(_ t: GoldenTrace) throws {
        guard let c = try QueryCheck(t) else { return }
        let s = try Self.states(c), ps = try Self.procStates(c), dur = try Self.duration(c)
        // Default bucket: the smallest 1/2/5×10^k with at most 100 buckets.
        var w: Int64 = 1
        while w * 100 < dur { w = String(w).hasPrefix("2") ? w * 5 / 2 : w * 2 }
        let n = Int((dur + w - 1) / w)
        func overlap(_ a: Int64, _ z: Int64, _ b: Int) -> Int64 { max(0, min(z, Int64(b + 1) * w, dur) - max(a, Int64(b) * w)) }
        func avg(_ iv: [(Int64, Int64)], _ b: Int) -> Double {
            let len = min(Int64(b + 1) * w, dur) - Int64(b) * w
            return Double(iv.reduce(Int64(0)) { $0 + overlap($1.0, $1.1, b) }) / Double(len)
        }
        let util = try c.run("utilization-over-time")
        #expect(util.rows.count == n, "\(t): \(n) buckets of \(w) ns")
        let prun = ps.filter { $0.state == 2 }.map { ($0.start, $0.end) }
        let rnb = s.filter { $0.state == 2 }.map { ($0.start, $0.end) }
        for (b, row) in try QueryCheck.cells(util, ["bucket_start_ns", "running_procs", "runnable_goroutines"]).enumerated() {
            #expect(row[0] == String(Int64(b) * w))
            #expect(abs(Double(row[1])! - avg(prun, b)) < 0.0006 && abs(Double(row[2])! - avg(rnb, b)) < 0.0006, "\(t) bucket \(b): \(row)")
        }
        let gs = try c.sql("SELECT coalesce(creation_ns, 0), end_ns FROM goroutines WHERE trace_id = ?1").map { (Int64($0[0])!, Int64($0[1])) }
        var alive: Int64 = 0
        for (b, row) in try c.rows("goroutines-over-time", ["created", "ended", "alive_at_end", "running", "waiting"]).enumerated() {
            func inB(_ x: Int64) -> Bool { min(Int(x / w), n - 1) == b }
            let cr = gs.filter { inB($0.0) }.count, en = gs.filter { $0.1 != nil && inB($0.1!) }.count
            alive += Int64(cr - en)
            #expect(row[0...2] == [String(cr), String(en), String(alive)], "\(t) goroutines-over-time bucket \(b)")
            #expect(abs(Double(row[3])! - avg(s.filter { $0.state == 3 }.map { ($0.start, $0.end) }, b)) < 0.0006)
            #expect(abs(Double(row[4])! - avg(s.filter { $0.state == 4 }.map { ($0.start, $0.end) }, b)) < 0.0006)
        }
    }

    @Test("wakeups: unblock edges per (waker, woken, reason)", arguments: traces)
    func wakeups(_ t: GoldenTrace) throws {
        guard let c = try QueryCheck(t) else { return }
        let s = try Self.states(c), names = try Self.names(c)
        var m: [[String]: [Int64]] = [:]
        for x in s where x.state == 4 && !x.open { m[[x.unblock.map { names[$0] ?? "" } ?? "", names[x.goid] ?? "", x.reason], default: []].append(x.end - x.start) }
        expectSameRows(try c.rows("wakeups", ["waker", "woken", "reason", "wakeups", "p50_wait_ns", "max_wait_ns", "total_wait_ns"]),
                       m.map { $0.key + [String($0.value.count), str(nearestRank($0.value, 50)), str($0.value.max()), String($0.value.reduce(0, +))] },
                       "\(t) wakeups")
    }

    @Test("cpu-profile: flat and cumulative samples per function", arguments: traces)
    func cpuProfile(_ t: GoldenTrace) throws {
        guard let c = try QueryCheck(t) else { return }
        let rows = try c.sql("""
            SELECT cs.seq, sf.depth, fn.name FROM cpu_samples cs JOIN stack_frames sf ON sf.trace_id = cs.trace_id AND sf.stack_id = cs.stack_id
            JOIN frames f ON f.trace_id = sf.trace_id AND f.frame_id = sf.frame_id JOIN funcs fn ON fn.trace_id = f.trace_id AND fn.func_id = f.func_id
            WHERE cs.trace_id = ?1
            """)
        var flat: [String: Set<String>] = [:], cum: [String: Set<String>] = [:]
        for r in rows { cum[r[2], default: []].insert(r[0]); if r[1] == "0" { flat[r[2], default: []].insert(r[0]) } }
        let n = Int64(Set(rows.map { $0[0] }).count)
        expectSameRows(try c.rows("cpu-profile", ["function", "flat", "flat_pct", "cum", "cum_pct"]),
                       cum.map { [$0.key, String(flat[$0.key]?.count ?? 0), Self.pct(Int64(flat[$0.key]?.count ?? 0), n), String($0.value.count), Self.pct(Int64($0.value.count), n)] },
                       "\(t) cpu-profile")
        // Every sample with a stack has exactly one leaf: flat sums to the StackSample events with a stack.
        let flatSum = try c.rows("cpu-profile", ["flat"]).reduce(Int64(0)) { $0 + Int64($1[0])! }
        #expect(flatSum == n)
        if t.name == "go1.27/cpuprof" { #expect(n > 0, "the cpuprof fixture has CPU samples") }
    }

    /// The critical path walked in Swift: (goid, from, to) per link, earliest first.
    static func walk(_ s: [GState], creators: [Int64: (Int64?, Int64)], goid: Int64, end: Int64, start: Int64) -> [[String]] {
        let byG = Dictionary(grouping: s, by: \.goid)
        var links: [[String]] = []
        var g = goid, t = end
        for _ in 0..<1000 {
            let w = (byG[g] ?? []).filter { $0.state == 4 && $0.end <= t }.max { $0.end < $1.end }
            let from: Int64
            var next: (Int64, Int64)?
            if let w {
                from = max(w.end, start)
                if let u = w.unblock, w.end > start, w.end < t { next = (u, w.end) }
            } else {
                let (creator, created) = creators[g] ?? (nil, 0)
                from = max(created, start)
                if let cr = creator, created > start, created < t { next = (cr, created) }
            }
            links.append([String(g), String(from), String(t)])
            guard let (ng, nt) = next else { break }
            g = ng; t = nt
        }
        return links.reversed().enumerated().map { [String($0 + 1)] + $1 }
    }

    @Test("critical-path and critical-path-region: the chain of wake-ups", arguments: traces.filter { $0.name.hasSuffix("tasks") || $0.name == "sample-gc" })
    func criticalPath(_ t: GoldenTrace) throws {
        guard let c = try QueryCheck(t) else { return }
        let s = try Self.states(c)
        let creators = Dictionary(uniqueKeysWithValues: try c.sql("SELECT goid, creator_goid, coalesce(creation_ns, 0) FROM goroutines WHERE trace_id = ?1")
            .map { (Int64($0[0])!, (Int64($0[1]), Int64($0[2])!)) })
        let task = try c.sql("SELECT end_goid, end_ns, start_ns FROM tasks WHERE trace_id = ?1 AND complete = 1 AND task_id <> 0 ORDER BY duration_ns DESC, task_id LIMIT 1")
        if let tk = task.first {
            let want = Self.walk(s, creators: creators, goid: Int64(tk[0])!, end: Int64(tk[1])!, start: Int64(tk[2])!)
            #expect(try c.rows("critical-path", ["link", "goid", "from_ns", "to_ns"]) == want, "\(t) critical-path")
            let r = try c.rows("critical-path", ["link_ns", "running_ns", "runnable_ns", "syscall_ns"])
            #expect(r.allSatisfy { Int64($0[0])! >= Int64($0[1])! + Int64($0[2])! + Int64($0[3])! }, "\(t): link parts within the link")
        } else {
            #expect(try c.run("critical-path").rows.isEmpty)
        }
        let region = try c.sql("SELECT goid, end_ns, start_ns FROM regions WHERE trace_id = ?1 AND complete = 1 AND synthetic = 0 ORDER BY duration_ns DESC, goid, idx LIMIT 1")
        if let rg = region.first {
            let want = Self.walk(s, creators: creators, goid: Int64(rg[0])!, end: Int64(rg[1])!, start: Int64(rg[2])!)
            #expect(try c.rows("critical-path-region", ["link", "goid", "from_ns", "to_ns"]) == want, "\(t) critical-path-region")
        }
    }

    /// Literal expected rows on tracegolden's own sample trace (sample-gc/gcsmall.out, a fixed file), checked
    /// by hand against goroutines.tsv / goroutine_block.tsv where possible (e.g. critical-path link 2 waited
    /// 74090688 ns = goroutine 1's 'chan receive' block time) and by the recomputations above.
    @Test("literal values on sample-gc")
    func literalsOnSample() throws {
        guard let t = GoldenTrace.all.first(where: { $0.name == "sample-gc" }), let c = try QueryCheck(t) else { return }
        #expect(try c.rows("context-switching", ["slices", "switches", "p50_ns", "p90_ns", "p99_ns", "short_slices", "ended_blocked",
                                                 "ended_preempted", "ended_yield", "ended_syscall", "ended_exit"])
                == [["570", "324", "1664", "39744", "7100608", "481", "249", "17", "50", "246", "8"]])
        #expect(try c.rows("idle-ps-while-runnable", ["episodes", "total_ns", "max_ns", "waiting_goroutine_ns"])
                == [["70", "2951871", "849408", "10464639"]])
        #expect(try c.rows("sched-delay-causes", ["cause", "wait_ns", "max_waiting"]) == [
            ["all Ps busy: goroutines", "144865412", "9"], ["all Ps busy: GC workers", "12347398", "10"],
            ["idle P available", "6810880", "7"], ["stop-the-world", "2589306", "7"], ["all Ps busy: P held in syscall", "891902", "5"]])
        #expect(try c.rows("goroutine-peak", ["goroutines", "created", "ended", "alive_at_end", "peak_alive", "peak_alive_at_ns",
                                              "peak_runnable", "peak_runnable_at_ns", "max_created_per_ms"])
                == [["21", "14", "8", "13", "20", "878976", "10", "43461696", "13"]])
        #expect(try c.rows("critical-path", ["link", "function", "goid", "from_ns", "to_ns", "running_ns", "runnable_ns", "syscall_ns", "began", "waited_ns", "waker_stack"]) == [
            ["1", "main.main.func5", "11", "74768192", "74773376", "2112", "3072", "0", "woken from sleep by the runtime", "1072320", ""],
            ["2", "main.main", "1", "74773376", "78214912", "186560", "1344", "3253632", "woken from chan receive", "74090688", "runtime.chansend1;main.main.func5"]])
        #expect(try c.rows("proc-utilization", ["proc", "running_ns", "idle_ns", "gc_worker_ns", "assist_ns"])
                == [["0", "58889345", "24662144", "1861376", "6540415"], ["1", "57330816", "26220673", "1548608", "1188544"]])
        #expect(try c.rows("gc-cycles", ["cycle", "stw_count", "stw_ns", "assist_count", "assist_ns", "heap_before_bytes", "heap_after_bytes", "heap_goal_bytes"]).first
                == ["0", "2", "270656", "10", "1537728", "4005888", "3974568", "4194304"])
        #expect(Array(try c.rows("wakeups", ["waker", "woken", "reason", "wakeups", "total_wait_ns"]).prefix(2)) == [
            ["", "main.main.func5", "sleep", "33", "48705152"], ["main.main.func5", "main.main.func4", "select", "27", "17616064"]])
    }
}
