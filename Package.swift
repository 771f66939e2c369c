// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "tracedb",
    platforms: [.macOS(.v13)],
    products: [
        .library(name: "GoTrace", targets: ["GoTrace"]),
        .library(name: "TraceWarehouse", targets: ["TraceWarehouse"]),
        .library(name: "TraceExport", targets: ["TraceExport"]),
        .executable(name: "tracedb", targets: ["tracedb"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        // HTTP client for `tracedb ingest http://…/debug/pprof/trace` (SwiftNIO; no libcurl, unlike
        // FoundationNetworking, so the static release binary stays free of it).
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        // The local web UI, `tracedb serve` (SwiftNIO underneath; no libcurl in the static binary).
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
    ],
    targets: [
        // The system SQLite (Debian: libsqlite3-dev) plus a tiny inline C shim for the variadic calls.
        .systemLibrary(
            name: "CSQLite",
            pkgConfig: "sqlite3",
            providers: [.apt(["libsqlite3-dev"]), .brew(["sqlite"])]
        ),
        // The system zlib (Debian: zlib1g-dev), for gzip of exported pprof profiles.
        .systemLibrary(
            name: "CZlib",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"]), .brew(["zlib"])]
        ),
        // Pure Swift Go execution-trace parser: no SQLite, no Foundation-heavy I/O in the hot path.
        .target(name: "GoTrace"),
        // Embeds Schema/*.sql and Queries/*.sql into the binary at build time.
        .executableTarget(name: "EmbedSQL"),
        .plugin(
            name: "EmbedSQLPlugin", capability: .buildTool(), dependencies: ["EmbedSQL"],
            path: "Sources/EmbedSQLPlugin"
        ),
        // The SQLite warehouse: schema migrations, bulk loader, derived tables, queries, comparison.
        .target(
            name: "TraceWarehouse",
            dependencies: ["GoTrace", "CSQLite"],
            plugins: ["EmbedSQLPlugin"]
        ),
        // Exports and pictures read from the warehouse: pprof, folded stacks, Chrome JSON, OTLP, the HTML report.
        .target(name: "TraceExport", dependencies: ["TraceWarehouse", "GoTrace", "CZlib"]),
        // Getting a trace to ingest: spooling a pipe, downloading from net/http/pprof, planning a
        // `go test -trace` run. No SQLite, no flags.
        .target(
            name: "TraceInput",
            dependencies: [.product(name: "AsyncHTTPClient", package: "async-http-client")]
        ),
        // `tracedb serve`: the routes, pages and JSON API of the local web UI over a read-only
        // warehouse. Every asset is a Swift string in the binary: no network, no CDN.
        .target(
            name: "TraceServer",
            dependencies: [
                "TraceWarehouse", "TraceExport",
                .product(name: "Hummingbird", package: "hummingbird"),
            ]
        ),
        // Bakes the git commit into the binary at build time (`tracedb --version`), without network.
        .plugin(name: "BuildInfoPlugin", capability: .buildTool(), path: "Sources/BuildInfoPlugin"),
        // The thin command-line front end.
        .executableTarget(
            name: "tracedb",
            dependencies: [
                "GoTrace", "TraceWarehouse", "TraceExport", "TraceInput", "TraceServer",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            plugins: ["BuildInfoPlugin"]
        ),
        // Helpers every test target shares (repository paths, gzip'd goldens, TSV): a library only the
        // test targets use, since a test target cannot import another.
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        // FuzzRegressions/ holds the inputs the fuzz regression and ingest tests read by path.
        .testTarget(name: "GoTraceTests", dependencies: ["GoTrace", "TestSupport"], exclude: ["FuzzRegressions"]),
        // Golden/ holds data files the tests read by path (pprof goldens from go tool trace).
        .testTarget(name: "TraceWarehouseTests", dependencies: ["TraceWarehouse", "TraceExport", "GoTrace", "TestSupport"],
                    exclude: ["Golden", "Oracle"]),
        .testTarget(name: "tracedbTests", dependencies: ["tracedb", "TestSupport"]),
        .testTarget(
            name: "TraceServerTests",
            dependencies: [
                "TraceServer", "TraceWarehouse", "TraceExport", "TestSupport",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ]
        ),
    ]
)
