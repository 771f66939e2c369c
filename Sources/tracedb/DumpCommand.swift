import ArgumentParser
import GoTrace
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

            Examples:
              tracedb dump trace.out | less
              tracedb dump --wire trace.out
              tracedb dump --count trace.out
            """
    )

    @Flag(name: .long, help: "Print the raw wire events (like `go tool trace -d=wire`).")
    var wire = false

    @Flag(name: .long, help: "Print only event counts per kind, then the total.")
    var count = false

    @Argument(help: "The trace file.")
    var file: String

    func validate() throws {
        if wire && count { throw ValidationError("--wire and --count cannot be combined") }
    }

    func run() throws {
        let out = StdoutBuffer()
        var failure: TraceError?
        do {
            if wire {
                try dumpWire(out)
            } else if count {
                try dumpCounts(out)
            } else {
                try dumpParsed(out)
            }
        } catch let e as TraceError {
            failure = e
        }
        out.flush()
        if let failure {
            let firstLine = failure.message.split(separator: "\n", omittingEmptySubsequences: false).first ?? ""
            var located = TraceError(kind: failure.kind, message: String(firstLine), offset: failure.offset,
                                     generation: failure.generation)
            if located.message.isEmpty { located.message = "invalid trace" }
            let line = Array("tracedb: \(file): \(located)\n".utf8)
            _ = line.withUnsafeBytes { Glibc.write(2, $0.baseAddress, $0.count) }
            throw ExitCode(1)
        }
    }

    private func dumpParsed(_ out: StdoutBuffer) throws {
        let reader = try TraceReader(path: file, completeGenerationsOnly: false)
        while let event = try reader.next() {
            event.appendGoString(to: &out.bytes)
            out.bytes.append(UInt8(ascii: "\n"))
            out.flushIfFull()
        }
    }

    private func dumpWire(_ out: StdoutBuffer) throws {
        let reader = try WireReader(path: file)
        while let event = try reader.next() {
            event.appendGoString(to: &out.bytes)
            out.bytes.append(UInt8(ascii: "\n"))
            out.flushIfFull()
        }
    }

    private func dumpCounts(_ out: StdoutBuffer) throws {
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

    func flush() {
        var offset = 0
        bytes.withUnsafeBytes { raw in
            while offset < raw.count {
                let n = Glibc.write(1, raw.baseAddress! + offset, raw.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    break // e.g. a closed pipe: stop writing.
                }
                offset += n
            }
        }
        bytes.removeAll(keepingCapacity: true)
    }
}
