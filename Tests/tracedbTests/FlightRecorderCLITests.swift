import Foundation
import Testing

/// The flight-recorder fixture (Fixtures/programs/flightrec, Go 1.25+): a snapshot that starts
/// mid-flight is treated like any other trace by dump, ingest, query and report. (The generic
/// fixture suites — FixtureTests, AnalysisGoldenTests, EventsRebuildTests — pick it up by folder;
/// this suite checks that it is there and what makes it special.)
@Suite("flight-recorder traces (Go 1.25+)")
struct FlightRecorderCLITests {
    static let versions = ["go1.25", "go1.26", "go1.27"]

    static func golden(_ version: String) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["gzip", "-dc", CLI.repo.appendingPathComponent("Fixtures/golden/\(version)/flightrec.parsed.txt.gz").path]
        let out = Pipe(); p.standardOutput = out
        try p.run()
        let d = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        try #require(p.terminationStatus == 0, "gzip -dc of the golden")
        return String(decoding: d, as: UTF8.self)
    }

    @Test("dump equals go tool trace -d=parsed; the snapshot has no goroutine creation", arguments: versions)
    func dump(_ version: String) throws {
        let trace = CLI.fixture("flightrec", version: version)
        try #require(FileManager.default.fileExists(atPath: trace), "the flightrec fixture of \(version) is committed")
        let r = try CLI.run(["dump", trace])
        #expect(r.status == 0, "\(r.stderr)")
        let want = try Self.golden(version)
        #expect(r.stdout == want)
        // Mid-flight: every goroutine first appears in a status event, none is created in the window.
        #expect(!want.contains("NotExist->Runnable"))
        #expect(want.components(separatedBy: "Undetermined->").count > 10)
        #expect(want.contains("RangeBegin") || want.contains("RegionBegin") || want.contains("\"incident\""))
    }

    @Test("ingest, the scorecard queries and the report work on a snapshot", arguments: versions)
    func warehouse(_ version: String) throws {
        let trace = CLI.fixture("flightrec", version: version)
        try #require(FileManager.default.fileExists(atPath: trace))
        let dir = try CLI.tempDir(); defer { try? FileManager.default.removeItem(at: dir) }
        let db = dir.appendingPathComponent("t.db").path
        let i = try CLI.run(["ingest", "--db", db, trace])
        #expect(i.status == 0, "\(i.stderr)")
        #expect(i.stderr.isEmpty, "a complete snapshot, no warning: \(i.stderr)")
        #expect(try CLI.sqlite(db, "SELECT complete FROM traces") == "1")
        // The workers exist from the snapshot's start (no creation event), and ran.
        #expect(try Int(CLI.sqlite(db, "SELECT count(*) FROM goroutines"))! >= 5)
        let regions = try CLI.run(["sql", "--db", db, "--format", "csv", "SELECT count(*) FROM regions WHERE name = 'incident'"])
        #expect(regions.status == 0, "\(regions.stderr)")
        #expect(regions.stdout.hasSuffix("\n1\n"), "\(regions.stdout)")
        for q in ["trace-summary", "sched-latency", "blocking-by-reason", "goroutine-peak"] {
            let r = try CLI.run(["query", "--db", db, q, "--format", "csv"])
            #expect(r.status == 0, "\(q): \(r.stderr)")
            #expect(r.stdout.split(separator: "\n").count >= 2, "\(q): \(r.stdout)")
        }
        let html = dir.appendingPathComponent("r.html").path
        let rep = try CLI.run(["report", "--db", db, "-o", html])
        #expect(rep.status == 0, "\(rep.stderr)")
        #expect(((try? String(contentsOfFile: html, encoding: .utf8)) ?? "").contains("<svg"))
    }
}
