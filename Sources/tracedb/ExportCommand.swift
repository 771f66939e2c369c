import ArgumentParser
import Foundation
import TraceExport
import TraceWarehouse

/// `tracedb export pprof|folded|chrome|otlp`: hand a trace to the viewers Go developers already use.
struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Export a trace as a pprof profile, folded stacks, a Chrome/Perfetto timeline or OpenTelemetry spans.",
        subcommands: [PprofExport.self, FoldedExport.self, ChromeExport.self, OTLPExport.self]
    )
}

/// `--db PATH` and `--trace REF`, shared by the export, report and `dump --from-db` commands.
struct TraceSelection: ParsableArguments {
    @OptionGroup var database: DatabaseOption
    @OptionGroup var traceRef: TraceRefOption

    var trace: String? { traceRef.reference }

    /// Resolves `--trace` (see ``TraceResolver``: the same references as every other command) in `--db`,
    /// opened read-only. Call `cleanup()` on the result when done (a trace file is ingested on the fly).
    func open() throws -> TraceSource { try open(trace) }

    /// Resolves another reference (e.g. `report --base`) the same way.
    func open(_ ref: String?) throws -> TraceSource {
        do { return try TraceResolver.resolve(ref, defaultDatabase: database.path) } catch {
            printError("tracedb: \(describeError(error))")
            throw ExitCode(2)
        }
    }
}

/// The profile to export: one of Go's (or cpu), or a saved query returning a stack and values.
struct ProfileSource: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("sched, net, sync, syscall (as go tool trace -pprof=…) or cpu.", valueName: "profile"))
    var profile: String?

    @Option(name: .long, help: ArgumentHelp("A saved query (name in Queries/, or a .sql file) that returns a stack (stack_id, or stack/funcs text) and values.", valueName: "query"))
    var query: String?

    @Option(name: .customLong("value"), help: ArgumentHelp("With --query: the value column(s) to use (default: every *_ns, *_bytes and count column).", valueName: "column"))
    var values: [String] = []

    func validate() throws {
        if profile != nil && query != nil { throw ValidationError("give either --profile or --query, not both") }
        if let p = profile, ExportProfile(rawValue: p) == nil {
            throw ValidationError("unknown profile '\(p)': use one of \(ExportProfile.allCases.map(\.rawValue).joined(separator: ", "))")
        }
    }

    var label: String { query.map { ($0 as NSString).lastPathComponent } ?? profile ?? "sched" }

    func compute(db: Database, traceID: Int64) throws -> StackProfile {
        if let query {
            let q = try ProfileExporter.savedQuerySQL(query, directories: QueryLibrary.environmentDirectories(ProcessInfo.processInfo.environment))
            return try ProfileExporter.profile(sql: q.sql, name: q.name, db: db, traceID: traceID, valueColumns: values)
        }
        return try ProfileExporter.profile(ExportProfile(rawValue: profile ?? "sched")!, db: db, traceID: traceID)
    }
}

/// Streams an export into the file at `path`; if it fails (e.g. the disk is full), the partial file is removed.
func writeRemovingOnFailure<T>(_ path: String, _ body: (TextOutput) throws -> T) throws -> T {
    let out = try TextOutput(path: path)
    do {
        let result = try body(out)
        try out.finish()
        return result
    } catch {
        out.close()
        try? FileManager.default.removeItem(atPath: path)
        if let message = describeFileError(error), !message.contains(path) {
            throw WarehouseError(message.replacingOccurrences(of: "the output", with: path))
        }
        throw error
    }
}

struct PprofExport: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pprof",
        abstract: "Write a gzipped pprof profile (go tool pprof reads it).",
        discussion: """
        --profile sched|net|sync|syscall gives the same samples and totals as `go tool trace -pprof=TYPE` \
        (contentions/count and delay/nanoseconds per stack); --profile cpu gives the CPU profile samples \
        recorded in the trace. --query turns any saved query that returns a stack and values into a profile.

        Examples:
          tracedb export pprof --profile sync -o sync.pb.gz && go tool pprof -top sync.pb.gz
          go tool pprof -http=: sched.pb.gz
          tracedb export pprof --query syscall-profile -o syscall.pb.gz
        """
    )
    @OptionGroup var selection: TraceSelection
    @OptionGroup var source: ProfileSource

    @Option(name: [.short, .customLong("output")], help: ArgumentHelp("Output file (default: PROFILE.pb.gz).", valueName: "file"))
    var output: String?

    @Flag(help: "Write the protobuf uncompressed.")
    var noGzip = false

    func run() throws {
        let trace = try selection.open()
        defer { trace.cleanup() }
        let (db, id) = (trace.db, trace.newest)
        try reportingErrors {
            let info = try TraceInfo(db: db, traceID: id)
            let prof = try source.compute(db: db, traceID: id)
            let p = prof.pprof(info: info)
            let bytes = noGzip ? p.encode() : try p.gzipped()
            let path = output ?? "\(source.label).pb.gz"
            try Data(bytes).write(to: URL(fileURLWithPath: path), options: .atomic)  // no partial file on a full disk
            let totals = zip(prof.sampleTypes, prof.totals).map { t, v in
                t.unit == "nanoseconds" ? "\(t.type) \(HumanFormat.duration(v))" : "\(t.type) \(HumanFormat.count(v))"
            }.joined(separator: ", ")
            print("trace \(id): wrote \(path): \(prof.records.count) stacks; \(totals)")
        }
    }
}

struct FoldedExport: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "folded",
        abstract: "Write collapsed stacks (root;…;leaf VALUE) for flamegraph.pl and speedscope.",
        discussion: """
        The value is the profile's time in nanoseconds (or --count: the number of samples).

        Examples:
          tracedb export folded --profile sched -o sched.folded && flamegraph.pl sched.folded > sched.svg
          tracedb export folded --profile sync | speedscope -
        """
    )
    @OptionGroup var selection: TraceSelection
    @OptionGroup var source: ProfileSource

    @Flag(help: "Use the sample count instead of the time.")
    var count = false

    @Option(name: [.short, .customLong("output")], help: ArgumentHelp("Output file (default: standard output).", valueName: "file"))
    var output: String?

    func run() throws {
        let trace = try selection.open()
        defer { trace.cleanup() }
        let (db, id) = (trace.db, trace.newest)
        try reportingErrors {
            let prof = try source.compute(db: db, traceID: id)
            let text = FoldedExporter.folded(prof, valueIndex: count ? 0 : nil)
            if let output {
                try text.write(toFile: output, atomically: true, encoding: .utf8)
                printError("trace \(id): wrote \(output): \(text.split(separator: "\n").count) stacks")
            } else {
                try FileHandle.standardOutput.write(contentsOf: Data(text.utf8))  // the non-throwing write traps on EIO/ENOSPC
            }
        }
    }
}

struct ChromeExport: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "chrome",
        abstract: "Write Chrome trace-event JSON for the Perfetto UI (ui.perfetto.dev) and chrome://tracing.",
        discussion: """
        Tracks: one per P with the goroutines that ran on it; one per chosen goroutine with its states; GC \
        and stop-the-world slices; tasks and regions as async slices; unblock arrows; heap and goroutine \
        counters. Times are microseconds since the trace start.

        Examples:
          tracedb export chrome -o trace.json                  # then open it in https://ui.perfetto.dev
          tracedb export chrome --start 1.5s --end 1.6s -o window.json
          tracedb export chrome --goroutine 1 --goroutine 42 -o trace.json
        """
    )
    @OptionGroup var selection: TraceSelection

    @Option(name: [.short, .customLong("output")], help: ArgumentHelp("Output file.", valueName: "file"))
    var output: String = "trace.json"

    @Option(help: ArgumentHelp("Window start since the trace start (e.g. 250ms, 1.5s, 800us; a bare number is ns).", valueName: "time"))
    var start: String?

    @Option(help: ArgumentHelp("Window end since the trace start.", valueName: "time"))
    var end: String?

    @Option(name: .customLong("goroutine"), help: ArgumentHelp("A goroutine to give its own track (repeatable).", valueName: "goid"))
    var goroutines: [Int64] = []

    @Option(help: ArgumentHelp("Without --goroutine: how many goroutines (most execution time) get a track.", valueName: "n"))
    var topGoroutines: Int = 8

    @Flag(help: "Leave out the unblock arrows.")
    var noFlows = false

    func validate() throws {
        for (name, v) in [("--start", start), ("--end", end)] {
            if let v, DurationParser.ns(v) == nil { throw ValidationError("\(name): cannot read '\(v)' as a time (e.g. 250ms, 1.5s, 800us, 12345)") }
        }
    }

    func run() throws {
        let trace = try selection.open()
        defer { trace.cleanup() }
        let (db, id) = (trace.db, trace.newest)
        try reportingErrors {
            let opts = ChromeTraceOptions(startNs: start.flatMap(DurationParser.ns), endNs: end.flatMap(DurationParser.ns),
                                          goroutines: goroutines.isEmpty ? nil : goroutines, topGoroutines: topGoroutines,
                                          flows: !noFlows)
            let s = try writeRemovingOnFailure(output) { out in
                try ChromeTraceExporter.export(db: db, traceID: id, options: opts, to: out)
            }
            print("trace \(id): wrote \(output): \(HumanFormat.count(s.events)) events; \(s.procTracks) P tracks (\(HumanFormat.count(s.procSlices)) slices), "
                + "\(s.goroutineTracks) goroutine tracks, \(s.gcSlices) GC, \(s.stwSlices) STW, \(s.tasks) tasks, \(s.regions) regions, "
                + "\(s.flows) unblock arrows")
        }
    }
}

struct OTLPExport: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "otlp",
        abstract: "Write tasks and regions as OpenTelemetry spans (OTLP/JSON) with wall-clock times.",
        discussion: """
        One span per task and per region; a region's parent is its enclosing region or its task. Times \
        come from the trace's clock snapshot (Go 1.25+); older traces have none, so their spans are \
        placed at the Unix epoch + trace time (a warning says so).

        Examples:
          tracedb export otlp -o spans.json
          curl -X POST -H 'Content-Type: application/json' --data-binary @spans.json http://localhost:4318/v1/traces
        """
    )
    @OptionGroup var selection: TraceSelection

    @Option(name: [.short, .customLong("output")], help: ArgumentHelp("Output file.", valueName: "file"))
    var output: String = "spans.json"

    @Option(help: ArgumentHelp("service.name of the resource.", valueName: "name"))
    var service: String = "go-trace"

    func run() throws {
        let trace = try selection.open()
        defer { trace.cleanup() }
        let (db, id) = (trace.db, trace.newest)
        try reportingErrors {
            let s = try writeRemovingOnFailure(output) { out in
                try OTLPExporter.export(db: db, traceID: id, options: .init(serviceName: service), to: out)
            }
            print("trace \(id): wrote \(output): \(s.tasks + s.regions) spans (\(s.tasks) tasks, \(s.regions) regions) in \(s.traces) traces")
            if !s.wallClock {
                printError("tracedb: warning: trace \(id) has no wall-clock snapshot (Go < 1.25): span times are trace-relative (Unix epoch + time since trace start)")
            }
        }
    }
}

/// Reads "1.5s", "250ms", "800us"/"800µs", "120ns" or a bare number of nanoseconds.
enum DurationParser {
    static func ns(_ s: String) -> Int64? {
        let t = s.trimmingCharacters(in: .whitespaces).lowercased()
        let units: [(String, Double)] = [("ns", 1), ("us", 1e3), ("µs", 1e3), ("ms", 1e6), ("s", 1e9), ("m", 60e9)]
        for (u, mul) in units where t.hasSuffix(u) {
            guard let v = Double(t.dropLast(u.count)), v >= 0 else { return nil }
            return Int64((v * mul).rounded())
        }
        guard let v = Int64(t), v >= 0 else { return nil }
        return v
    }
}
