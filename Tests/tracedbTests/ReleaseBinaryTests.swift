import Foundation
import Testing

/// The release build as the README's Install section documents it (swift build -c release
/// --static-swift-stdlib) gives a binary that a machine without Swift can run: its ELF needed list is
/// only the C and C++ runtime, libsqlite3 and libz (Fixtures/release/check-binary.sh, readelf -d),
/// and it prints its version. The test builds it in .build-release (incremental after the first
/// time, about a minute; from a clean clone it is a full release build of tracedb and its packages:
/// measured 11 CPU-minutes, 18.6 minutes of wall time on 2 cores shared with other builds). Set
/// TRACEDB_SKIP_RELEASE_BUILD=1 to skip it (it then says so).
@Suite("release binary (static Swift stdlib)")
struct ReleaseBinaryTests {
    static let skip = ProcessInfo.processInfo.environment["TRACEDB_SKIP_RELEASE_BUILD"] == "1"

    static func sh(_ script: String, cwd: URL) throws -> (status: Int32, out: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/sh")
        p.arguments = ["-c", script]
        p.currentDirectoryURL = cwd
        let out = Pipe(); p.standardOutput = out; p.standardError = out
        try p.run()
        let d = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: d, as: UTF8.self))
    }

    @Test("swift build -c release --static-swift-stdlib: needs only libc/libstdc++/libm/libgcc_s, libsqlite3, libz; runs --version",
          .enabled(if: !skip, "TRACEDB_SKIP_RELEASE_BUILD=1"), .timeLimit(.minutes(60)))
    func staticBinary() throws {
        let build = try Self.sh("swift build -c release --static-swift-stdlib --scratch-path .build-release --product tracedb 2>&1 | tail -5",
                                cwd: CLI.repo)
        #expect(build.status == 0, "\(build.out)")
        let bin = CLI.repo.appendingPathComponent(".build-release/release/tracedb").path
        try #require(FileManager.default.isExecutableFile(atPath: bin), "no release binary: \(build.out)")
        let check = try Self.sh("Fixtures/release/check-binary.sh \(bin)", cwd: CLI.repo)
        #expect(check.status == 0, "\(check.out)")
        let needed = check.out.split(separator: "\n").first { $0.hasPrefix("needed: ") }.map(String.init) ?? ""
        for lib in ["libsqlite3.so.0", "libz.so.1", "libc.so.6"] { #expect(needed.contains(lib), "\(needed)") }
        for lib in ["libswiftCore", "libFoundation", "libdispatch", "libcurl", "libicu"] { #expect(!needed.contains(lib), "\(needed)") }
        #expect(check.out.contains("tracedb 0.1.0 (commit "), "\(check.out)")
    }
}
