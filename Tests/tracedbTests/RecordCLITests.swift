import Foundation
import Testing

/// `tracedb record -- go test …`, with the stand-in `go` of Fixtures/loop/bin first on PATH (CI has
/// no Go), plus one real `go test` when a Go toolchain is installed.
@Suite("tracedb record (end to end)")
struct RecordCLITests {
    static let standIn = CLI.repo.appendingPathComponent("Fixtures/loop/bin").path

    struct Env {
        let dir: URL
        var db: String { dir.appendingPathComponent("t.db").path }
        var log: String { dir.appendingPathComponent("go.log").path }
        func vars(trace: String?, status: Int = 0) -> [String: String] {
            var v = ["PATH": RecordCLITests.standIn + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"),
                     "STANDIN_GO_STATUS": String(status), "STANDIN_GO_LOG": log, "STANDIN_GO_TRACE": ""]
            if let trace { v["STANDIN_GO_TRACE"] = trace }
            return v
        }
        func labels(_ id: Int = 1) throws -> String {
            try CLI.sqlite(db, "SELECT key || '=' || value FROM trace_labels WHERE trace_id = \(id) ORDER BY key")
        }
        func goLog() -> String { (try? String(contentsOfFile: log, encoding: .utf8)) ?? "" }
    }

    func withEnv(_ body: (Env) throws -> Void) throws {
        let dir = try CLI.tempDir(); defer { try? FileManager.default.removeItem(at: dir) }
        try body(Env(dir: dir))
    }

    @Test("a passing test: -trace added, output passes through, run labelled with the command, scorecard printed")
    func passing() throws {
        try withEnv { e in
            let r = try CLI.run(["record", "--db", e.db, "--no-git", "--label", "host=ci", "--", "go", "test", "-run", "TestX", "./pkg"],
                                env: e.vars(trace: CLI.fixture("tasks")), cwd: e.dir)
            #expect(r.status == 0, "\(r.stderr)")
            #expect(r.stdout.hasPrefix("ok  \t./pkg\t0.012s\n"), "\(r.stdout)")
            #expect(r.stdout.contains("trace 1: trace of `go test -run TestX ./pkg`: "), "\(r.stdout)")
            #expect(r.stdout.contains("Scorecard (trace 1)") && r.stdout.contains("wall duration") && r.stdout.contains("sched latency p99"))
            #expect(try e.labels() == "command=go test -run TestX ./pkg\nexit_status=0\nhost=ci\nstatus=pass")
            // -trace=FILE went in right after `test`, into a temporary folder that is gone afterwards.
            let line = e.goLog().trimmingCharacters(in: .newlines)
            #expect(line.hasPrefix("go test -trace=/") && line.hasSuffix("/trace.out -run TestX ./pkg"), "\(line)")
            let traceFile = String(line.split(separator: " ")[2].dropFirst("-trace=".count))
            #expect(!FileManager.default.fileExists(atPath: traceFile))
            #expect(try CLI.sqlite(e.db, "SELECT file_path FROM traces") == "record: go test -run TestX ./pkg")
        }
    }

    @Test("a failing test: its exit status and output pass through, its trace is still ingested and says so")
    func failing() throws {
        try withEnv { e in
            let r = try CLI.run(["record", "--db", e.db, "--no-git", "--", "go", "test", "./pkg"],
                                env: e.vars(trace: CLI.fixture("tasks"), status: 1), cwd: e.dir)
            #expect(r.status == 1)
            #expect(r.stdout.hasPrefix("--- FAIL: TestStandIn (0.00s)\n"), "\(r.stdout)")
            #expect(r.stderr.contains("tracedb record: the command failed (exit status 1); its trace was ingested as trace 1 (label status=fail)"), "\(r.stderr)")
            #expect(try e.labels() == "command=go test ./pkg\nexit_status=1\nstatus=fail")
        }
    }

    @Test("an existing -trace flag is respected: that file is read and kept")
    func existingTraceFlag() throws {
        try withEnv { e in
            let r = try CLI.run(["record", "--db", e.db, "--no-git", "--", "go", "test", "-trace", "my.trace", "."],
                                env: e.vars(trace: CLI.fixture("workers")), cwd: e.dir)
            #expect(r.status == 0, "\(r.stderr)")
            #expect(e.goLog() == "go test -trace my.trace .\n")
            #expect(FileManager.default.fileExists(atPath: e.dir.appendingPathComponent("my.trace").path))
            #expect(try CLI.sqlite(e.db, "SELECT file_name FROM traces") == "my.trace")
        }
    }

    @Test("several packages cannot write one trace: exit 2, said clearly, go not run, nothing written")
    func severalPackages() throws {
        try withEnv { e in
            for pkgs in [["./..."], ["./a", "./b"]] {
                let r = try CLI.run(["record", "--db", e.db, "--no-git", "--", "go", "test", "-count", "1"] + pkgs,
                                    env: e.vars(trace: CLI.fixture("tasks")), cwd: e.dir)
                #expect(r.status == 2)
                #expect(r.stderr == "tracedb record: go test over several packages (\(pkgs.joined(separator: " "))) cannot write one trace (go test: cannot use -trace flag with multiple packages): record one package at a time, e.g. tracedb record -- go test -run TestX ./pkg\n", "\(r.stderr)")
            }
            #expect(e.goLog().isEmpty)
            #expect(!FileManager.default.fileExists(atPath: e.db))
        }
    }

    @Test("no trace written, or not a go test command: exit 2 (or the command's status), nothing ingested")
    func noTrace() throws {
        try withEnv { e in
            let r = try CLI.run(["record", "--db", e.db, "--no-git", "--", "go", "test", "./pkg"], env: e.vars(trace: nil), cwd: e.dir)
            #expect(r.status == 2)
            #expect(r.stderr.contains("tracedb record: `go test ./pkg` exited 0 and wrote no trace ("), "\(r.stderr)")
            let failed = try CLI.run(["record", "--db", e.db, "--no-git", "--", "go", "test", "./pkg"], env: e.vars(trace: nil, status: 2), cwd: e.dir)
            #expect(failed.status == 2)
            #expect(failed.stderr.contains("exited 2 and wrote no trace"))
            // Nothing ingested: the database, which did not exist, is not made (the new-database path
            // writes it only when a trace has loaded).
            #expect(!FileManager.default.fileExists(atPath: e.db), "a database was made with nothing in it")
            let other = try CLI.run(["record", "--db", e.db, "--", "make", "bench"], env: e.vars(trace: nil), cwd: e.dir)
            #expect(other.status == 2)
            #expect(other.stderr.contains("for another command (make), give the trace file it writes with --trace-file FILE"), "\(other.stderr)")
            let none = try CLI.run(["record", "--db", e.db], env: e.vars(trace: nil), cwd: e.dir)
            #expect(none.status == 2)
            #expect(none.stderr.contains("no command to record"))
        }
    }

    @Test("--compare: the delta against the latest earlier run of the same command")
    func compare() throws {
        try withEnv { e in
            let cmd = ["--", "go", "test", "-run", "TestWork", "./work"]
            let first = try CLI.run(["record", "--db", e.db, "--no-git", "--compare"] + cmd, env: e.vars(trace: CLI.fixture("sequential")), cwd: e.dir)
            #expect(first.status == 0, "\(first.stderr)")
            #expect(first.stdout.contains("No earlier run of `go test -run TestWork ./work`"), "\(first.stdout)")
            // Another command in between is not compared with.
            _ = try CLI.run(["record", "--db", e.db, "--no-git", "--", "go", "test", "./other"], env: e.vars(trace: CLI.fixture("tasks")), cwd: e.dir)
            let second = try CLI.run(["record", "--db", e.db, "--no-git", "--compare"] + cmd, env: e.vars(trace: CLI.fixture("pool")), cwd: e.dir)
            #expect(second.status == 0, "\(second.stderr)")
            #expect(second.stdout.contains("Compared with trace 1, the latest earlier run of the same command:"), "\(second.stdout)")
            #expect(second.stdout.contains("base: trace 1") && second.stdout.contains("head: trace 3"))
            // The same numbers as tracedb compare.
            let direct = try CLI.run(["compare", "--db", e.db, "1", "3"])
            // (A cut section names the compare command that shows all, where compare names its --top flag.)
            let same = direct.stdout.replacingOccurrences(of: "(--top 0 for all)", with: "(tracedb compare 1 3 --top 0 for all)")
            #expect(second.stdout.hasSuffix(same), "record --compare vs compare:\n\(second.stdout)\n---\n\(direct.stdout)")
        }
    }

    @Test("--git is the default inside a git work tree (commit, branch, dirty), off outside one")
    func gitLabels() throws {
        try withEnv { e in
            let repo = e.dir.appendingPathComponent("repo")
            try FileManager.default.createDirectory(at: repo, withIntermediateDirectories: true)
            let sh = Process()
            sh.executableURL = URL(fileURLWithPath: "/bin/sh")
            sh.arguments = ["-c", "git init -q -b main && git -c user.email=t@t -c user.name=t commit -q --allow-empty -m x && git rev-parse HEAD"]
            sh.currentDirectoryURL = repo
            let out = Pipe(); sh.standardOutput = out
            try sh.run(); let head = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            sh.waitUntilExit()
            try #require(sh.terminationStatus == 0, "git is needed to make a work tree")
            let r = try CLI.run(["record", "--db", e.db, "--", "go", "test", "."], env: e.vars(trace: CLI.fixture("tasks")), cwd: repo)
            #expect(r.status == 0, "\(r.stderr)")
            #expect(try e.labels() == "branch=main\ncommand=go test .\ncommit=\(head)\ndirty=false\nexit_status=0\nstatus=pass")
            let outside = try CLI.run(["record", "--db", e.db, "--", "go", "test", "."], env: e.vars(trace: CLI.fixture("workers")), cwd: e.dir)
            #expect(outside.status == 0, "\(outside.stderr)")
            #expect(try e.labels(2) == "command=go test .\nexit_status=0\nstatus=pass")
        }
    }

    /// A Go toolchain for the real `go test`: $TRACEDB_TEST_GO, else get-go.sh's default install.
    static var realGo: String? {
        let candidates = [ProcessInfo.processInfo.environment["TRACEDB_TEST_GO"], "/tmp/go-1.27.3/bin/go"].compactMap { $0 }
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    @Test("a real go test, where a Go toolchain is installed (CI has none: skipped there)",
          .enabled(if: realGo != nil, "no Go toolchain ($TRACEDB_TEST_GO or /tmp/go-1.27.3/bin/go from get-go.sh)"))
    func realGoTest() throws {
        try withEnv { e in
            let go = Self.realGo!
            let pkg = e.dir.appendingPathComponent("mod")
            try FileManager.default.createDirectory(at: pkg, withIntermediateDirectories: true)
            try "module example.com/loop\n\ngo 1.21\n".write(to: pkg.appendingPathComponent("go.mod"), atomically: true, encoding: .utf8)
            try """
            package loop

            import (
            \t"sync"
            \t"testing"
            )

            func TestWork(t *testing.T) {
            \tvar wg sync.WaitGroup
            \tch := make(chan int)
            \tfor i := 0; i < 4; i++ {
            \t\twg.Add(1)
            \t\tgo func() { defer wg.Done(); for v := range ch { _ = v * v } }()
            \t}
            \tfor i := 0; i < 1000; i++ { ch <- i }
            \tclose(ch)
            \twg.Wait()
            }
            """.write(to: pkg.appendingPathComponent("loop_test.go"), atomically: true, encoding: .utf8)
            let goDir = URL(fileURLWithPath: go).deletingLastPathComponent().path
            let env = ["PATH": goDir + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"),
                       "GOFLAGS": "-mod=mod", "GOTOOLCHAIN": "local", "GOPROXY": "off"]
            let r = try CLI.run(["record", "--db", e.db, "--no-git", "--", "go", "test", "-run", "TestWork", "-count", "1", "."], env: env, cwd: pkg)
            #expect(r.status == 0, "\(r.stdout)\n\(r.stderr)")
            #expect(r.stdout.contains("ok  \texample.com/loop"), "\(r.stdout)")
            #expect(r.stdout.contains("Scorecard (trace 1)"))
            #expect(try Int(CLI.sqlite(e.db, "SELECT count(*) FROM goroutines WHERE trace_id = 1"))! >= 5)
            #expect(try e.labels() == "command=go test -run TestWork -count 1 .\nexit_status=0\nstatus=pass")
        }
    }
}
