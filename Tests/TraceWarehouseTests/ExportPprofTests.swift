import Foundation
import Testing
@testable import TraceExport
@testable import TraceWarehouse

/// pprof and folded exports equal Go's `go tool trace -pprof=TYPE` on every golden trace: decoded back
/// from the gzipped protobuf with an independent decoder, the totals equal tracegolden's
/// profile_totals.tsv and the Go goldens (Golden/pprof_totals.tsv), and the samples (count, delay,
/// PC list) equal Go's one for one (Golden/pprof_samples.tsv).
@Suite("Export: pprof and folded stacks")
struct ExportPprofTests {
    static let traces = GoldenTrace.all

    @Test("pprof sched/net/sync/syscall: same samples and totals as go tool trace -pprof", arguments: traces)
    func pprofEqualsGo(_ t: GoldenTrace) throws {
        let w = try TempWarehouse()
        let id = try w.ingest(t.trace).traceID
        let db = w.warehouse.db
        let info = try TraceInfo(db: db, traceID: id)
        let golden = try t.tsv("profile_totals.tsv").project(["profile", "total_ns", "total_count", "n_stacks"])
        for (name, kind) in pprofFlags {
            let prof = try ProfileExporter.profile(kind, db: db, traceID: id)
            // Read from profile_stacks; the same records as the pure-SQL definition over goroutine_states.
            let reference = try ProfileExporter.profile(kind, db: db, traceID: id, viaSQL: true)
            #expect(prof.records.map(\.stack) == reference.records.map(\.stack) && prof.records.map(\.values) == reference.records.map(\.values),
                    "\(t) \(kind): profile_stacks vs stateProfileSQL")
            let gz = try prof.pprof(info: info).gzipped()
            #expect(Gzip.isGzip(gz), "\(t) \(kind): not gzipped")
            let p = try DecodedProfile(gzipped: gz)
            #expect(p.types == ["contentions/count", "delay/nanoseconds"], "\(t) \(kind) sample types")
            #expect(p.strings.first == "", "string table must start with the empty string")
            #expect(p.period == 1)
            #expect(p.durationNanos == info.durationNs)

            // Totals and number of stacks: tracegolden (Go's cmd/trace code).
            let row = try #require(golden.first { $0[0] == name }, "\(t): no \(name) row in profile_totals.tsv")
            #expect(p.totals == [Int64(row[2])!, Int64(row[1])!], "\(t) \(kind): (count, ns) vs tracegolden profile_totals.tsv")
            #expect(p.samples.count == Int(row[3])!, "\(t) \(kind): stacks vs tracegolden n_stacks")

            // The real go tool trace -pprof output.
            let key = "\(t.name)|\(kind.rawValue)"
            let goGolden = GoPprofGolden.totals[key]
            // Golden/pprof_*.tsv has rows for every trace but the go1.21 ones (pprof-regen.sh output
            // predates them); those are checked against tracegolden's totals above only.
            #expect(goGolden != nil || t.name.hasPrefix("go1.21/"), "\(key): no row in Golden/pprof_totals.tsv; run pprof-regen.sh")
            if let g = goGolden, g.sha256 != info.sha256 {
                Issue.record("\(t): Golden/pprof_totals.tsv was made from another version of this trace: run Tests/TraceWarehouseTests/Golden/pprof-regen.sh")
            } else if let g = goGolden {
                #expect(p.totals == [g.count, g.ns], "\(t) \(kind): totals vs go tool trace -pprof")
                #expect(p.samples.count == g.samples, "\(t) \(kind): samples vs go tool trace -pprof")
            }
            let ours = p.samples.indices.map { i in
                "\(p.samples[i].values[0])\t\(p.samples[i].values[1])\t" + p.pcs(i).map { "0x" + String($0, radix: 16) }.joined(separator: ";")
            }.sorted()
            if goGolden?.sha256 != info.sha256 {
                // stale or missing golden: reported above
            } else if let g = GoPprofGolden.samples[key] {
                expectSameRows(ours.map { [$0] }, g.map { [$0] }, "\(t) \(kind) samples vs go tool trace -pprof")
            } else if GoPprofGolden.totals[key] != nil {
                #expect(ours.isEmpty, "\(t) \(kind): Go's profile is empty")
            }

            // Every location resolves to a function, named and with a file.
            for s in p.samples {
                for l in s.locations {
                    let loc = try #require(p.locations[l], "location \(l) missing")
                    let fn = try #require(loc.lines.first.flatMap { p.functions[$0.function] }, "location \(l) has no function")
                    // (Old traces can hold a frame with PC 0 and no symbol; Go exports it as it is.)
                    #expect(loc.address == 0 || (!p.strings[Int(fn.name)].isEmpty && !p.strings[Int(fn.file)].isEmpty))
                }
            }

            // Folded stacks: the same totals, by time and by count.
            let folded = FoldedExporter.folded(prof)
            let foldedCount = FoldedExporter.folded(prof, valueIndex: 0)
            #expect(Self.foldedTotal(folded) == Int64(row[1])!, "\(t) \(kind): folded ns total")
            #expect(Self.foldedTotal(foldedCount) == Int64(row[2])!, "\(t) \(kind): folded count total")
            for line in folded.split(separator: "\n") {
                let value = line.split(separator: " ").last.flatMap { Int64($0) }
                let stack = line.split(separator: " ").dropLast().joined(separator: " ")
                #expect(value != nil && !stack.isEmpty && !stack.contains(";;"), "folded line '\(line)' is not 'stack value'")
            }
        }
    }

    @Test("pprof cpu: one sample per StackSample event", arguments: traces.filter { $0.name.hasSuffix("cpuprof") || $0.name == "sample-gc" })
    func cpuProfile(_ t: GoldenTrace) throws {
        let w = try TempWarehouse()
        let id = try w.ingest(t.trace).traceID
        let want = Int64(try t.tsv("counts.tsv").project(["event_kind", "count"]).first { $0[0] == "StackSample" }?[1] ?? "0")!
        let prof = try ProfileExporter.profile(.cpu, db: w.warehouse.db, traceID: id)
        let p = try DecodedProfile(gzipped: try prof.pprof().gzipped())
        #expect(p.types == ["samples/count", "cpu/nanoseconds"])
        #expect(p.totals == [want, want * ProfileExporter.cpuPeriodNs], "\(t): CPU samples vs counts.tsv StackSample")
        if t.name.hasSuffix("cpuprof") {
            #expect(want > 0)
            // The program burns CPU in main.burnA / main.burnB: they are in the profile.
            let funcs = Set(p.samples.indices.flatMap { p.funcs($0) })
            #expect(funcs.contains("main.burnA") && funcs.contains("main.burnB"), "\(t): \(funcs.sorted().prefix(10))")
        }
    }

    @Test("a query that returns a stack and values exports as a profile")
    func queryProfile() throws {
        let t = try #require(Self.traces.first { $0.name == "sample-gc" } ?? Self.traces.first)
        let w = try TempWarehouse()
        let id = try w.ingest(t.trace).traceID
        let db = w.warehouse.db
        // By stack id: Go's sync profile written as a query.
        let sql = ProfileExporter.stateProfileSQL(.sync)
        let byID = try ProfileExporter.profile(sql: sql, name: "sync", db: db, traceID: id)
        let direct = try ProfileExporter.profile(.sync, db: db, traceID: id)
        #expect(byID.sampleTypes == [.init("count", "count"), .init("total", "nanoseconds")])
        #expect(byID.totals == direct.totals)
        #expect(byID.records.count == direct.records.count)
        // By stack text (function names leaf→root, as the stack_text view renders them).
        let textSQL = """
            SELECT coalesce(st.funcs, '') AS funcs, p.count, p.total_ns FROM (\(sql)) p
            LEFT JOIN stack_text st ON st.trace_id = :trace_id AND st.stack_id = p.stack_id
            """
        let byText = try ProfileExporter.profile(sql: textSQL, name: "sync-text", db: db, traceID: id)
        #expect(byText.totals == direct.totals)
        let decoded = try DecodedProfile(gzipped: try byText.pprof().gzipped())
        #expect(decoded.totals == direct.totals)
        #expect(Self.foldedTotal(FoldedExporter.folded(byText)) == direct.totals[1])
        // The saved profile queries (Queries/*-profile.sql: stack as function names) give Go's totals too.
        for (query, kind) in [("sched-profile", ExportProfile.sched), ("net-profile", .net), ("block-profile", .sync), ("syscall-profile", .syscall)] {
            let q = try ProfileExporter.savedQuerySQL(query)
            let saved = try ProfileExporter.profile(sql: q.sql, name: q.name, db: db, traceID: id)
            let want = try ProfileExporter.profile(kind, db: db, traceID: id)
            #expect(saved.sampleTypes.map(\.unit) == ["count", "nanoseconds"], "\(query) sample types")
            #expect(saved.totals == want.totals, "\(query) as a profile")
            #expect(Self.foldedTotal(FoldedExporter.folded(saved)) == want.totals[1])
        }
        // Bad queries are explained.
        #expect(throws: WarehouseError.self) { try ProfileExporter.profile(sql: "SELECT 1 AS x_ns", name: "x", db: db, traceID: id) }
        #expect(throws: ProfileQueryError.noValueColumn(query: "x")) { try ProfileExporter.profile(sql: "SELECT 1 AS stack_id", name: "x", db: db, traceID: id) }
    }

    /// Stacks of different frames that share a PC key merge into one record showing the frames of the
    /// stack whose last interval ended last: profile_stacks has no end times, so the export looks those
    /// up for such stacks only. Made here by giving every frame of two sched-profile stacks of one depth
    /// the same PC (real traces have them when stacks deeper than 128 frames share their first 128).
    @Test("pprof of stacks sharing a PC key: the newest stack's frames, as the SQL definition gives")
    func sharedPCKeys() throws {
        let t = try #require(Self.traces.first)
        let w = try TempWarehouse()
        let id = try w.ingest(t.trace).traceID
        let db = w.warehouse.db
        let pair = try w.rows("""
            SELECT a.stack_id, b.stack_id FROM profile_stacks a
            JOIN stacks sa ON sa.trace_id = a.trace_id AND sa.stack_id = a.stack_id
            JOIN profile_stacks b ON b.trace_id = a.trace_id AND b.profile = a.profile AND b.stack_id > a.stack_id
            JOIN stacks sb ON sb.trace_id = b.trace_id AND sb.stack_id = b.stack_id
            WHERE a.trace_id = \(id) AND a.profile = 'sched' AND a.stack_id > 0 AND sa.depth = sb.depth AND sa.funcs <> sb.funcs
            ORDER BY a.stack_id, b.stack_id LIMIT 1
            """)
        let ab = try #require(pair.first, "\(t): no two sched stacks of one depth")
        try db.execute("""
            UPDATE frames SET pc = 7 WHERE trace_id = \(id) AND frame_id IN
              (SELECT frame_id FROM stack_frames WHERE trace_id = \(id) AND stack_id IN (\(ab[0]), \(ab[1])))
            """)
        let prof = try ProfileExporter.profile(.sched, db: db, traceID: id)
        let reference = try ProfileExporter.profile(.sched, db: db, traceID: id, viaSQL: true)
        #expect(prof.records.count == reference.records.count)
        #expect(prof.records.map(\.stack) == reference.records.map(\.stack) && prof.records.map(\.values) == reference.records.map(\.values))
        // The two stacks are one record now.
        let depth = try #require(Int(try w.rows("SELECT depth FROM stacks WHERE trace_id = \(id) AND stack_id = \(ab[0])")[0][0]))
        let merged = prof.records.filter { $0.stack.count == depth && $0.stack.allSatisfy { $0.pc == 7 } }
        #expect(merged.count == 1, "\(t): stacks \(ab) merged into one record")
    }

    @Test("exports read only their trace when the warehouse holds several")
    func manyTraces() throws {
        let ts = Array(Self.traces.prefix(3))
        try #require(ts.count >= 2)
        let w = try TempWarehouse()
        var ids: [Int64] = []
        for t in ts { ids.append(try w.ingest(t.trace).traceID) }
        for (t, id) in zip(ts, ids) {
            let golden = try t.tsv("profile_totals.tsv").project(["profile", "total_ns", "total_count"])
            for (name, kind) in pprofFlags {
                let prof = try ProfileExporter.profile(kind, db: w.warehouse.db, traceID: id)
                let row = try #require(golden.first { $0[0] == name })
                #expect(prof.totals == [Int64(row[2])!, Int64(row[1])!], "\(t) \(kind) in a warehouse of \(ts.count) traces")
            }
        }
        #expect(try TraceResolver.select("", in: w.warehouse.db) == [ids.last!])
        #expect(try TraceResolver.select("latest", in: w.warehouse.db) == [ids.last!])
        #expect(try TraceResolver.select(String(ids[0]), in: w.warehouse.db) == [ids[0]])
        #expect(throws: InputError.self) { try TraceResolver.select("999999", in: w.warehouse.db) }
    }

    @Test("gzip round trip and the protobuf encoder's wire format")
    func encoding() throws {
        let data = (0..<100_000).map { UInt8(truncatingIfNeeded: $0 * 7 / 3) }
        let gz = try Gzip.compress(data)
        #expect(Gzip.isGzip(gz) && gz.count < data.count)
        #expect(try Gzip.decompress(gz) == data)
        #expect(try Gzip.decompress(try Gzip.compress([])) == [])
        var p = PprofProfile(sampleTypes: [.init("contentions", "count"), .init("delay", "nanoseconds")],
                             periodType: .init("trace", "count"), period: 1)
        let a = ProfileFrame(pc: 0x401000, function: "main.a", file: "/src/a.go", line: 10)
        let b = ProfileFrame(pc: 0x402000, function: "main.b", file: "/src/a.go", line: 20)
        let b2 = ProfileFrame(pc: 0x402010, function: "main.b", file: "/src/a.go", line: 21)
        p.samples = [.init(stack: [a, b], values: [3, 300]), .init(stack: [b2], values: [1, 1 << 40]), .init(stack: [], values: [2, 5])]
        let d = try DecodedProfile(bytes: p.encode())
        #expect(d.types == ["contentions/count", "delay/nanoseconds"])
        #expect(d.totals == [6, 305 + (1 << 40)])
        #expect(d.samples.count == 3 && d.samples[2].locations.isEmpty)
        #expect(d.pcs(0) == [0x401000, 0x402000] && d.funcs(0) == ["main.a", "main.b"])
        #expect(d.locations.count == 3 && d.functions.count == 2, "locations by PC, functions by (file, name)")
        #expect(FoldedExporter.folded(StackProfile(sampleTypes: p.sampleTypes, periodType: p.periodType, period: 1,
            records: p.samples.map { ProfileRecord(stack: $0.stack, values: $0.values) }, comment: ""))
            == "(no stack) 5\nmain.b 1099511627776\nmain.b;main.a 300\n")
    }

    static func foldedTotal(_ s: String) -> Int64 {
        s.split(separator: "\n").reduce(0) { $0 + (Int64($1.split(separator: " ").last ?? "") ?? 0) }
    }
}
