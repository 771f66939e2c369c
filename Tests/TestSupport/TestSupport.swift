// Helpers every test target needs, written once: where the repository's test data lives, reading a
// file that may be stored gzipped, and tracegolden-style TSV files. A plain library target that only
// the test targets depend on (SwiftPM test targets cannot import one another).

import Foundation

/// The repository and its test data, located from this file's path (Tests/TestSupport/…), so the
/// tests find their data wherever the repository is cloned.
public enum RepoPaths {
    public static let root: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    public static let fixtures: URL = root.appendingPathComponent("Fixtures")
    /// Go's own parser test data with Go's outputs (Fixtures/go-conformance, see its README).
    public static let conformance: URL = fixtures.appendingPathComponent("go-conformance")
    /// tracegolden's sample trace with its output (Fixtures/tracegolden-sample).
    public static let tracegoldenSample: URL = fixtures.appendingPathComponent("tracegolden-sample")

    /// `Fixtures/go-conformance/FOLDER/NAME.EXT`.
    public static func conformance(_ folder: String, _ name: String, _ ext: String) -> URL {
        conformance.appendingPathComponent(folder).appendingPathComponent(name + ext)
    }

    /// The names (without `.trace`) of the traces in a folder of go-conformance, sorted.
    public static func conformanceTraces(_ folder: String) -> [String] {
        let dir = conformance.appendingPathComponent(folder)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
        return names.filter { $0.hasSuffix(".trace") }.map { String($0.dropLast(".trace".count)) }.sorted()
    }
}

/// The bytes of a file, or nil if it cannot be read.
public func readBytes(_ url: URL) -> [UInt8]? {
    FileManager.default.contents(atPath: url.path).map { [UInt8]($0) }
}

/// The decompressed bytes of a gzip file, through the system `gzip` (on every Linux and macOS);
/// nil if the file is missing or not gzip.
public func gunzip(_ url: URL) -> [UInt8]? {
    guard FileManager.default.fileExists(atPath: url.path) else { return nil }
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    p.arguments = ["gzip", "-dc", url.path]
    let pipe = Pipe()
    p.standardOutput = pipe
    do { try p.run() } catch { return nil }
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return p.terminationStatus == 0 ? [UInt8](data) : nil
}

/// The bytes of `url`, or else of `url.gz` decompressed (large goldens are stored gzipped); nil if
/// neither exists.
public func readMaybeGzipped(_ url: URL) -> [UInt8]? {
    readBytes(url) ?? gunzip(URL(fileURLWithPath: url.path + ".gz"))
}

/// The text of `url` or `url.gz`, or nil if neither exists.
public func readTextMaybeGzipped(_ url: URL) -> String? {
    readMaybeGzipped(url).map { String(decoding: $0, as: UTF8.self) }
}

/// A tab-separated file with a header line, its fields kept raw (tracegolden's escapes undone by
/// nobody: callers compare escaped text).
public struct TSVTable: Sendable {
    public var header: [String]
    public var rows: [[String]]

    public init(header: [String], rows: [[String]]) {
        self.header = header
        self.rows = rows
    }

    /// Parses TSV text: the first line is the header; a final newline ends the last row.
    public init(text: String) {
        var text = text
        if text.hasSuffix("\n") { text.removeLast() }
        guard !text.isEmpty else { self.init(header: [], rows: []); return }
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map {
            $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
        }
        let header = lines.removeFirst()
        self.init(header: header, rows: lines)
    }

    /// Reads `url`, or `url.gz`; nil if neither exists.
    public init?(contentsOf url: URL) {
        guard let text = readTextMaybeGzipped(url) else { return nil }
        self.init(text: text)
    }
}

/// A value behind a lock, for test bookkeeping across threads.
public final class Locked<T>: @unchecked Sendable {
    private var value: T
    private let lock = NSLock()
    public init(_ value: T) { self.value = value }
    public func withLock<R>(_ body: (inout T) throws -> R) rethrows -> R {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }
}

/// Test data that should be in the repository and is not (or cannot be read): a failure, never a skip.
public struct TestDataError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// The bytes of a file the tests need; throws ``TestDataError`` naming it if it cannot be read.
public func requireBytes(_ url: URL) throws -> [UInt8] {
    guard let bytes = readBytes(url) else { throw TestDataError("missing test data: \(url.path)") }
    return bytes
}
