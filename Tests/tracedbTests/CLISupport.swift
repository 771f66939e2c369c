import Foundation
import Testing

/// Runs the built `tracedb` binary (next to the test bundle in .build/<config>/).
enum CLI {
    static let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let shared = repo.deletingLastPathComponent().appendingPathComponent("shared")

    static var binary: URL {
        // The test bundle lives in the products directory, which also holds the tracedb executable.
        for bundle in Bundle.allBundles where bundle.bundlePath.hasSuffix(".xctest") {
            let dir = bundle.bundleURL.deletingLastPathComponent()
            let candidate = dir.appendingPathComponent("tracedb")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        let exe = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("tracedb")
        return exe
    }

    struct Output { var status: Int32; var stdout: String; var stderr: String }

    /// Runs `tracedb args…` to completion.
    @discardableResult
    /// Runs tracedb; `stdout`, if given, receives its standard output (e.g. `/dev/full`) and the
    /// returned stdout is empty.
    static func run(_ args: [String], env: [String: String] = [:], cwd: URL? = nil, stdout: FileHandle? = nil,
                    stdin: FileHandle? = nil) throws -> Output {
        let p = Process()
        p.executableURL = binary
        p.arguments = args
        var environment = ProcessInfo.processInfo.environment
        for (k, v) in env { environment[k] = v }
        p.environment = environment
        if let cwd { p.currentDirectoryURL = cwd }
        if let stdin { p.standardInput = stdin }
        let out = Pipe(), err = Pipe()
        p.standardOutput = stdout ?? out
        p.standardError = err
        try p.run()
        // Read both pipes concurrently so a large output cannot block the child.
        let errData = Mutex2(Data())
        let t = Thread { errData.set(err.fileHandleForReading.readDataToEndOfFile()) }
        t.start()
        if stdout != nil { try? out.fileHandleForWriting.close() }
        let o = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        while !errData.done { usleep(1000) }
        return Output(status: p.terminationStatus, stdout: String(decoding: o, as: UTF8.self),
                      stderr: String(decoding: errData.get(), as: UTF8.self))
    }

    /// A fresh temporary folder, removed by the caller.
    static func tempDir() throws -> URL {
        let d = FileManager.default.temporaryDirectory.appendingPathComponent("tracedb-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: d, withIntermediateDirectories: true)
        return d
    }

    /// Fixture traces of one Go version.
    static func fixture(_ name: String, version: String = "go1.27") -> String {
        repo.appendingPathComponent("Fixtures/traces/\(version)/\(name).trace").path
    }

    static func sqlite(_ db: String, _ sql: String) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["sqlite3", "-batch", db, sql]
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return String(decoding: o, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

final class Mutex2<T>: @unchecked Sendable {
    private var value: T
    private(set) var done = false
    private let lock = NSLock()
    init(_ v: T) { value = v }
    func set(_ v: T) { lock.lock(); value = v; done = true; lock.unlock() }
    func get() -> T { lock.lock(); defer { lock.unlock() }; return value }
}
