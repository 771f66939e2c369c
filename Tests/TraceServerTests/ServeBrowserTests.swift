import Foundation
import Testing
import TestSupport
import TraceServer
import TraceWarehouse

/// The first of `chromium` / `chromium-browser` on PATH, if any.
let chromiumPath: String? = {
    let dirs = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map(String.init)
    for name in ["chromium", "chromium-browser"] {
        for d in dirs where FileManager.default.isExecutableFile(atPath: d + "/" + name) { return d + "/" + name }
    }
    return nil
}()

/// A real server on a free port of 127.0.0.1, driven by headless Chromium: the pages load their
/// embedded assets and their scripts run (sortable tables marked ready, the timeline drawn from the
/// JSON API). Screenshots of the run page and the timeline are taken (into Fixtures/screenshots/ with
/// TRACEDB_UPDATE_SCREENSHOTS=1).
/// Skipped, with this reason, when no Chromium is on PATH (`.ci/setup` installs Debian's `chromium`).
@Suite("ServeBrowserTests", .serialized,
       .enabled(if: chromiumPath != nil, "needs chromium or chromium-browser on PATH (apt-get install chromium; .ci/setup does it)"))
struct ServeBrowserTests {
    final class URLBox: @unchecked Sendable {
        private let lock = NSLock()
        private var value: String?
        func set(_ v: String) { lock.lock(); value = v; lock.unlock() }
        func get() -> String? { lock.lock(); defer { lock.unlock() }; return value }
    }

    func chromium(_ args: [String]) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: chromiumPath!)
        p.arguments = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--hide-scrollbars",
                       "--virtual-time-budget=8000", "--window-size=1400,1100"] + args
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }

    @Test func pagesRenderInAHeadlessBrowser() async throws {
        let f = ServeFixture.shared
        let box = URLBox()
        let server = f.server
        let task = Task { try await server.run(host: "127.0.0.1", port: 0) { box.set($0) } }
        defer { task.cancel() }
        var waited = 0
        while box.get() == nil && waited < 200 { try await Task.sleep(nanoseconds: 50_000_000); waited += 1 }
        let base = try #require(box.get(), "the server did not start")
        #expect(base.hasPrefix("http://127.0.0.1:"))
        let run = f.ids[1]

        let runs = try chromium(["--dump-dom", base])
        #expect(runs.contains("data-sortable=\"ready\""), "the table script ran on /")
        let q = try chromium(["--dump-dom", base + "queries/goroutine-analysis?trace=\(run)"])
        #expect(q.contains("data-sortable=\"ready\""))
        let tl = try chromium(["--dump-dom", base + "runs/\(run)/timeline"])
        #expect(tl.range(of: #"data-drawn="[1-9]"#, options: .regularExpression) != nil, "the timeline drew intervals from the API")
        #expect(tl.contains("detail ·"), "the status line names the window's mode")
        let g = try chromium(["--dump-dom", base + "runs/\(run)/goroutines/1"])
        #expect(g.contains("id=\"states\"") || g.contains("no goroutine"))

        // Into Fixtures/screenshots/ (the README shows them) with TRACEDB_UPDATE_SCREENSHOTS=1, else a temporary folder.
        let update = ProcessInfo.processInfo.environment["TRACEDB_UPDATE_SCREENSHOTS"] == "1"
        let shots = update ? RepoPaths.fixtures.appendingPathComponent("screenshots")
            : f.dir.appendingPathComponent("screenshots")
        try FileManager.default.createDirectory(at: shots, withIntermediateDirectories: true)
        for (name, path) in [("serve-run.png", "runs/\(run)"), ("serve-timeline.png", "runs/\(run)/timeline")] {
            let file = shots.appendingPathComponent(name).path
            _ = try chromium(["--screenshot=\(file)", base + path])
            let size = (try? FileManager.default.attributesOfItem(atPath: file)[.size] as? Int) ?? 0
            #expect(size > 10_000, "\(name): \(size) bytes")
        }
    }
}
