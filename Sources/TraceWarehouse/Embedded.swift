/// The SQL files shipped inside the binary (generated at build time from `Schema/` and `Queries/`).
public enum BundledSQL {
    /// `(path, text)` for every embedded file, e.g. `("Schema/001_core.sql", "...")`, sorted by path.
    public static var files: [(path: String, text: String)] { EmbeddedSQL.files }
}
