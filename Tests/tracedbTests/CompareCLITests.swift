import Foundation
import Testing

/// A temporary database for the query/compare/trend CLI tests: `sequential` labelled commit=base and
/// `pool` labelled commit=head, from go1.27 (traces 1, 2) or, with `repeated`, from go1.25/26/27
/// (traces 1–3 sequential, 4–6 pool).
struct FixtureDB {
    let dir: URL
    let path: String

    init(repeated: Bool = false, sourceLocation: SourceLocation = #_sourceLocation) throws {
        dir = try CLI.tempDir()
        path = dir.appendingPathComponent("t.db").path
        let versions = repeated ? ["go1.25", "go1.26", "go1.27"] : ["go1.27"]
        for (name, commit) in [("sequential", "base"), ("pool", "head")] {
            for v in versions {
                let r = try CLI.run(["ingest", "--db", path, "--label", "commit=\(commit)", "--label", "go=\(v)", CLI.fixture(name, version: v)])
                #expect(r.status == 0, "ingest \(v)/\(name): \(r.stderr)", sourceLocation: sourceLocation)
            }
        }
    }

    func remove() { try? FileManager.default.removeItem(at: dir) }

    /// `tracedb ARGS --db THIS`.
    func run(_ args: [String], env: [String: String] = [:]) throws -> CLI.Output {
        try CLI.run(args + ["--db", path], env: env)
    }
}

/// Parses JSON text (fails the test with the text if it does not parse).
func parseJSON(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> Any {
    do {
        return try JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])
    } catch {
        Issue.record("not JSON: \(text.prefix(500))", sourceLocation: sourceLocation)
        throw error
    }
}

/// Splits CSV text into records of fields (RFC 4180 quoting).
func parseCSV(_ text: String) -> [[String]] {
    var records: [[String]] = []
    var field = "", record: [String] = []
    var quoted = false
    var chars = Array(text)[...]
    while let c = chars.popFirst() {
        if quoted {
            if c == "\"" {
                if chars.first == "\"" { field.append("\""); chars.removeFirst() } else { quoted = false }
            } else { field.append(c) }
        } else if c == "\"" { quoted = true }
        else if c == "," { record.append(field); field = "" }
        else if c == "\n" { record.append(field); records.append(record); record = []; field = "" }
        else { field.append(c) }
    }
    if !field.isEmpty || !record.isEmpty { record.append(field); records.append(record) }
    return records
}

@Suite("tracedb compare (end to end)")
struct CompareCLITests {
    @Test("a trace compared with itself: zero deltas, no change, exit 0")
    func selfCompare() throws {
        let db = try FixtureDB(); defer { db.remove() }
        let r = try db.run(["compare", "2", "2", "--fail-on", "sched-latency.p99_ns>+0%"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.hasPrefix("base: trace 2 (pool.trace, commit=head go=go1.27)\nhead: trace 2 (pool.trace, commit=head go=go1.27)\n"))
        #expect(r.stdout.contains("sched latency p99"))
        #expect(!r.stdout.contains("worse") && !r.stdout.contains("better") && !r.stdout.contains(" new"))
        #expect(r.stdout.contains("sched-latency — Scheduling latency (Runnable → Running), overall: no change"))
        #expect(r.stdout.contains("Gate: passed (1 rule)"))
        let json = try db.run(["compare", "1", "1", "--format", "json"])
        #expect(json.status == 0)
        let doc = try parseJSON(json.stdout) as! [String: Any]
        for line in doc["scorecard"] as! [[String: Any]] {
            #expect(line["delta"] as? Int == 0, "\(line)")
            #expect(line["assessment"] as? String == "unchanged")
        }
        for q in doc["queries"] as! [[String: Any]] {
            #expect(q["changed"] as? Int == 0, "\(q["query"]!)")
        }
    }

    @Test("sequential (base) vs pool (head): sched latency and goroutine counts go up")
    func sequentialVsPool() throws {
        let db = try FixtureDB(); defer { db.remove() }
        let r = try db.run(["compare", "commit=base", "commit=head"])
        #expect(r.status == 0, "\(r.stderr)")
        let lines = r.stdout.split(separator: "\n").map(String.init)
        func card(_ label: String) -> String? { lines.first { $0.hasPrefix("  " + label + "  ") } }
        for label in ["sched latency p99", "sched latency max", "peak goroutines"] {
            let l = try #require(card(label), "\(label) missing in:\n\(r.stdout)")
            #expect(l.contains("worse") && l.contains("+"), "\(l)")
        }
        #expect(card("goroutines created")?.contains("+3") == true)
        #expect(card("block time (chan send)")?.hasSuffix("new") == true)
        #expect(r.stdout.contains("µs") && r.stdout.contains("ms"))  // human units
        // The machine view: base and head in raw numbers, head above base.
        let json = try db.run(["compare", "commit=base", "commit=head", "--format", "json", "--query", "sched-latency", "--query", "goroutine-peak"])
        #expect(json.status == 0, "\(json.stderr)")
        let doc = try parseJSON(json.stdout) as! [String: Any]
        let card = doc["scorecard"] as! [[String: Any]]
        for label in ["sched latency p99", "goroutines created", "peak goroutines"] {
            let l = try #require(card.first { $0["label"] as? String == label })
            #expect((l["head"] as! Double) > (l["base"] as! Double), "\(label)")
        }
        let queries = doc["queries"] as! [[String: Any]]
        #expect(queries.map { $0["query"] as! String } == ["sched-latency", "goroutine-peak"])
        let changes = queries[0]["changes"] as! [[String: Any]]
        let p99 = try #require(changes.first { $0["column"] as? String == "p99_ns" })
        #expect((p99["delta"] as! Double) > 0 && p99["assessment"] as? String == "worse")
    }

    @Test("--fail-on trips: exit 1 with the regression listed; a loose rule passes with exit 0")
    func gate() throws {
        let db = try FixtureDB(); defer { db.remove() }
        let fail = try db.run(["compare", "1", "2", "--query", "sched-latency",
                               "--fail-on", "sched-latency.p99_ns>+10%", "--fail-on", "goroutine-peak.peak_alive>+1000%"])
        #expect(fail.status == 1, "\(fail.stderr)")
        #expect(fail.stdout.contains("Gate: FAILED — 1 regression (2 rules)"))
        #expect(fail.stdout.contains("  FAIL  sched-latency.p99_ns>+10%: "))
        #expect(fail.stdout.contains("  ok    goroutine-peak.peak_alive>+1000%: "))
        let pass = try db.run(["compare", "1", "2", "--query", "sched-latency",
                               "--fail-on", "sched-latency.p99_ns>+100000%", "--fail-on", "gc-summary.stw_max_ns>1s"])
        #expect(pass.status == 0, "\(pass.stderr)")
        #expect(pass.stdout.contains("Gate: passed (2 rules)"))
        // Going back from pool to sequential is an improvement.
        let back = try db.run(["compare", "2", "1", "--fail-on", "sched-latency.p99_ns>+10%"])
        #expect(back.status == 0)
        // csv and json: stdout is only the data; the regressions go to stderr.
        for format in ["csv", "json"] {
            let r = try db.run(["compare", "1", "2", "--query", "sched-latency", "--fail-on", "sched-latency.p99_ns>+10%", "--format", format])
            #expect(r.status == 1)
            #expect(r.stderr.contains("1 regression") && r.stderr.contains("sched-latency.p99_ns>+10%"))
            if format == "json" {
                let doc = try parseJSON(r.stdout) as! [String: Any]
                #expect((doc["gate"] as! [String: Any])["passed"] as? Bool == false)
            } else {
                let rows = parseCSV(r.stdout)
                #expect(rows[0].first == "section" && rows.dropFirst().allSatisfy { $0.count == rows[0].count })
                #expect(rows.contains { $0[0] == "query" && $0[1] == "sched-latency" && $0[3] == "p99_ns" && Int($0[8]) != nil })
            }
        }
        // Markdown for PR comments.
        let md = try db.run(["compare", "1", "2", "--query", "sched-latency", "--fail-on", "sched-latency.p99_ns>+10%", "--format", "markdown"])
        #expect(md.status == 1)
        #expect(md.stdout.contains("**Gate failed: 1 regression**") && md.stdout.contains("| metric | base | head | Δ | Δ% |"))
    }

    @Test("bad input exits 2 with one clear line")
    func usageErrors() throws {
        let db = try FixtureDB(); defer { db.remove() }
        let cases: [([String], String)] = [
            (["compare", "1", "9"], "no trace with id 9"),
            (["compare", "1", "commit=nope"], "no trace labelled commit=nope"),
            (["compare", "1", "2", "--fail-on", "sched-latency.p99>+1%"], "not a metric of sched-latency"),
            (["compare", "1", "2", "--fail-on", "blocking-by-reason.total_ns>+5%"], "blocking-by-reason[reason=VALUE].total_ns"),
            (["compare", "1", "2", "--fail-on", "sched-latency.p99_ns"], "cannot read --fail-on"),
            (["compare", "1", "2", "--fail-on", "sched-latency.p99_ns>+5KiB"], "'KiB' is not a unit"),
            (["compare", "1", "2", "--query", "nosuch"], "no saved query named 'nosuch'"),
        ]
        for (args, message) in cases {
            let r = try db.run(args)
            #expect(r.status == 2, "\(args): \(r.stderr)")
            #expect(r.stderr.hasPrefix("tracedb compare: ") && r.stderr.contains(message), "\(args): \(r.stderr)")
            #expect(r.stdout.isEmpty)
        }
    }

    @Test("repeated runs: each side's runs, a noise verdict, and a gate that only fails beyond noise")
    func repeatedRuns() throws {
        let db = try FixtureDB(repeated: true); defer { db.remove() }
        let r = try db.run(["compare", "commit=base", "commit=head", "--query", "goroutine-peak",
                            "--fail-on", "goroutine-peak.created>+10%"])
        #expect(r.status == 1, "\(r.stderr)")
        #expect(r.stdout.hasPrefix("base: 3 runs (traces 1, 2, 3; commit=base)\nhead: 3 runs (traces 4, 5, 6; commit=head)\n"))
        #expect(r.stdout.contains("base runs") && r.stdout.contains("noise"))
        let created = try #require(r.stdout.split(separator: "\n").first { $0.hasPrefix("  goroutines created ") })
        #expect(created.contains("n=3 3…3") && created.contains("n=3 6…6") && created.hasSuffix("beyond noise"), "\(created)")
        #expect(r.stdout.contains("FAIL  goroutine-peak.created>+10%: 3 → 6 (+3, +100.0%), allowed +10.0% [base n=3 3…3, head n=3 6…6]"))
        let json = try db.run(["compare", "commit=base", "commit=head", "--format", "json", "--no-scorecard", "--query", "sched-latency"])
        let doc = try parseJSON(json.stdout) as! [String: Any]
        let changes = ((doc["queries"] as! [[String: Any]])[0]["changes"] as! [[String: Any]])
        let count = try #require(changes.first { $0["column"] as? String == "count" })
        #expect((count["base_runs"] as! [String: Any])["runs"] as? Int == 3)
        #expect(((count["head_runs"] as! [String: Any])["values"] as! [Any]).count == 3)
        #expect(count["noise"] as? String == "beyond noise")
    }

    @Test("BASE and HEAD can be trace files (ingested on the fly) and .db files")
    func filesAndDatabases() throws {
        let dir = try CLI.tempDir(); defer { try? FileManager.default.removeItem(at: dir) }
        let r = try CLI.run(["compare", CLI.fixture("sequential"), CLI.fixture("pool"), "--query", "sched-latency",
                             "--fail-on", "sched-latency.p99_ns>+10%", "--db", dir.appendingPathComponent("none.db").path])
        #expect(r.status == 1, "\(r.stderr)")
        #expect(r.stdout.contains("(sequential.trace) ingested on the fly") && r.stdout.contains("(pool.trace) ingested on the fly"))
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("none.db").path))
        // Two databases, one trace each.
        let a = dir.appendingPathComponent("a.db").path, b = dir.appendingPathComponent("b.db").path
        #expect(try CLI.run(["ingest", "--db", a, CLI.fixture("sequential")]).status == 0)
        #expect(try CLI.run(["ingest", "--db", b, CLI.fixture("pool")]).status == 0)
        func stamp(_ p: String) throws -> String {
            let at = try FileManager.default.attributesOfItem(atPath: p)
            return "\(at[.size] ?? 0) \(at[.modificationDate] ?? 0)"
        }
        let before = try [stamp(a), stamp(b)]
        let dbs = try CLI.run(["compare", a, b + ":1", "--query", "goroutine-peak"])
        #expect(dbs.status == 0, "\(dbs.stderr)")
        #expect(dbs.stdout.contains("(base in \(a), head in \(b))"))
        #expect(dbs.stdout.contains("peak goroutines"))
        // Read-only: the database files are untouched.
        #expect(try [stamp(a), stamp(b)] == before)
    }

    @Test("help has examples and the exit codes")
    func help() throws {
        for cmd in ["compare", "query", "sql", "runs", "trend", "queries"] {
            let r = try CLI.run([cmd, "--help"])
            #expect(r.status == 0)
            #expect(r.stdout.contains("Examples:") && r.stdout.contains("tracedb \(cmd)"), "\(cmd)")
            #expect(r.stdout.contains("Exit status: 0"), "\(cmd)")
        }
        #expect(try CLI.run(["compare", "--help"]).stdout.contains("1 a --fail-on rule regressed"))
        let completion = try CLI.run(["--generate-completion-script", "bash"])
        #expect(completion.status == 0 && completion.stdout.contains("compare") && completion.stdout.contains("--fail-on"))
    }
}
