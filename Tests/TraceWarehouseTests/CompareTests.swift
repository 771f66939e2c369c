import Foundation
import Testing
@testable import TraceWarehouse

/// A fixture trace of the compare tests (the `sequential` vs `pool` pair, in several Go versions).
func compareFixture(_ name: String, _ version: String = "go1.27") -> String {
    Paths.fixtures.appendingPathComponent("traces/\(version)/\(name).trace").path
}

/// A warehouse with sequential (commit=base) and pool (commit=head) from three Go versions each:
/// traces 1–3 are sequential (go1.25, go1.26, go1.27), 4–6 pool (same order).
final class CompareWarehouse {
    let temp: TempWarehouse
    init() throws {
        temp = try TempWarehouse()
        for name in ["sequential", "pool"] {
            for v in ["go1.25", "go1.26", "go1.27"] {
                try temp.ingest(compareFixture(name, v), labels: [("commit", name == "sequential" ? "base" : "head"), ("go", v)])
            }
        }
    }
    var path: String { temp.path }
    func source(_ ref: String, mode: TraceResolver.Mode = .newest) throws -> TraceSource {
        try TraceResolver.resolve(ref, defaultDatabase: path, mode: mode)
    }
}

@Suite("Compare: trace references, comparison, gate, trend, SQL")
struct CompareTests {
    let library = try! QueryLibrary.builtIn()

    @Test("trace references: id, latest, latest~N, labels (newest or all runs), .db files, DB:REF, trace files")
    func references() throws {
        let w = try CompareWarehouse()
        #expect(try w.source("3").traceIDs == [3])
        #expect(try w.source("latest").traceIDs == [6])
        #expect(try TraceResolver.resolve(nil, defaultDatabase: w.path).traceIDs == [6])
        #expect(try w.source("latest~2").traceIDs == [4])
        #expect(try w.source("commit=base").traceIDs == [3])
        #expect(try w.source("commit=base", mode: .allRuns).traceIDs == [1, 2, 3])
        #expect(try w.source("commit=head,go=go1.26", mode: .allRuns).traceIDs == [5])
        #expect(try w.source("pool.trace").traceIDs == [6])
        // A database file, and DB:REF.
        let db = try w.source(w.path)
        #expect(db.traceIDs == [6] && db.temporaryDirectory == nil)
        #expect(try w.source(w.path + ":commit=base", mode: .allRuns).traceIDs == [1, 2, 3])
        #expect(try w.source(w.path + ":2").traceIDs == [2])
        // The database is opened read-only.
        #expect(throws: (any Error).self) { try db.db.execute("DELETE FROM trace_labels") }
        // A trace file is ingested into a temporary database, removed by cleanup().
        let file = try w.source(compareFixture("workers"))
        let tmp = try #require(file.temporaryDirectory)
        #expect(FileManager.default.fileExists(atPath: tmp.path))
        #expect(try file.db.scalarText("SELECT file_name FROM traces WHERE trace_id = ?", [.int(file.newest)]) == "workers.trace")
        file.cleanup()
        #expect(!FileManager.default.fileExists(atPath: tmp.path))
        // Errors.
        for (ref, message) in [("99", "no trace with id 99"), ("commit=nope", "no trace labelled commit=nope"),
                               ("latest~10", "fewer than 11 traces"), ("./missing.trace", "no such file"),
                               ("whatever", "no trace 'whatever'")] {
            do {
                _ = try w.source(ref)
                Issue.record("\(ref) resolved")
            } catch let e as InputError {
                #expect(e.message.contains(message), "\(ref): \(e.message)")
            }
        }
        #expect(throws: NoDatabaseError(path: w.path + ".missing.db")) { try TraceResolver.resolve("1", defaultDatabase: w.path + ".missing.db") }
    }

    @Test("a trace compared with itself: every delta is zero, the gate passes")
    func selfCompare() throws {
        let w = try CompareWarehouse()
        let s = try w.source("2")
        let rules = try ["sched-latency.p99_ns>+0%", "trace-summary.duration_ns>+0", "goroutine-peak.peak_alive>+0%"].map(GateRule.parse)
        let r = try ComparisonReport.build(library: library, base: s, head: s, rules: rules)
        #expect(r.scorecard.count >= 12)
        #expect(r.scorecard.allSatisfy { $0.delta == 0 && $0.assessment == .unchanged && $0.relative == 0 })
        #expect(!r.queries.isEmpty)
        for q in r.queries {
            #expect(q.changed.isEmpty, "\(q.query.name): \(q.changed.map(\.path.description))")
            #expect(q.baseRows == q.headRows)
        }
        #expect(r.gate?.passed == true && r.gate?.checks.allSatisfy { $0.outcome == .pass } == true)
        #expect(r.render(.table).contains("no change"))
    }

    @Test("sequential (base) vs pool (head): sched latency and goroutine counts go up")
    func sequentialVsPool() throws {
        let w = try CompareWarehouse()
        let r = try ComparisonReport.build(library: library, base: try w.source("3"), head: try w.source("6"))
        func line(_ label: String) throws -> MetricChange { try #require(r.scorecard.first { $0.label == label }, "\(label)") }
        for label in ["sched latency p99", "sched latency max", "goroutines created", "peak goroutines"] {
            let c = try line(label)
            #expect((c.delta ?? 0) > 0, "\(label): \(String(describing: c.baseValue)) → \(String(describing: c.headValue))")
        }
        #expect(try line("sched latency p99").assessment == .worse)
        #expect(try line("peak goroutines").assessment == .worse)
        // The scorecard lines, in order.
        let labels = r.scorecard.compactMap(\.label)
        #expect(Array(labels.prefix(5)) == ["wall duration", "goroutines created", "sched latency p50", "sched latency p99", "sched latency max"])
        #expect(labels.contains("block time (chan send)") && labels.contains("syscall time") && labels.contains("GC cycles"))
        #expect(Array(labels.suffix(6)) == ["syscall time", "GC cycles", "STW pause total", "STW pause max", "MMU at 10 ms", "peak goroutines"])
        #expect(labels.last == "peak goroutines" && labels.contains("MMU at 10 ms") && labels.contains("STW pause max"))
        // Pool blocks on channel sends; sequential never does: a new row.
        #expect(try line("block time (chan send)").assessment == .added)
        // The scorecard values are the saved queries' values.
        let seq = try TempWarehouseQuery(w.path, 3), pool = try TempWarehouseQuery(w.path, 6)
        #expect(try line("sched latency p99").baseValue == seq.value("sched-latency", "p99_ns"))
        #expect(try line("sched latency p99").headValue == pool.value("sched-latency", "p99_ns"))
        #expect(try line("wall duration").headValue == pool.value("trace-summary", "duration_ns"))
        // Keyed queries are joined on their keys; the largest change comes first.
        let byFunction = try #require(r.queries.first { $0.query.name == "sched-latency-by-function" })
        #expect(byFunction.changes.contains { $0.keyText == "main.worker" && $0.assessment == .added })
        for q in r.queries {
            let sizes = q.changes.map(\.size)
            #expect(sizes == sizes.sorted(by: >), "\(q.query.name) not sorted by size of change")
        }
        // Instance-keyed queries are left out by default.
        let names = Set(r.queries.map(\.query.name))
        #expect(names.contains("sched-latency") && names.contains("blocking-by-reason") && names.contains("mmu"))
        #expect(!names.contains("gc-cycles") && !names.contains("tasks-slowest") && !names.contains("critical-path"))
    }

    @Test("every scorecard line and every trend point is the saved query's value, run on its own")
    func oneSourceForEveryNumber() throws {
        let w = try CompareWarehouse()
        let db = try Database(path: w.path, readOnly: true)
        let r = try ComparisonReport.build(library: library, base: try w.source("3"), head: try w.source("6"))
        /// The metric on one trace, from the saved query run by itself (no Comparer, no cache).
        func value(_ path: MetricPath, _ id: Int64) throws -> Double? {
            let q = try #require(library.query(named: path.query))
            return path.value(in: try QueryRunner.run(q, db: db, traceID: id), query: q)
        }
        #expect(r.scorecard.count >= 12)
        for line in r.scorecard {
            #expect(line.baseValue == (try value(line.path, 3)), "\(line.path): base")
            #expect(line.headValue == (try value(line.path, 6)), "\(line.path): head")
        }
        // The per-query sections: every changed metric's two sides.
        for section in r.queries {
            for c in section.changes {
                #expect(c.baseValue == (try value(c.path, 3)), "\(c.path): base")
                #expect(c.headValue == (try value(c.path, 6)), "\(c.path): head")
            }
        }
        // trend: each point holds the query's value on each of its runs.
        for item in ScorecardItem.standard where item.perKey == nil {
            let t = try TrendReport.build(db: db, library: library, path: item.path, labelKey: "commit")
            #expect(t.points.map(\.traceIDs) == [[1, 2, 3], [4, 5, 6]])
            for p in t.points {
                let want = try p.traceIDs.compactMap { try value(item.path, $0) }
                #expect(p.stats?.values == (want.isEmpty ? nil : want), "\(item.path) at \(p.label)")
            }
        }
    }

    @Test("the gate: relative, change and limit rules fail and pass as written")
    func gate() throws {
        let w = try CompareWarehouse()
        let rules = try [
            "sched-latency.p99_ns>+10%",          // fails: pool's p99 is far higher
            "goroutine-peak.peak_alive>+1000%",   // passes
            "sched-latency.p99_ns>+1s",           // passes: change below 1 s
            "sched-latency.max_ns>1us",           // fails: a limit on head
            "mmu[window_ns=10000000].mmu<0.5",    // passes (no GC in these traces)
            "blocking-by-reason[reason=nope].total_ns>+1%", // n/a: no such row
        ].map(GateRule.parse)
        let r = try ComparisonReport.build(library: library, base: try w.source("3"), head: try w.source("6"),
                                           queries: ["sched-latency"], rules: rules)
        let gate = try #require(r.gate)
        #expect(gate.checks.map(\.outcome) == [.fail, .pass, .pass, .fail, .pass, .unavailable])
        #expect(!gate.passed && gate.regressions.count == 2)
        #expect(gate.regressions[0].summary.hasPrefix("sched-latency.p99_ns>+10%: "))
        #expect(gate.regressions[0].summary.contains("allowed +10.0%"))
        let text = r.render(.table)
        #expect(text.contains("Gate: FAILED — 2 regressions (6 rules)"))
        #expect(text.contains("FAIL  sched-latency.max_ns>1us"))
        // Reverse direction: pool → sequential improves, nothing regresses.
        let back = try ComparisonReport.build(library: library, base: try w.source("6"), head: try w.source("3"),
                                              queries: [], rules: [try GateRule.parse("sched-latency.p99_ns>+10%")])
        #expect(back.gate?.passed == true)
    }

    @Test("repeated runs: distributions per side, noise verdicts, a gate that respects noise")
    func repeatedRuns() throws {
        let w = try CompareWarehouse()
        let base = try w.source("commit=base", mode: .allRuns), head = try w.source("commit=head", mode: .allRuns)
        #expect(base.traceIDs.count == 3 && head.traceIDs.count == 3)
        let rules = try ["sched-latency.p99_ns>+10%", "sched-latency.max_ns>+10%", "goroutine-peak.created>+10%"].map(GateRule.parse)
        let r = try ComparisonReport.build(library: library, base: base, head: head, queries: ["goroutine-peak"], rules: rules)
        #expect(r.hasRepeatedRuns)
        let created = try #require(r.scorecard.first { $0.label == "goroutines created" })
        #expect(created.base?.n == 3 && created.head?.n == 3)
        #expect(created.base?.values == [3, 3, 3] && created.head?.values == [6, 6, 6])
        #expect(created.noise == .beyond)
        let p99 = try #require(r.scorecard.first { $0.label == "sched latency p99" })
        #expect(p99.baseValue == p99.base!.values.reduce(0, +) / 3)
        // Every exceeded rule fails when beyond noise, and is only reported when within noise.
        let gate = try #require(r.gate)
        for c in gate.checks {
            #expect(c.outcome == (c.change.noise == .within ? .noise : .fail), "\(c.summary)")
        }
        #expect(gate.checks[2].outcome == .fail)
        let strict = try ComparisonReport.build(library: library, base: base, head: head, queries: [], rules: rules, ignoreNoise: true)
        #expect(strict.gate!.checks.allSatisfy { $0.outcome == .fail })
        let text = r.render(.table)
        #expect(text.contains("base: 3 runs (traces 1, 2, 3; commit=base)"))
        #expect(text.contains("n=3") && text.contains("beyond noise"))
    }

    @Test("output formats: csv and json hold raw numbers and parse; markdown for PR comments")
    func reportFormats() throws {
        let w = try CompareWarehouse()
        let r = try ComparisonReport.build(library: library, base: try w.source("3"), head: try w.source("6"),
                                           queries: ["sched-latency", "blocking-by-reason"],
                                           rules: [try GateRule.parse("sched-latency.p99_ns>+10%")])
        let csv = r.render(.csv).split(separator: "\n").map(String.init)
        #expect(csv[0] == ComparisonReport.csvHeader.joined(separator: ","))
        let p99 = try #require(csv.first { $0.hasPrefix("scorecard,sched-latency,,p99_ns,") })
        let fields = p99.split(separator: ",", omittingEmptySubsequences: false)
        #expect(Int(fields[7]) != nil && Int(fields[8]) != nil, "\(p99)")  // raw nanoseconds
        #expect(csv.allSatisfy { $0.split(separator: ",", omittingEmptySubsequences: false).count == ComparisonReport.csvHeader.count || $0.contains("\"") })
        let json = try JSONSerialization.jsonObject(with: Data(r.render(.json).utf8)) as! [String: Any]
        let gate = json["gate"] as! [String: Any]
        #expect(gate["passed"] as? Bool == false && gate["regressions"] as? Int == 1)
        let card = json["scorecard"] as! [[String: Any]]
        let line = try #require(card.first { $0["label"] as? String == "sched latency p99" })
        #expect((line["head"] as? Int ?? 0) > (line["base"] as? Int ?? 0))
        #expect((json["queries"] as! [[String: Any]]).map { $0["query"] as! String } == ["sched-latency", "blocking-by-reason"])
        let md = r.render(.markdown)
        #expect(md.hasPrefix("### tracedb compare\n"))
        #expect(md.contains("**Gate failed: 1 regression**") && md.contains("| sched latency p99 |"))
        #expect(md.contains("<details><summary>blocking-by-reason — Time blocked by reason"))
    }

    @Test("trend: a metric across labelled runs, in ingest or label order, with a sparkline")
    func trend() throws {
        let w = try CompareWarehouse()
        let db = try TraceResolver.openReadOnly(w.path)
        let path = try MetricPath.parse("goroutine-peak.peak_alive")
        let byCommit = try TrendReport.build(db: db, library: library, path: path, labelKey: "commit")
        #expect(byCommit.points.map(\.label) == ["base", "head"])
        #expect(byCommit.points.map(\.traceIDs) == [[1, 2, 3], [4, 5, 6]])
        #expect(byCommit.points[1].stats!.mean > byCommit.points[0].stats!.mean)
        #expect(byCommit.sparkline == "▁█")
        let byGo = try TrendReport.build(db: db, library: library, path: path, labelKey: "go", order: .label, filters: [("commit", "head")])
        #expect(byGo.points.map(\.label) == ["go1.25", "go1.26", "go1.27"] && byGo.points.map(\.traceIDs) == [[4], [5], [6]])
        let all = try TrendReport.build(db: db, library: library, path: try MetricPath.parse("trace-summary.events"), labelKey: nil, last: 4)
        #expect(all.points.map(\.label) == ["3", "4", "5", "6"] && all.sparkline.count == 4)
        #expect(all.changes[0] == nil && all.changes[1]! > 10)  // sequential → pool: many more events
        let text = byCommit.render(.table)
        #expect(text.hasPrefix("goroutine-peak.peak_alive by commit (ingest order), lower is better\n"))
        #expect(text.contains("trend  ▁█"))
        let csv = byCommit.render(.csv).split(separator: "\n")
        #expect(csv[0] == "commit,traces,runs,value,min,max,stddev,rel_change" && csv.count == 3)
        #expect(throws: InputError.self) { try TrendReport.build(db: db, library: library, path: path, labelKey: "nosuch") }
    }

    @Test("sql: several statements, named parameters, writes refused without allowWrite, errors located")
    func sql() throws {
        let w = try CompareWarehouse()
        let ro = try TraceResolver.openReadOnly(w.path)
        var unused: [String] = []
        let r = try QueryRunner.run("SELECT count(*) AS n FROM traces;\n-- labels\nSELECT value FROM trace_labels WHERE trace_id = :id AND key = 'commit'",
                                  db: ro, allowWrite: false, params: ["id": .int(4), "extra": .int(1)], unused: &unused)
        #expect(r.count == 2 && r[0].result?.rows == [[.int(6)]] && r[1].result?.rows == [[.text("head")]])
        #expect(unused == ["extra"])
        #expect(throws: WriteRefusedError.self) {
            try QueryRunner.run("SELECT 1; DELETE FROM trace_labels", db: ro, allowWrite: false, unused: &unused)
        }
        #expect(try ro.scalarInt("SELECT count(*) FROM trace_labels") == 12)
        // With a writable connection and allowWrite, it writes.
        let rw = w.temp.warehouse.db
        let del = try QueryRunner.run("DELETE FROM trace_labels WHERE key = 'go'", db: rw, allowWrite: true, unused: &unused)
        #expect(del.first?.changes == 6)
        do {
            _ = try QueryRunner.run("SELECT 1;\n\nSELECT *\n  FROM nosuch_table", db: ro, allowWrite: false, file: "q.sql", unused: &unused)
            Issue.record("no error")
        } catch let e as LocatedSQLError {
            #expect(e.file == "q.sql" && (e.line == 3 || e.line == 4), "\(e)")
            #expect(e.description.hasPrefix("q.sql:") && e.description.contains("no such table: nosuch_table"))
        }
        do {
            _ = try QueryRunner.run("SELECT 1,\n  2 +", db: ro, allowWrite: false, unused: &unused)
            Issue.record("no error")
        } catch let e as LocatedSQLError {
            #expect(e.line == 2, "\(e)")
        }
        #expect(throws: LocatedSQLError.self) { try QueryRunner.run("SELECT :missing", db: ro, allowWrite: false, unused: &unused) }
    }

    @Test("saved queries with parameters, user query files with SQL errors located")
    func queries() throws {
        let w = try CompareWarehouse()
        let db = try TraceResolver.openReadOnly(w.path)
        let q = try #require(library.query(named: "sched-latency-by-function"))
        let top1 = try QueryRunner.run(q, db: db, traceID: 6, params: ["top": .int(1)])
        #expect(top1.rows.count == 1)
        #expect(throws: InputError.self) { try QueryRunner.run(q, db: db, traceID: 6, params: ["nope": .int(1)]) }
        #expect(try QueryRunner.run(q, db: db, traceID: 6, params: ["nope": .int(1)], strict: false).rows.count > 1)
        let broken = try SavedQuery.parse("""
            -- name: broken
            -- title: Broken
            -- description: A query with an SQL error on line 6.
            -- metric: n count none — n
            SELECT count(*) AS n
            FROM no_such_table
            """, sourcePath: "/tmp/queries/broken.sql")
        do {
            _ = try QueryRunner.run(broken, db: db, traceID: 1)
            Issue.record("no error")
        } catch let e as LocatedSQLError {
            #expect(e.file == "/tmp/queries/broken.sql" && e.message.contains("no_such_table"), "\(e)")
            #expect(e.line == 5 || e.line == 6, "\(e)")  // the statement's start, or the token if SQLite says
        }
    }
}

/// Runs saved queries on one trace of a warehouse file (to check the scorecard against them).
struct TempWarehouseQuery {
    let db: Database
    let id: Int64
    init(_ path: String, _ id: Int64) throws { db = try Database(path: path, readOnly: true); self.id = id }
    func value(_ query: String, _ column: String) throws -> Double? {
        let q = try QueryLibrary.builtIn().query(named: query)!
        let r = try QueryRunner.run(q, db: db, traceID: id)
        return r.rows.first.flatMap { NumericValue.of($0[r.index(of: column)!]) }
    }
}
