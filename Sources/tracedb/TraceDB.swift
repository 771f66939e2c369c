import ArgumentParser

@main
struct TraceDB: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tracedb",
        abstract: "Turn Go execution traces into a SQLite warehouse you can query, compare and gate CI on.",
        subcommands: [IngestCommand.self]
    )
}
