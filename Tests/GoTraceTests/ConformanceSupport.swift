// Support for the parser conformance tests: locating Go's test data (Fixtures/go-conformance)
// and fixture traces, and running the reader the way `tracedb dump` does.

import Foundation
import Testing
import TestSupport
@testable import GoTrace

enum ConformancePaths {
    /// Fixtures/go-conformance: Go's parser test data, committed with the repository.
    static let conformance = RepoPaths.conformance
    static let fixtures = RepoPaths.fixtures

    /// The trace names (without `.trace`) in a folder of go-conformance.
    static func cases(_ folder: String) -> [String] { RepoPaths.conformanceTraces(folder) }

    static func file(_ folder: String, _ name: String, _ ext: String) -> URL {
        RepoPaths.conformance(folder, name, ext)
    }

    /// A golden text file of go-conformance, stored as is or gzipped (`NAME.ext.gz`, over 64 KiB).
    static func golden(_ folder: String, _ name: String, _ ext: String) -> [UInt8]? {
        readMaybeGzipped(file(folder, name, ext))
    }
}

/// The result of reading a whole trace the way `tracedb dump` does.
struct DumpResult {
    /// One entry per event: Go's `Event.String()` followed by a newline.
    var lines: [[UInt8]] = []
    var error: TraceError?
    var text: [UInt8] { lines.flatMap { $0 } }
}

/// Parses a trace and formats every event (like `go tool trace -d=parsed`).
func dumpParsed(bytes: [UInt8], completeGenerationsOnly: Bool = false) -> DumpResult {
    var result = DumpResult()
    do {
        let reader = try TraceReader(bytes: bytes, completeGenerationsOnly: completeGenerationsOnly)
        while let ev = try reader.next() {
            var line: [UInt8] = []
            ev.appendGoString(to: &line)
            line.append(10)
            result.lines.append(line)
        }
    } catch let e as TraceError {
        result.error = e
    } catch {
        Issue.record("unexpected error type \(error)")
    }
    return result
}

func dumpParsed(path: String) -> DumpResult {
    var result = DumpResult()
    do {
        let reader = try TraceReader(path: path, completeGenerationsOnly: false)
        while let ev = try reader.next() {
            var line: [UInt8] = []
            ev.appendGoString(to: &line)
            line.append(10)
            result.lines.append(line)
        }
    } catch let e as TraceError {
        result.error = e
    } catch {
        Issue.record("unexpected error type \(error)")
    }
    return result
}

/// Reads the raw wire events (like `go tool trace -d=wire`).
func dumpWire(path: String) -> (text: [UInt8], error: TraceError?) {
    var text: [UInt8] = []
    do {
        let reader = try WireReader(path: path)
        while let ev = try reader.next() {
            ev.appendGoString(to: &text)
            text.append(10)
        }
    } catch let e as TraceError {
        return (text, e)
    } catch {
        Issue.record("unexpected error type \(error)")
    }
    return (text, nil)
}

/// The first line where two texts differ, for readable failures.
func firstDifference(_ a: [UInt8], _ b: [UInt8]) -> String {
    let la = String(decoding: a, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
    let lb = String(decoding: b, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
    for i in 0..<max(la.count, lb.count) {
        let x = i < la.count ? String(la[i]) : "<end>"
        let y = i < lb.count ? String(lb[i]) : "<end>"
        if x != y { return "line \(i + 1):\n  got:  \(x)\n  want: \(y)" }
    }
    return "identical"
}

/// Unquotes a Go double-quoted string literal (enough for the expectations in Go's tests).
func goUnquote(_ s: Substring) -> String {
    var body = s
    if body.hasPrefix("\"") { body = body.dropFirst() }
    if body.hasSuffix("\"") { body = body.dropLast() }
    var out = ""
    var escaped = false
    for c in body {
        if escaped { out.append(c == "n" ? "\n" : c == "t" ? "\t" : c); escaped = false }
        else if c == "\\" { escaped = true }
        else { out.append(c) }
    }
    return out
}
