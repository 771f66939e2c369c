import Foundation
import Testing

@Suite("tracedb compare --format html")
struct CompareHTMLCLITests {
    @Test("draws base and head side by side in one self-contained page")
    func sideBySide() throws {
        let dir = try CLI.tempDir(); defer { try? FileManager.default.removeItem(at: dir) }
        let db = dir.appendingPathComponent("t.db").path
        #expect(try CLI.run(["ingest", "--db", db, CLI.fixture("sequential"), CLI.fixture("pool")]).status == 0)
        let out = dir.appendingPathComponent("compare page.html").path
        let r = try CLI.run(["compare", "1", "2", "--db", db, "--query", "sched-latency", "--format", "html", "-o", out])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.isEmpty)
        let html = try String(contentsOfFile: out, encoding: .utf8)
        #expect(html.hasPrefix("<!DOCTYPE html>") || html.hasPrefix("<!doctype html>"))
        // Every section is a base/head pair, and nothing is loaded from the network.
        let pairs = html.components(separatedBy: "class=\"pair\"").count - 1
        #expect(pairs >= 5, "side-by-side sections: \(pairs)")
        // No network URL anywhere in the page: not as a script, stylesheet, image or font source, not
        // as a link, not even as an SVG namespace (inline SVG in HTML needs none). The page has none,
        // so the check is the strict one; a deliberate link (say, to go.dev's docs) would have to be
        // allowed here by name, as an <a href>, never as something the browser loads.
        let urls = html.ranges(of: "http://").map { $0.lowerBound } + html.ranges(of: "https://").map { $0.lowerBound }
        let found = urls.map { String(html[$0...].prefix(60)) }
        #expect(found.isEmpty, "network URLs in the page: \(found)")
        #expect(html.contains("data-chart="))
    }
}
