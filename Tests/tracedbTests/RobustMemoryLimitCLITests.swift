import Foundation
import Testing

@Suite("Hostile traces under a memory limit (end to end)")
struct RobustMemoryLimitCLITests {
    /// Runs `tracedb args…` with its address space limited to `mib` MiB (`ulimit -v`): an allocation
    /// beyond it fails, and the process dies instead of exiting with 0, 1 or 2.
    static func runLimited(_ args: [String], mib: Int = 256) throws -> CLI.Output {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/sh")
        p.arguments = ["-c", "ulimit -v \(mib * 1024) && exec \"$0\" \"$@\"", CLI.binary.path] + args
        p.standardOutput = FileHandle.nullDevice
        let err = Pipe()
        p.standardError = err
        try p.run()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return CLI.Output(status: p.terminationStatus, stdout: "", stderr: String(decoding: e, as: UTF8.self))
    }

    @Test("huge declared lengths and endless varints: dump and ingest stay under 256 MiB and fail cleanly")
    func hostileUnderLimit() throws {
        let dir = try CLI.tempDir(); defer { try? FileManager.default.removeItem(at: dir) }
        let regressions = CLI.repo.appendingPathComponent("Tests/GoTraceTests/FuzzRegressions")
        var files = ((try? FileManager.default.contentsOfDirectory(atPath: regressions.path)) ?? []).filter {
            ["hostile-batch-size", "hostile-string-len", "hostile-stack-frames", "hostile-wire-", "hostile-experimental",
             "hostile-endless", "hostile-v1-", "crash-", "oom-", "timeout-"].contains(where: $0.hasPrefix)
        }.sorted().map { regressions.appendingPathComponent($0).path }
        // A megabyte of a varint that never ends.
        let endless = dir.appendingPathComponent("endless.trace").path
        try Data(Array("go 1.26 trace\0\0\0".utf8) + [1] + [UInt8](repeating: 0xff, count: 1 << 20)).write(to: URL(fileURLWithPath: endless))
        files.append(endless)
        #expect(files.count > 20)
        let db = dir.appendingPathComponent("t.db").path
        let ok = try Self.runLimited(["ingest", "--db", db, Faults.fixture("gcheavy")])
        #expect(ok.status == 0, "a real trace does not fit in the limit: \(ok.stderr)")
        for f in files {
            for args in [["dump", "--count", f], ["dump", "--wire", f], ["ingest", "--db", db, f]] {
                let r = try Self.runLimited(args)
                #expect([0, 1, 2].contains(r.status), "\(args.dropLast().joined(separator: " ")) \((f as NSString).lastPathComponent): exit \(r.status) \(r.stderr.prefix(300))")
                #expect(r.stderr.split(separator: "\n").count <= 1, "\(r.stderr)")
            }
        }
        #expect(try CLI.sqlite(db, "SELECT count(*) FROM traces") == "1")
    }
}
