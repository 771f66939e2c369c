import ArgumentParser
import Foundation

@main
struct TraceDB: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tracedb",
        abstract: "Turn Go execution traces into a SQLite warehouse you can query, compare and gate CI on.",
        version: VersionText.text,
        subcommands: [IngestCommand.self, RecordCommand.self, BenchCommand.self, BenchCommandsCommand.self, DumpCommand.self, ExportCommand.self, ReportCommand.self, QueriesCommand.self, QueryCommand.self, SQLCommand.self, RunsCommand.self, CompareCommand.self, TrendCommand.self, ServeCommand.self]
    )

    /// Runs the command; usage errors exit 2 (documented in the README and every command's help), not
    /// swift-argument-parser's EX_USAGE (64). Help, --version, completion scripts and ExitCode(n) thrown
    /// by commands behave as usual.
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            if exitCode(for: error) == .validationFailure {
                try? FileHandle.standardError.write(contentsOf: Data((fullMessage(for: error) + "\n").utf8))
                Foundation.exit(2)
            }
            exit(withError: error)
        }
    }
}
