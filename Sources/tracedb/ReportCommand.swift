import ArgumentParser
import Foundation
import TraceExport
import TraceWarehouse

/// `tracedb report`: one self-contained HTML page with the main pictures of a trace.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write a self-contained HTML report of a trace (no network needed to view it).",
        discussion: """
        Time overview (goroutines by state, P utilization, GC and stop-the-world pauses, heap), the \
        scheduling-latency histogram, blocking by reason, the goroutine analysis table, GC pauses and MMU, \
        the slowest tasks and regions, and findings. With --base, two traces side by side.

        Examples:
          tracedb report -o report.html && xdg-open report.html
          tracedb report --trace 3 --base 2 -o compare.html
        """
    )
    @OptionGroup var selection: TraceSelection

    @Option(name: [.short, .customLong("output")], help: ArgumentHelp("Output file.", valueName: "file"))
    var output: String = "report.html"

    @Option(help: ArgumentHelp("Also draw this trace (the base) beside --trace (the head).", valueName: "ref"))
    var base: String?

    func run() throws {
        let trace = try selection.open()
        defer { trace.cleanup() }
        let baseTrace = try base.map { try selection.open($0) }
        defer { baseTrace?.cleanup() }
        let id = trace.newest, baseID = baseTrace?.newest
        try reportingErrors {
            let head = try ReportData(db: trace.db, traceID: id)
            let baseData = try baseTrace.map { try ReportData(db: $0.db, traceID: $0.newest) }
            let html = HTMLReport.render(head, base: baseData)
            try html.write(toFile: output, atomically: true, encoding: .utf8)
            print("trace \(id)\(baseID.map { " vs base \($0)" } ?? ""): wrote \(output) (\(HumanFormat.bytes(html.utf8.count))); "
                + "\(head.findings.filter { $0.severity == .warn || $0.severity == .bad }.count) findings to look at")
        }
    }
}
