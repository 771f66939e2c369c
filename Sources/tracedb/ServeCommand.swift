import ArgumentParser
import Foundation
import TraceServer
import TraceWarehouse

struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Browse the warehouse in a local web UI (read-only).",
        discussion: """
        Starts a web server on 127.0.0.1 (a free port unless --port) and prints its URL. The database is \
        opened read-only; the server never writes. Pages: the runs (/), a run's report (/runs/ID), its \
        timeline (/runs/ID/timeline), a goroutine (/runs/ID/goroutines/GOID), the saved queries \
        (/queries), read-only SQL (/sql), a comparison (/compare?a=ID&b=ID) and a trend \
        (/trend?metric=QUERY.COLUMN&by=LABEL). Every asset is in the binary: no network needed. \
        Stop it with Ctrl-C.

        Examples:
          tracedb serve
          tracedb serve --db runs.db --port 8080 --open
          tracedb serve --listen 0.0.0.0 --port 8080    # other machines can reach it: a warning is printed

        \(Exit.help)
        """
    )

    @Option(help: ArgumentHelp("The port (default: a free one).", valueName: "n"))
    var port: Int?

    @Option(help: ArgumentHelp("The address to listen on (default 127.0.0.1; anything else is reachable from other machines).", valueName: "addr"))
    var listen: String = "127.0.0.1"

    @Flag(help: "Open the URL in a browser (xdg-open, or open on macOS).")
    var open = false

    @Option(name: .customLong("queries"), help: ArgumentHelp("A directory of extra saved queries (repeatable; also $TRACEDB_QUERIES).", valueName: "dir"))
    var queryDirectories: [String] = []

    @OptionGroup var database: DatabaseOption

    func validate() throws {
        if let port, !(0...65535).contains(port) { throw ValidationError("--port must be 0…65535, got \(port)") }
    }

    func run() throws {
        try reportingErrors("serve") {
            let dirs = queryDirectories + QueryLibrary.environmentDirectories(ProcessInfo.processInfo.environment)
            let state = try ServerState(databasePath: database.path, library: QueryLibrary.load(directories: dirs))
            if !["127.0.0.1", "localhost", "::1"].contains(listen) {
                printError("tracedb serve: warning: listening on \(listen): other machines can reach this server and read the whole database")
            }
            state.warmCheckpoints()
            let openBrowser = open, path = database.path
            try TraceServer(state: state).runBlocking(host: listen, port: port ?? 0) { url in
                try? FileHandle.standardOutput.write(contentsOf: Data("tracedb serve: \(url) (database \(path), read-only; Ctrl-C stops)\n".utf8))
                if openBrowser { Self.openInBrowser(url) }
            }
        }
    }

    static func openInBrowser(_ url: String) {
        let p = Process()
        #if os(macOS)
        p.executableURL = URL(fileURLWithPath: "/usr/bin/open")
        #else
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["xdg-open"]
        #endif
        p.arguments = (p.arguments ?? []) + [url]
        do { try p.run() } catch { printError("tracedb serve: cannot open a browser (\(error.localizedDescription)); open \(url) yourself") }
    }
}
