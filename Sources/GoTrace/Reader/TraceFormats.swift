/// The trace format versions this parser reads, for `tracedb --version`.
public enum TraceFormats {
    /// Minor versions of the `go 1.NN trace` headers read by the current (generation) parser.
    public static var current: [Int] { TraceVersion.supported.sorted() }
    /// Minor versions of the old (v1, Go 1.11–1.21) headers.
    public static var old: [Int] { v1TraceVersions.sorted() }
}
