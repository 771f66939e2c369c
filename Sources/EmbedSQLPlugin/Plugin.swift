import Foundation
import PackagePlugin

/// Runs `EmbedSQL` over the package's `Schema/*.sql` and `Queries/*.sql` so that the SQL ships inside
/// the binary (the installed tool works from any directory) while the files stay readable on their own.
@main
struct EmbedSQLPlugin: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let root = context.package.directoryURL
        var inputs: [URL] = []
        for dir in ["Schema", "Queries"] {
            let url = root.appendingPathComponent(dir)
            let names = (try? FileManager.default.contentsOfDirectory(atPath: url.path)) ?? []
            for name in names.sorted() where name.hasSuffix(".sql") || name == "README.md" {
                inputs.append(url.appendingPathComponent(name))
            }
        }
        let output = context.pluginWorkDirectoryURL.appendingPathComponent("EmbeddedSQL.swift")
        return [
            .buildCommand(
                displayName: "Embedding Schema/ and Queries/ SQL",
                executable: try context.tool(named: "EmbedSQL").url,
                arguments: [output.path, root.path] + inputs.map(\.path),
                inputFiles: inputs,
                outputFiles: [output]
            )
        ]
    }
}
