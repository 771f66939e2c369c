// The `events` table is lossless: `tracedb dump` (Go's `go tool trace -d=parsed` text) rebuilt from
// the database equals the dump of the file the trace was ingested from, byte for byte.

import Foundation
import GoTrace
import Testing
@testable import TraceExport
import TestSupport
@testable import TraceWarehouse

/// A trace file to ingest and rebuild.
struct RebuildCase: Sendable, CustomTestStringConvertible {
    var name: String   // e.g. go1.27/tasks
    var path: String
    var testDescription: String { name }

    /// Every fixture trace (all Go versions, go1.21's old format included).
    static let fixtures: [RebuildCase] = traces(in: Paths.fixtures.appendingPathComponent("traces")) { $0.hasSuffix(".trace") }

    /// Go's own edge-case traces (go-conformance: synthetic tests, cmd/trace's, v1, fuzz corpus) and
    /// tracedb's fuzz regressions (`*.trace` and crash inputs without an extension): whatever of them
    /// the loader accepts must rebuild too.
    static let edgeCases: [RebuildCase] =
        traces(in: RepoPaths.conformance) { $0.hasSuffix(".trace") }
        + traces(in: Paths.repo.appendingPathComponent("Tests/GoTraceTests"), folders: ["FuzzRegressions"]) {
            $0.hasSuffix(".trace") || !$0.contains(".")
        }

    /// The golden `go tool trace -d=parsed` text of a fixture, if there is one.
    var goldenParsed: [UInt8]? {
        let parts = name.split(separator: "/")
        guard parts.count == 2 else { return nil }
        let base = Paths.fixtures.appendingPathComponent("golden/\(parts[0])/\(parts[1]).parsed.txt")
        if let plain = FileManager.default.contents(atPath: base.path) { return [UInt8](plain) }
        guard let gz = FileManager.default.contents(atPath: base.path + ".gz") else { return nil }
        return try? Gzip.decompress([UInt8](gz))
    }

    /// The files `accept`s in the folders of `root` (all of them, or only `folders`), named FOLDER/NAME.
    private static func traces(in root: URL, folders: [String]? = nil, accept: (String) -> Bool) -> [RebuildCase] {
        let fm = FileManager.default
        var out: [RebuildCase] = []
        for dir in ((try? fm.contentsOfDirectory(atPath: root.path)) ?? []).sorted() where folders?.contains(dir) ?? true {
            for file in ((try? fm.contentsOfDirectory(atPath: root.appendingPathComponent(dir).path)) ?? []).sorted() where accept(file) {
                let name = file.hasSuffix(".trace") ? String(file.dropLast(".trace".count)) : file
                out.append(RebuildCase(name: "\(dir)/\(name)", path: root.appendingPathComponent("\(dir)/\(file)").path))
            }
        }
        return out
    }
}

/// Text in `tracedb dump`'s framing: each event's Go string, then a newline.
enum DumpText {
    /// Rebuilt from the warehouse.
    static func rebuilt(_ db: Database, _ traceID: Int64) throws -> [UInt8] {
        let events = try EventsFromDatabase(db: db, traceID: traceID)
        var out: [UInt8] = []
        while let e = try events.next() { e.appendGoString(to: &out); out.append(UInt8(ascii: "\n")) }
        return out
    }

    static func rebuiltEvents(_ db: Database, _ traceID: Int64) throws -> [Event] {
        let events = try EventsFromDatabase(db: db, traceID: traceID)
        var out: [Event] = []
        while let e = try events.next() { out.append(e) }
        return out
    }

    /// Read from the file, as `tracedb dump FILE` does (`completeGenerationsOnly: false`), or as the
    /// loader reads it (`true`; a cut-off trace ends at its last complete generation).
    static func direct(_ path: String, completeGenerationsOnly: Bool = false) throws -> [UInt8] {
        let reader = try TraceReader(path: path, completeGenerationsOnly: completeGenerationsOnly)
        var out: [UInt8] = []
        do {
            while let e = try reader.next() { e.appendGoString(to: &out); out.append(UInt8(ascii: "\n")) }
        } catch let e as TraceError where completeGenerationsOnly && e.kind == .truncated {}
        return out
    }

    static func line(_ e: Event) -> String { e.goString + "\n" }

    /// Where two dumps first differ, readably.
    static func firstDifference(_ got: [UInt8], _ want: [UInt8]) -> String {
        let g = String(decoding: got, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        let w = String(decoding: want, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        for i in 0..<max(g.count, w.count) {
            let x = i < g.count ? String(g[i]) : "<end>", y = i < w.count ? String(w[i]) : "<end>"
            if x != y { return "line \(i + 1) (of \(g.count) rebuilt, \(w.count) wanted):\n  rebuilt: \(x)\n  wanted:  \(y)" }
        }
        return "identical"
    }
}

@Suite("A dump rebuilt from the events table equals tracedb dump")
struct EventsRebuildTests {
    @Test("the traces are there: 69 fixtures (12 programs × 6 Go versions, flightrec from Go 1.25 only), 52 of Go's, the fuzz regressions")
    func dataPresent() {
        #expect(RebuildCase.fixtures.count == 69)
        let go = RebuildCase.edgeCases.filter { !$0.name.hasPrefix("FuzzRegressions/") }
        #expect(go.count == 52, "\(go.count) go-conformance traces")
        #expect(RebuildCase.edgeCases.count - go.count > 50)
    }

    @Test("every fixture: rebuilt dump == tracedb dump FILE == go tool trace -d=parsed", arguments: RebuildCase.fixtures)
    func fixture(_ c: RebuildCase) throws {
        let w = try TempWarehouse()
        let result = try w.ingest(c.path)
        #expect(result.complete)
        let rebuilt = try DumpText.rebuilt(w.warehouse.db, result.traceID)
        let direct = try DumpText.direct(c.path)
        let sameAsDump = rebuilt == direct  // (a Bool: #expect would print both byte arrays)
        #expect(sameAsDump, "rebuilt vs tracedb dump: \(DumpText.firstDifference(rebuilt, direct))")
        let golden = try #require(c.goldenParsed, "no parsed golden for \(c.name)")
        let sameAsGo = rebuilt == golden
        #expect(sameAsGo, "rebuilt vs go tool trace -d=parsed: \(DumpText.firstDifference(rebuilt, golden))")
    }

    @Test("Go's edge-case traces and the fuzz regressions: every one that ingests rebuilds", arguments: RebuildCase.edgeCases)
    func edgeCase(_ c: RebuildCase) throws {
        let w = try TempWarehouse()
        let result: IngestResult
        do { result = try w.ingest(c.path) } catch is IngestError { return }  // refusals are tested elsewhere
        let rebuilt = try DumpText.rebuilt(w.warehouse.db, result.traceID)
        let direct = try DumpText.direct(c.path, completeGenerationsOnly: true)
        #expect(rebuilt == direct, "\(DumpText.firstDifference(rebuilt, direct))")
        if result.complete {
            let whole = try DumpText.direct(c.path) == direct
            #expect(whole, "a trace ingested whole reads the same with or without completeGenerationsOnly")
        }
    }

    @Test("Go 1.25+ traces: clock snapshots, tasks, regions, logs, range attributes, labels, metrics, CPU samples",
          arguments: ["go1.25", "go1.26", "go1.27"])
    func features(_ version: String) throws {
        let w = try TempWarehouse()
        var events: [Event] = []
        for name in ["tasks", "gcheavy", "cpuprof", "lockthread"] {
            let path = Paths.fixtures.appendingPathComponent("traces/\(version)/\(name).trace").path
            try #require(FileManager.default.fileExists(atPath: path), "missing \(path)")
            let id = try w.ingest(path).traceID
            let rebuilt = try DumpText.rebuiltEvents(w.warehouse.db, id)
            let direct = try TraceReader(path: path, completeGenerationsOnly: false)
            var i = 0
            while let e = try direct.next() {
                try #require(i < rebuilt.count, "\(name): only \(rebuilt.count) events rebuilt")
                #expect(DumpText.line(rebuilt[i]) == DumpText.line(e), "\(version)/\(name) event \(i)")
                i += 1
            }
            #expect(i == rebuilt.count)
            events += rebuilt
        }
        let text = events.map(DumpText.line)

        let syncs = events.compactMap(\.sync)
        #expect(syncs.contains { $0.clockSnapshot != nil }, "no clock snapshot")
        #expect(text.contains { $0.contains(" Sync ") && $0.contains(" Trace=") && $0.contains(" Mono=") && $0.contains(" Wall=") })
        let tasks = events.filter { $0.kind == .taskBegin }.compactMap(\.task)
        #expect(Set(tasks.map(\.type)).isSuperset(of: ["request", "child", "grandchild", "unfinished"]))
        #expect(tasks.contains { $0.parent != 0 && $0.parent != noTask }, "no nested task")
        #expect(events.contains { $0.kind == .taskEnd })
        #expect(Set(events.compactMap(\.region).map(\.type)).isSuperset(of: ["outer", "inner", "innermost", "work"]))
        let logs = events.compactMap(\.log)
        #expect(logs.contains { $0.task == 0 } && logs.contains { $0.task != 0 && !$0.message.isEmpty })
        let sweeps = events.filter { $0.kind == .rangeEnd && $0.range?.name == "GC incremental sweep" }
        #expect(sweeps.contains { $0.rangeAttributes.map(\.name) == ["bytes swept", "bytes reclaimed"] })
        #expect(text.contains { $0.contains("Attributes=[\"bytes swept\"=Value{Uint64(") })
        #expect(events.contains { $0.kind == .rangeActive || $0.kind == .rangeBegin })
        #expect(events.compactMap(\.label).contains { $0.label.hasPrefix("GC (") && $0.resource.kind == .goroutine })
        let metrics = Set(events.compactMap(\.metric).map(\.name))
        #expect(metrics.isSuperset(of: ["/sched/gomaxprocs:threads", "/memory/classes/heap/objects:bytes", "/gc/heap/goal:bytes"]))
        let samples = events.filter { $0.kind == .stackSample }
        #expect(samples.count > 10 && samples.allSatisfy { !$0.stack.frames.isEmpty })
        #expect(text.contains { $0.contains(" StackSample ") && $0.contains("\nStack=\n\t") })
        let transitions = events.compactMap(\.stateTransition)
        #expect(transitions.contains { $0.resource.kind == .proc })
        #expect(text.contains { $0.contains("\nTransitionStack=\n\t") }, "no GoCreate start stack")
    }

    @Test("kinds and values no fixture has: string metric, experimental event, pre-1970 clock, empty stacks, odd strings")
    func synthetic() throws {
        let w = try TempWarehouse()
        let id = try w.ingest(Paths.fixtures.appendingPathComponent("traces/go1.27/sequential.trace").path).traceID
        let db = w.warehouse.db
        let seq0 = try #require(try db.scalarInt("SELECT max(seq) + 1 FROM events WHERE trace_id = ?", [.int(id)]))
        let start = try #require(try db.scalarInt("SELECT start_abs_ns FROM traces WHERE trace_id = ?", [.int(id)]))
        var nextString = try #require(try db.scalarInt("SELECT max(string_id) + 1 FROM strings WHERE trace_id = ?", [.int(id)]))
        func string(_ s: String) throws -> Int64 {
            let sid = nextString; nextString += 1
            let ins = try db.prepare("INSERT INTO strings(trace_id, string_id, value) VALUES (?, ?, ?)")
            try ins.bind([.int(id), .int(sid), .text(s)]); try ins.run()
            return sid
        }
        var seq = seq0
        func event(kind: EventKind, goid: Int64? = 7, stack: Int64? = nil, resKind: Int64? = nil, resID: Int64? = nil,
                   states: (Int64, Int64)? = nil, name: Int64? = nil, stStack: Int64? = nil,
                   args: (task: Int64?, parent: Int64?, value: Int64?, text: Int64?)? = nil, detail: String? = nil) throws {
            let ins = try db.prepare("""
                INSERT INTO events(trace_id, seq, ts_ns, kind, thread_id, proc_id, goid, stack_id, res_kind, res_id,
                                   from_state, to_state, name_id, st_stack_id)
                VALUES (?, ?, ?, ?, 3, NULL, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
            func v(_ x: Int64?) -> SQLValue { x.map { .int($0) } ?? .null }
            try ins.bind([.int(id), .int(seq), .int(1_000 + seq), .int(Int64(kind.rawValue)), v(goid), v(stack),
                          v(resKind), v(resID), v(states?.0), v(states?.1), v(name), v(stStack)])
            try ins.run()
            if let a = args {
                let ai = try db.prepare("INSERT INTO event_args(trace_id, seq, task_id, parent_task_id, value, text_id) VALUES (?, ?, ?, ?, ?, ?)")
                try ai.bind([.int(id), .int(seq), v(a.task), v(a.parent), v(a.value), v(a.text)]); try ai.run()
            }
            if let detail {
                let di = try db.prepare("INSERT INTO event_details(trace_id, seq, detail) VALUES (?, ?, ?)")
                try di.bind([.int(id), .int(seq), .text(detail)]); try di.run()
            }
            seq += 1
        }
        // A stack row without frames: Go's present-but-empty stack (prints `Stack=` and nothing under it).
        let emptyStack = try #require(try db.scalarInt("SELECT coalesce(max(stack_id), 0) + 1 FROM stacks WHERE trace_id = ?", [.int(id)]))
        try db.execute("INSERT INTO stacks(trace_id, stack_id, depth, funcs, funcs_id) VALUES (\(id), \(emptyStack), 0, '', \(emptyStack))")

        let odd = "quote\" back\\slash\nnew\ttab \u{1} é 😀 \u{7f}"
        func time() -> Int64 { 1_000 + seq + start }
        var want: [Event] = []

        want.append(Event(kind: .metric, time: time(), goroutine: 7, proc: noProc, thread: 3,
                          payload: .metric(Metric(name: "/custom/" + odd, value: .string("text " + odd)))))
        try event(kind: .metric, name: try string("/custom/" + odd), args: (nil, nil, nil, try string("text " + odd)))

        want.append(Event(kind: .metric, time: time(), goroutine: 7, proc: noProc, thread: 3,
                          payload: .metric(Metric(name: "/max", value: .uint64(.max)))))
        try event(kind: .metric, name: try string("/max"), args: (nil, nil, -1, nil))

        // Arguments in a non-sorted order, a uint64 beyond 2^53, a string with JSON escapes.
        let xArgs: [(String, Value)] = [("zeta", .uint64(1)), ("alpha_string", .string(odd)), ("big", .uint64(.max)), ("a", .uint64(0))]
        want.append(Event(kind: .experimental, time: time(), goroutine: 7, proc: noProc, thread: 3,
                          payload: .experimental(ExperimentalEvent(name: "AllocFreeSpan", experiment: "AllocFree",
                                                                   args: xArgs.map(\.0), argValues: xArgs.map(\.1)))))
        let argsJSON = xArgs.map { "\(JSON.string($0.0)):\(JSON.value($0.1))" }.joined(separator: ",")
        try event(kind: .experimental, name: try string("AllocFreeSpan"),
                  detail: "{\"experiment\":\(JSON.string("AllocFree")),\"args\":{\(argsJSON)}}")

        // A clock snapshot before 1970 (wall time negative: floor division) and the largest mono.
        want.append(Event(kind: .sync, time: time(), goroutine: noGoroutine, proc: noProc, thread: 3,
                          payload: .sync(Sync(n: 9, clockSnapshot: ClockSnapshot(trace: -5, wallSeconds: -2, wallNanoseconds: 999_999_999,
                                                                                mono: .max), experimentalBatches: [:]))))
        try event(kind: .sync, goid: nil, args: (nil, nil, 9, nil),
                  detail: "{\"clock\":{\"trace\":-5,\"mono\":\(UInt64.max),\"wall_unix_ns\":-1000000001},\"experimental_batches\":{\"x\":2}}")

        // Present-but-empty stacks on the event and on its transition.
        let empty = Stack(id: 1, generation: 1, frames: [])
        want.append(Event(kind: .stateTransition, time: time(), goroutine: 7, proc: noProc, thread: 3, stack: empty,
                          payload: .stateTransition(StateTransition(resource: .goroutine(8), reason: odd, stack: empty,
                                                                    oldState: GoState.notExist.rawValue, newState: GoState.runnable.rawValue))))
        try event(kind: .stateTransition, stack: emptyStack, resKind: 1, resID: 8, states: (1, 2), name: try string(odd), stStack: emptyStack)

        // Attributes in stored order, a string attribute; a label on a thread; a task with the all-ones parent.
        let attrs = [RangeAttribute(name: "z", value: .uint64(3)), RangeAttribute(name: "a b", value: .string(odd))]
        want.append(Event(kind: .rangeEnd, time: time(), goroutine: 7, proc: noProc, thread: 3,
                          payload: .range(Range(name: "custom range", scope: .thread(3)), attributes: attrs)))
        try event(kind: .rangeEnd, resKind: 3, resID: 3, name: try string("custom range"),
                  detail: "{\"attributes\":{\"z\":3,\(JSON.string("a b")):\(JSON.string(odd))}}")
        want.append(Event(kind: .label, time: time(), goroutine: 7, proc: noProc, thread: 3,
                          payload: .label(Label(label: odd, resource: .thread(3)))))
        try event(kind: .label, resKind: 3, resID: 3, name: try string(odd))
        want.append(Event(kind: .taskEnd, time: time(), goroutine: 7, proc: noProc, thread: 3,
                          payload: .task(Task(id: .max - 1, parent: noTask, type: odd))))
        try event(kind: .taskEnd, name: try string(odd), args: (-2, -1, nil, nil))

        let rebuilt = try DumpText.rebuiltEvents(db, id)
        let tail = rebuilt.suffix(want.count).map(DumpText.line)
        #expect(tail == want.map(DumpText.line))
        #expect(tail[4].hasSuffix("\nTransitionStack=\n\nStack=\n\n"), "\(tail[4])")
        #expect(tail[3].contains(" Wall=1969-12-31T23:59:58.999999999Z"), "\(tail[3])")
    }

    /// Fixtures/invalid-utf8: task, region and log strings that are not valid UTF-8 are stored as
    /// their bytes (TEXT bound by byte count), so the rebuilt dump has Go's `\xNN` escapes.
    @Test("strings that are not valid UTF-8: stored byte for byte, rebuilt as Go prints them", arguments: ["go1.21", "go1.27"])
    func invalidUTF8(_ version: String) throws {
        let dir = Paths.fixtures.appendingPathComponent("invalid-utf8")
        let path = dir.appendingPathComponent("\(version).trace").path
        let golden = try requireBytes(dir.appendingPathComponent("\(version).parsed.txt"))
        let w = try TempWarehouse()
        let id = try w.ingest(path).traceID
        let rebuilt = try DumpText.rebuilt(w.warehouse.db, id)
        let direct = try DumpText.direct(path)
        #expect(rebuilt == direct, "\(DumpText.firstDifference(rebuilt, direct))")
        if version == "go1.27" {
            #expect(rebuilt == golden, "\(DumpText.firstDifference(rebuilt, golden))")
        }
        // (The v1 golden's event order is Go's map order; GoTraceTests compares it with v1Difference.)
        let text = String(decoding: rebuilt, as: UTF8.self)
        for line in [#"Type="task\xff\xfe""#, #"Category="cat\xc3" Message="msg \xed\xa0\x80 ok \xe2\x82""#,
                     #"Type="region\x80""#, #"Category="café" Message="valid é and \xf4\x90\x80\x80""#] {
            #expect(text.contains(line), "\(version): no \(line)")
        }
        #expect(try w.rows("SELECT hex(value) FROM strings WHERE trace_id = ? AND value LIKE 'task%'", [.int(id)])
                == [["7461736BFFFE"]])
        #expect(try w.rows("SELECT hex(value) FROM strings WHERE trace_id = ? AND value LIKE 'region%'", [.int(id)])
                == [["726567696F6E80"]])
    }

    @Test("an inconsistent database is an error naming the event, not a wrong dump")
    func inconsistent() throws {
        let w = try TempWarehouse()
        let id = try w.ingest(Paths.fixtures.appendingPathComponent("traces/go1.27/sequential.trace").path).traceID
        let db = w.warehouse.db
        #expect(throws: WarehouseError.self) { _ = try EventsFromDatabase(db: db, traceID: id + 1) }
        let seq = try #require(try db.scalarInt("SELECT min(seq) FROM events WHERE trace_id = ? AND kind = 13", [.int(id)]))
        try db.execute("UPDATE events SET name_id = 99999 WHERE trace_id = \(id) AND seq = \(seq)")
        do {
            _ = try DumpText.rebuilt(db, id)
            Issue.record("no error")
        } catch let e as WarehouseError {
            #expect(e.message.contains("event \(seq)") && e.message.contains("string 99999"), "\(e)")
        }
    }

    @Test("the JSON reader keeps member order, every digit and every escape")
    func orderedJSON() throws {
        let v = try OrderedJSON.parse(#" { "z" : 1, "a":{"y":[1, "x", null, true, false],"b":"\u00e9\ud83d\ude00\n\"\\\/"}, "n": 18446744073709551615 } "#)
        guard case .object(let o) = v else { Issue.record("not an object"); return }
        #expect(o.members.map(\.key) == ["z", "a", "n"])
        #expect(o["n"] == .number("18446744073709551615"))
        guard case .object(let a)? = o["a"] else { Issue.record("no a"); return }
        #expect(a.members.map(\.key) == ["y", "b"])
        #expect(a["b"] == .string("é😀\n\"\\/"))
        #expect(a["y"] == .array([.number("1"), .string("x"), .null, .bool(true), .bool(false)]))
        let odd = "quote\" back\\slash\nnew\ttab \u{1} \u{1f} é 😀"
        #expect(try OrderedJSON.parse(JSON.string(odd)) == .string(odd))
        for bad in ["", "{", "{\"a\":}", "{\"a\" 1}", "[1,]", "\"\\x\"", "{} x", "\"\\ud83d\\u0041\""] {
            #expect(throws: OrderedJSON.SyntaxError.self, "\(bad)") { _ = try OrderedJSON.parse(bad) }
        }
    }
}
