import Foundation
import Testing
@testable import TraceWarehouse

/// Parsing and formatting pieces of the compare library, without a database.
@Suite("Compare: metric paths, gate rules, noise, formats")
struct CompareUnitTests {
    @Test("metric paths: QUERY.COLUMN and QUERY[KEY=VALUE,…].COLUMN")
    func metricPaths() throws {
        let p = try MetricPath.parse("sched-latency.p99_ns")
        #expect(p.query == "sched-latency" && p.column == "p99_ns" && p.selector.isEmpty)
        let k = try MetricPath.parse("blocking-by-reason[reason=chan receive].total_ns")
        #expect(k.query == "blocking-by-reason" && k.column == "total_ns")
        #expect(k.selector == [.init(column: "reason", value: "chan receive")])
        #expect(k.description == "blocking-by-reason[reason=chan receive].total_ns")
        let two = try MetricPath.parse("wakeups[waker=a.b,woken=c.d,reason=x].wakeups")
        #expect(two.selector.map(\.value) == ["a.b", "c.d", "x"])
        for bad in ["sched-latency", ".p99", "q[reason].x", "q[a=b]", "q[a=b]x", ""] {
            #expect(throws: InputError.self, "\(bad)") { try MetricPath.parse(bad) }
        }
    }

    @Test("metric paths are checked against the library")
    func metricPathResolve() throws {
        let lib = try QueryLibrary.builtIn()
        #expect(try MetricPath.parse("sched-latency.p99_ns").resolve(in: lib).metric.unit == .ns)
        #expect(try MetricPath.parse("mmu[window_ns=10000000].mmu").resolve(in: lib).metric.direction == .higher)
        let cases: [(String, String)] = [
            ("nosuch.p99_ns", "no saved query named 'nosuch'"),
            ("sched-latency.nosuch", "not a metric of sched-latency"),
            ("blocking-by-reason.total_ns", "pick one as blocking-by-reason[reason=VALUE].total_ns"),
            ("sched-latency[x=1].p99_ns", "has no key columns"),
        ]
        for (text, message) in cases {
            do {
                _ = try MetricPath.parse(text).resolve(in: lib)
                Issue.record("\(text) resolved")
            } catch let e as InputError {
                #expect(e.message.contains(message), "\(e.message)")
            }
        }
    }

    @Test("gate rules: relative, change and limit thresholds with units")
    func gateRules() throws {
        let r = try GateRule.parse("sched-latency.p99_ns>+10%")
        #expect(r.op == .greater && r.threshold == .relative(0.1) && r.path.column == "p99_ns")
        #expect(try GateRule.parse("sched-latency.p99_ns>10%").threshold == .relative(0.1))
        #expect(try GateRule.parse("gc-summary.mmu_10ms<-5%").op == .less)
        #expect(try GateRule.parse("gc-summary.mmu_10ms<-5%").threshold == .relative(0.05))
        #expect(try GateRule.parse("sched-latency.p99_ns>+50us").threshold == .change(50, suffix: "us"))
        #expect(try GateRule.parse("gc-summary.stw_max_ns>1ms").threshold == .limit(1, suffix: "ms"))
        #expect(try GateRule.parse("mmu[window_ns=10000000].mmu<0.8").threshold == .limit(0.8, suffix: nil))
        #expect(try GateRule.parse("blocking-by-reason[reason=a>b].total_ns>+1%").path.selector.first?.value == "a>b")
        #expect(try GateRule.parse(" sched-latency.p99_ns >= +10% ").threshold == .relative(0.1))
        let lib = try QueryLibrary.builtIn()
        let ms = try GateRule.parse("sched-latency.p99_ns>+2ms")
        #expect(try ms.amount(2, "ms", unit: .ns) == 2_000_000)
        #expect(try GateRule.parse("gc-summary.peak_heap_bytes>4MiB").amount(4, "MiB", unit: .bytes) == 4 * 1_048_576)
        #expect(throws: GateRuleError.self) { try GateRule.parse("x.y>+1kb").amount(1, "kb", unit: .ns) }
        #expect(throws: GateRuleError.self) { try GateRule.parse("x.y>+1ms").amount(1, "ms", unit: .count) }
        _ = lib
        for bad in ["sched-latency.p99_ns", "sched-latency.p99_ns>", "sched-latency.p99_ns>-10%", "sched-latency.p99_ns<+1",
                    "sched-latency.p99_ns>abc"] {
            #expect(throws: GateRuleError.self, "\(bad)") { try GateRule.parse(bad) }
        }
        #expect(throws: InputError.self) { try GateRule.parse("sched-latency>+10%") }  // the metric path
    }

    @Test("noise: beyond when the ranges are apart or the means differ by more than 3 standard errors")
    func noise() {
        #expect(NoiseVerdict.judge(base: RunStats([10]), head: RunStats([20])) == nil)  // one run per side
        #expect(NoiseVerdict.judge(base: RunStats([10, 11, 12]), head: RunStats([20, 21, 22])) == .beyond)
        #expect(NoiseVerdict.judge(base: RunStats([10, 11, 12]), head: RunStats([11.5, 12.5, 13])) == .within)  // overlap
        #expect(NoiseVerdict.judge(base: RunStats([0, 10, 1]), head: RunStats([11, 12, 3000])) == .beyond)  // apart, however noisy
        #expect(NoiseVerdict.judge(base: RunStats([0, 12, 1]), head: RunStats([11, 13, 30])) == .within)  // overlap, noisy
        #expect(NoiseVerdict.judge(base: RunStats([5, 5, 5]), head: RunStats([6])) == .beyond)
        #expect(NoiseVerdict.judge(base: RunStats([4, 4, 4]), head: RunStats([4, 4, 4])) == .within)
        // Many runs: overlapping ranges, but a clear shift of the means.
        let base = RunStats(Array(repeating: [10.0, 11, 12], count: 4).flatMap { $0 } + [14])
        let head = RunStats(Array(repeating: [13.0, 14, 15], count: 4).flatMap { $0 } + [11])
        #expect(NoiseVerdict.judge(base: base, head: head) == .beyond)
        let s = RunStats([2, 4, 4, 4, 5, 5, 7, 9])
        #expect(s.mean == 5 && s.min == 2 && s.max == 9)
        #expect(abs(s.stddev - 2.138089935) < 1e-6)
    }

    @Test("metric changes: delta, relative change, assessment by direction, sort order")
    func changes() {
        let p = MetricPath(query: "q", column: "c")
        func ch(_ b: Double?, _ h: Double?, _ d: SavedQuery.Direction = .lower) -> MetricChange {
            MetricChange(path: p, unit: .ns, direction: d, base: b.map { RunStats([$0]) }, head: h.map { RunStats([$0]) })
        }
        #expect(ch(100, 110).relative == 0.1 && ch(100, 110).delta == 10 && ch(100, 110).assessment == .worse)
        #expect(ch(100, 90).assessment == .better)
        #expect(ch(100, 90, .higher).assessment == .worse)
        #expect(ch(100, 90, .none).assessment == .changed)
        #expect(ch(100, 100).assessment == .unchanged && ch(100, 100).relative == 0)
        #expect(ch(0, 0).relative == 0)
        #expect(ch(0, 5).relative == .infinity)
        #expect(ch(nil, 5).assessment == .added && ch(5, nil).assessment == .removed && ch(nil, 5).delta == nil)
        let sorted = Comparer.sorted([ch(100, 101), ch(100, 200), ch(nil, 1), ch(100, 100), ch(10, 5)])
        #expect(sorted.map { $0.relative ?? 99 } == [99, 1, -0.5, 0.01, 0])
    }

    @Test("human units: durations, bytes, counts, relative changes, sparkline")
    func human() {
        #expect(HumanFormat.duration(999) == "999 ns")
        #expect(HumanFormat.duration(16768) == "16.8 µs")
        #expect(HumanFormat.duration(61_387_201) == "61.39 ms")
        #expect(HumanFormat.duration(2_500_000_000) == "2.500 s")
        #expect(HumanFormat.duration(-723_776) == "-723.8 µs")
        #expect(HumanFormat.bytes(2_777_088) == "2.6 MiB" && HumanFormat.bytes(8192) == "8.0 KiB" && HumanFormat.bytes(12) == "12 B")
        #expect(HumanFormat.count(1_234_567) == "1,234,567" && HumanFormat.count(-3) == "-3" && HumanFormat.count(10.896) == "10.90")
        #expect(HumanFormat.value(0.98765, .ratio) == "0.988" && HumanFormat.value(98.153, .percent) == "98.2%")
        #expect(HumanFormat.value(98.9, .perSecond) == "98.9/s")
        #expect(HumanFormat.delta(7680, .ns) == "+7.7 µs" && HumanFormat.delta(0, .count) == "0")
        #expect(HumanFormat.relative(0.1) == "+10.0%" && HumanFormat.relative(-0.5) == "-50.0%")
        #expect(HumanFormat.relative(0) == "0.0%" && HumanFormat.relative(.infinity) == "+∞%" && HumanFormat.relative(nil) == "")
        #expect(HumanFormat.relative(529) == "+52,900%")
        #expect(HumanFormat.sparkline([1, 2, 3, 4, 5, 6, 7, 8]) == "▁▂▃▄▅▆▇█")
        #expect(HumanFormat.sparkline([5, nil, 5]) == "▄ ▄")
        #expect(HumanFormat.sparkline([0, 10]) == "▁█")
    }

    @Test("csv quoting, json rendering, aligned and markdown tables")
    func formats() throws {
        #expect(CSV.line(["a", "b,c", "say \"hi\"", "x\ny"]) == "a,\"b,c\",\"say \"\"hi\"\"\",\"x\ny\"\n")
        let doc = JSONValue.object([("n", .int(3)), ("d", .num(0.5)), ("i", .num(4)), ("inf", .num(.infinity)),
                                    ("s", .string("q\"\\\n\u{1}")), ("a", .array([.int(1), .int(2)])), ("o", .object([]))])
        let parsed = try JSONSerialization.jsonObject(with: Data(doc.render().utf8)) as! [String: Any]
        #expect(parsed["n"] as? Int == 3 && parsed["d"] as? Double == 0.5 && parsed["i"] as? Int == 4)
        #expect(parsed["inf"] is NSNull && parsed["s"] as? String == "q\"\\\n\u{1}" && (parsed["a"] as? [Int]) == [1, 2])
        var t = TextTable(headers: ["name", "value"], alignments: [.left, .right])
        t.add(["a", "1"]); t.add(["long name", "12,345"])
        #expect(t.render() == "name        value\n─────────  ──────\na               1\nlong name  12,345\n")
        #expect(t.markdown() == "| name | value |\n| --- | ---: |\n| a | 1 |\n| long name | 12,345 |\n")
        let r = QueryResult(columns: ["function", "p99_ns", "n"], rows: [[.text("main.main"), .int(16768), .double(1.5)], [.null, .int(5), .int(2)]])
        #expect(ResultRenderer.render(r, format: .csv) == "function,p99_ns,n\nmain.main,16768,1.5\n,5,2\n")
        let table = ResultRenderer.render(r, format: .table)
        #expect(table.contains("16.8 µs") && table.contains("5 ns") && table.hasSuffix("(2 rows)\n"))
        let rows = try JSONSerialization.jsonObject(with: Data(ResultRenderer.render(r, format: .json).utf8)) as! [[String: Any]]
        #expect(rows.count == 2 && rows[0]["p99_ns"] as? Int == 16768 && rows[1]["function"] is NSNull)
    }

    @Test("command-line parameter values")
    func params() throws {
        let p = try QueryParams.parse(["top=5", "name=main.main", "x=1.5", "n=null", ":y=abc"])
        #expect(p["top"] == .int(5) && p["name"] == .text("main.main") && p["x"] == .double(1.5) && p["n"] == .null && p["y"] == .text("abc"))
        #expect(throws: QueryParamError.notNameValue("top")) { try QueryParams.parse(["top"]) }
        #expect(throws: QueryParamError.givenTwice("top")) { try QueryParams.parse(["top=1", "top=2"]) }
    }
}
