import Foundation

/// How `tracedb record` runs a command so that it writes an execution trace: for `go test`, the
/// command with `-trace=FILE` added (an existing `-trace` flag is respected and its file read).
public struct GoTestPlan: Sendable, Equatable {
    /// The command to run, `-trace=…` added where needed.
    public var arguments: [String]
    /// The trace file the command writes (relative paths are relative to the working directory).
    public var traceFile: String
    /// True if the user's command named the trace file itself (it is then kept after ingest).
    public var userTraceFile: Bool
    /// The package patterns of the `go test` command (empty: the current directory's package).
    public var packages: [String]

    /// Why a command cannot be recorded.
    public struct PlanError: Error, CustomStringConvertible, Sendable, Equatable {
        public var message: String
        public var description: String { message }
    }

    /// `go test` flags that take a value in the next argument when written without `=` (the test
    /// flags of `go help testflag` and the build flags of `go help build`). Any other flag is taken
    /// as a boolean.
    static let valueFlags: Set<String> = [
        "bench", "benchtime", "blockprofile", "blockprofilerate", "count", "coverprofile", "cpu", "cpuprofile",
        "fuzz", "fuzzcachedir", "fuzzminimizetime", "fuzztime", "list", "memprofile", "memprofilerate",
        "mutexprofile", "mutexprofilefraction", "outputdir", "parallel", "run", "shuffle", "skip", "timeout",
        "trace", "o", "exec", "covermode", "coverpkg", "C", "p", "asmflags", "buildmode", "compiler",
        "gccgoflags", "gcflags", "installsuffix", "ldflags", "mod", "modfile", "overlay", "pgo", "pkgdir", "tags",
        "toolexec", "vet",
    ]

    /// Plans `arguments` (the command after `--`). `defaultTraceFile`: where the trace goes when the
    /// command does not say. Only `go test` is traced automatically; for another command,
    /// `traceFile` names the file it writes (e.g. a program calling runtime/trace.Start).
    public static func plan(_ arguments: [String], defaultTraceFile: String, traceFile given: String? = nil) throws(PlanError) -> GoTestPlan {
        guard let first = arguments.first else {
            throw PlanError(message: "no command to record: write it after --, e.g. tracedb record -- go test -run TestX ./pkg")
        }
        let isGo = (first as NSString).lastPathComponent == "go"
        guard isGo, arguments.count >= 2, arguments[1] == "test" else {
            if let given { return GoTestPlan(arguments: arguments, traceFile: given, userTraceFile: true, packages: []) }
            throw PlanError(message: "tracedb record adds -trace to a `go test` command; for another command (\(first)), give the trace file it writes with --trace-file FILE")
        }
        var packages: [String] = []
        var traceFile: String?
        var outputDir: String?
        var i = 2
        while i < arguments.count {
            let a = arguments[i]
            if a == "-args" || a == "--args" { break }
            if a.hasPrefix("-") && a != "-" {
                var name = String(a.drop { $0 == "-" })
                var value: String?
                if let eq = name.firstIndex(of: "=") {
                    value = String(name[name.index(after: eq)...])
                    name = String(name[..<eq])
                }
                if name.hasPrefix("test.") { name = String(name.dropFirst(5)) }
                if value == nil && valueFlags.contains(name) {
                    i += 1
                    value = i < arguments.count ? arguments[i] : nil
                }
                if name == "trace" {
                    guard let value, !value.isEmpty else {
                        throw PlanError(message: "-trace in the go test command needs a file name")
                    }
                    traceFile = value
                }
                if name == "outputdir" { outputDir = value }
            } else {
                packages.append(a)
            }
            i += 1
        }
        if packages.count > 1 || packages.contains(where: { $0.contains("...") }) {
            throw PlanError(message: "go test over several packages (\(packages.joined(separator: " "))) cannot write one trace (go test: cannot use -trace flag with multiple packages): record one package at a time, e.g. tracedb record -- go test -run TestX ./pkg")
        }
        if let given, traceFile == nil {
            throw PlanError(message: "--trace-file is for commands other than go test; for go test, add -trace=FILE to the command or let tracedb add it")
        }
        if var traceFile {
            // go test writes profiles named by a relative path into -outputdir when given.
            if let outputDir, !traceFile.hasPrefix("/") { traceFile = (outputDir as NSString).appendingPathComponent(traceFile) }
            return GoTestPlan(arguments: arguments, traceFile: traceFile, userTraceFile: true, packages: packages)
        }
        var args = arguments
        args.insert("-trace=\(defaultTraceFile)", at: 2)
        return GoTestPlan(arguments: args, traceFile: defaultTraceFile, userTraceFile: false, packages: packages)
    }

    /// The command as one line for the `command` label, quoted like a shell would need it.
    public static func commandLine(_ arguments: [String]) -> String {
        arguments.map { a in
            if !a.isEmpty && a.allSatisfy({ $0.isLetter || $0.isNumber || "-_./=:,+@%^".contains($0) }) { return a }
            return "'" + a.replacingOccurrences(of: "'", with: #"'\''"#) + "'"
        }.joined(separator: " ")
    }
}
