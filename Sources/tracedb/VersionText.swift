import GoTrace
import TraceWarehouse

/// What `tracedb --version` prints: the version, the commit baked in at build time (BuildInfoPlugin),
/// the schema version the binary writes and the trace formats it reads.
enum VersionText {
    static var text: String {
        let commit = BuildInfo.commit == "unknown" ? "unknown commit" : "commit \(BuildInfo.commit.prefix(12))\(BuildInfo.dirty ? ", dirty" : "")"
        let current = TraceFormats.current.map { "go 1.\($0)" }.joined(separator: ", ")
        let old = TraceFormats.old.map { "go 1.\($0)" }.joined(separator: ", ")
        return """
        tracedb \(TraceLoader.toolVersion) (\(commit); \(BuildInfo.describe))
        schema version \(Warehouse.schemaVersion)
        reads Go execution traces: \(current) (Go 1.22 and later; Go 1.27 writes go 1.26); old format \(old) (Go 1.11–1.21)
        """
    }
}
