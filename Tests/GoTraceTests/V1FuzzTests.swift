import Foundation
import Testing
import TestSupport
@testable import GoTrace

@Suite("V1 fuzz: Go's fuzz inputs with a v1 header")
struct V1FuzzTests {
    @Test("Go's fuzz corpus has one v1 input")
    func dataPresent() { #expect(Self.cases.count == 1, "\(Self.cases)") }

    static var cases: [String] {
        ConformancePaths.cases("fuzz").filter { name in
            guard let bytes = readBytes(ConformancePaths.file("fuzz", name, ".trace")) else { return false }
            return ["go 1.11 trace", "go 1.19 trace", "go 1.21 trace"].contains { bytes.starts(with: Array($0.utf8)) }
        }
    }

    @Test("same events and error as Go's reader (NAME.goresult)", arguments: cases)
    func fuzz(_ name: String) throws {
        let goresult = try String(contentsOf: ConformancePaths.file("fuzz", name, ".goresult"), encoding: .utf8)
            .trimmingCharacters(in: .newlines)
        let result = dumpParsed(path: ConformancePaths.file("fuzz", name, ".trace").path)
        let header = goresult.split(separator: ":", maxSplits: 1)
        let words = header[0].split(separator: " ")
        #expect(result.lines.count == Int(words[1].dropFirst("events=".count))!)
        if words[0] == "SUCCESS" {
            #expect(result.error == nil)
        } else {
            #expect(result.error?.message == (header.count > 1 ? header[1].trimmingCharacters(in: .whitespaces) : ""))
        }
    }
}
