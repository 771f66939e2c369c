import ArgumentParser
import GoTrace
import TraceWarehouse
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `tracedb dump`: the parsed events of a trace exactly as `go tool trace -d=parsed` prints them.
struct DumpCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dump",
        abstract: "Print a trace's events exactly as `go tool trace -d=parsed` (or `-d=wire`) does.",
        discussion: """
            Reads Go 1.11–1.26 execution traces. The default output is byte-identical to \
            `go tool trace -d=parsed FILE`; --wire matches `go tool trace -d=wire FILE` (Go 1.22+ \
            traces only: Go 1.11–1.21 wrote the old v1 format, which has no wire dump); --count \
            parses the whole trace and prints only the number of events of each kind (the \
            benchmark mode). On an invalid or truncated trace it prints what Go prints before the \
            error, then one line on stderr, and exits with status 1.

            --from-db rebuilds the same text from a trace already in the database (--db, --trace) \
            instead of reading a file: the `events` table is lossless, so for a trace ingested \
            whole the output equals `tracedb dump FILE` of the file it came from.

            Examples:
              tracedb dump trace.out | less
              tracedb dump --wire trace.out
              tracedb dump --count trace.out
              tracedb dump --from-db --db runs.db --trace 3
            """
    )

    @Flag(name: .long, help: "Print the raw wire events (like `go tool trace -d=wire`).")
    var wire = false

    @Flag(name: .long, help: "Print only event counts per kind, then the total.")
    var count = false

    @Flag(name: .customLong("from-db"), help: "Rebuild the dump from a trace in the database (see --db, --trace) instead of a file.")
    var fromDatabase = false

    @OptionGroup var selection: TraceSelection

    @Argument(help: "The trace file (not with --from-db).")
    var file: String?

    func validate() throws {
        if wire && count { throw ValidationError("--wire and --count cannot be combined") }
        if fromDatabase {
            if file != nil { throw ValidationError("give either a trace file or --from-db, not both") }
            if wire || count { throw ValidationError("--from-db cannot be combined with --wire or --count") }
        } else {
            if file == nil { throw ValidationError("missing the trace file (or --from-db to dump a trace of the database)") }
            if selection.trace != nil || selection.database.db != nil {
                throw ValidationError("--db and --trace go with --from-db")
            }
        }
    }

    func run() throws {
        guard let file else { return try dumpFromDatabase() }
        let out = StdoutBuffer()
        var failure: TraceError?
        do {
            if wire {
                try dumpWire(file, out)
            } else if count {
                try dumpCounts(file, out)
            } else {
                try dumpParsed(file, out)
            }
        } catch let e as TraceError {
            failure = e
        }
        out.flush()
        if let errno = out.failure {
            // The output is incomplete: never exit 0 as if it were whole.
            let line = Array("tracedb: \(file): cannot write the output: \(String(cString: strerror(errno)))\n".utf8)
            _ = line.withUnsafeBytes { posixWrite(2, $0.baseAddress, $0.count) }
            throw ExitCode(2)
        }
        if let failure {
            let firstLine = failure.message.split(separator: "\n", omittingEmptySubsequences: false).first ?? ""
            var located = TraceError(kind: failure.kind, message: String(firstLine), offset: failure.offset,
                                     generation: failure.generation)
            if located.message.isEmpty { located.message = "invalid trace" }
            let line = Array("tracedb: \(file): \(located)\n".utf8)
            _ = line.withUnsafeBytes { posixWrite(2, $0.baseAddress, $0.count) }
            throw ExitCode(1)
        }
    }

    /// `--from-db`: the events of a stored trace, through the same formatter as a file's.
    private func dumpFromDatabase() throws {
        let trace = try selection.open()
        defer { trace.cleanup() }
        let traceID = trace.newest
        let out = StdoutBuffer()
        let result = Result {
            let events = try EventsFromDatabase(db: trace.db, traceID: traceID)
            while let event = try events.next() {
                event.appendGoString(to: &out.bytes)
                out.bytes.append(UInt8(ascii: "\n"))
                out.flushIfFull()
            }
        }
        out.flush()
        if let errno = out.failure {
            printError("tracedb: trace \(traceID): cannot write the output: \(String(cString: strerror(errno)))")
            throw ExitCode(2)
        }
        try reportingErrors { try result.get() }
    }

    private func dumpParsed(_ file: String, _ out: StdoutBuffer) throws {
        let reader = try TraceReader(path: file, completeGenerationsOnly: false)
        while let event = try reader.next() {
            event.appendGoString(to: &out.bytes)
            out.bytes.append(UInt8(ascii: "\n"))
            out.flushIfFull()
        }
    }

    private func dumpWire(_ file: String, _ out: StdoutBuffer) throws {
        let reader = try WireReader(path: file)
        while let event = try reader.next() {
            event.appendGoString(to: &out.bytes)
            out.bytes.append(UInt8(ascii: "\n"))
            out.flushIfFull()
        }
    }

    private func dumpCounts(_ file: String, _ out: StdoutBuffer) throws {
        let reader = try TraceReader(path: file, completeGenerationsOnly: false)
        var counts = [Int](repeating: 0, count: EventKind.allCases.count)
        // On an error the counts so far are still printed (like Go's partial counts).
        defer {
            var total = 0
            let present = EventKind.allCases.filter { counts[Int($0.rawValue)] > 0 }.sorted { $0.name < $1.name }
            for kind in present {
                out.write("\(kind.name)\t\(counts[Int(kind.rawValue)])\n")
                total += counts[Int(kind.rawValue)]
            }
            out.write("TOTAL\t\(total)\n")
        }
        while let event = try reader.next() {
            counts[Int(event.kind.rawValue)] += 1
        }
    }
}

/// Buffered stdout: output is collected in a large byte buffer and written in big chunks.
final class StdoutBuffer {
    var bytes: [UInt8] = []
    private let limit = 1 << 20

    init() { bytes.reserveCapacity(limit + (64 << 10)) }

    func write(_ s: String) {
        bytes.append(contentsOf: s.utf8)
        flushIfFull()
    }

    @inline(__always)
    func flushIfFull() {
        if bytes.count >= limit { flush() }
    }

    /// The errno of the first failed write (a full disk, a closed pipe); later output is dropped.
    private(set) var failure: Int32?

    func flush() {
        var offset = 0
        if failure == nil {
            bytes.withUnsafeBytes { raw in
                while offset < raw.count {
                    let n = posixWrite(1, raw.baseAddress! + offset, raw.count - offset)
                    if n < 0 {
                        if errno == EINTR { continue }
                        failure = errno  // e.g. ENOSPC or EPIPE: stop writing, report it at the end.
                        break
                    }
                    offset += n
                }
            }
        }
        bytes.removeAll(keepingCapacity: true)
    }
}
