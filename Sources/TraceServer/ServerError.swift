import Foundation

/// A request the server cannot answer: the status it gets and a message for the user. Handlers throw
/// it; ``TraceServer`` turns it (and every other error) into a 4xx/5xx answer, never a crash.
public struct ServeError: Error, CustomStringConvertible, Sendable, Equatable {
    public enum Kind: Int, Sendable { case badRequest = 400, notFound = 404, tooLarge = 413 }
    public var kind: Kind
    public var message: String
    public init(_ kind: Kind, _ message: String) { self.kind = kind; self.message = message }
    public var description: String { message }

    static func bad(_ m: String) -> ServeError { ServeError(.badRequest, m) }
    static func notFound(_ m: String) -> ServeError { ServeError(.notFound, m) }
}

/// Reading request values: every malformed number is a 400 that names the parameter.
enum Param {
    static func int(_ raw: Substring?, _ name: String) throws -> Int64? {
        guard let raw, !raw.isEmpty else { return nil }
        guard let v = Int64(raw) else { throw ServeError.bad("\(name) must be an integer, got '\(raw.prefix(40))'") }
        return v
    }
    static func requiredInt(_ raw: Substring?, _ name: String) throws -> Int64 {
        guard let v = try int(raw, name) else { throw ServeError.bad("missing \(name)") }
        return v
    }
}
