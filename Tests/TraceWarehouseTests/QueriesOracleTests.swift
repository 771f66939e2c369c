import Foundation
import Testing
@testable import TraceWarehouse

/// The saved queries that read the tables derived at ingest (`lengths`, …) give exactly the rows of
/// their pure-SQL definitions over `goroutine_states` / `goroutine_intervals` (`Oracle/NAME.sql`, the
/// queries as they were before the derived tables), on every fixture and with non-default parameters.
@Suite("Saved queries on derived tables equal their pure-SQL oracles")
struct QueriesOracleTests {
    static let traces = GoldenTrace.all
    static let folder = Paths.repo.appendingPathComponent("Tests/TraceWarehouseTests/Oracle")

    /// Every oracle, parsed with the saved-query parser.
    static let oracles: [SavedQuery] = {
        let files = ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).filter { $0.hasSuffix(".sql") }.sorted()
        return files.compactMap { f in
            let path = folder.appendingPathComponent(f).path
            return (try? String(contentsOfFile: path, encoding: .utf8)).flatMap { try? SavedQuery.parse($0, sourcePath: path) }
        }
    }()

    /// Parameter sets tried besides the defaults (a parameter a query does not declare is left out).
    /// The bucket lengths: 10 ms is a multiple of every fixture's timeline_buckets width (the queries over
    /// time add those up), 777,777 ns is not (they cut the intervals themselves, as the oracles do).
    static let variants: [[String: SQLValue]] = [[:], ["short_ns": .int(50_000), "top": .int(3), "bucket_ns": .int(10_000_000),
                                                  "function": .text("runtime.gcBgMarkWorker")],
                                                 ["short_ns": .int(0), "top": .int(1), "bucket_ns": .int(777_777)]]

    @Test("the oracle folder holds every rewritten query and each names a saved query")
    func oraclesPresent() throws {
        #expect(Self.oracles.count >= 7, "oracles parsed: \(Self.oracles.map(\.name))")
        for o in Self.oracles { #expect(QueryCheck.library.query(named: o.name) != nil, "\(o.name): no saved query of that name") }
    }

    @Test("saved query == its oracle", arguments: traces)
    func sameRows(_ t: GoldenTrace) throws {
        let c = try #require(try QueryCheck(t))
        for oracle in Self.oracles {
            let saved = try #require(QueryCheck.library.query(named: oracle.name))
            let declared = Set(saved.params.map(\.name))
            for v in Self.variants {
                var p = v.filter { declared.contains($0.key) }
                p["trace_id"] = .int(c.id)
                let want = try QueryRunner.run(oracle, db: c.db, params: p)
                let got = try QueryRunner.run(saved, db: c.db, params: p)
                #expect(got.columns == want.columns, "\(t) \(oracle.name) \(p): columns")
                #expect(got.rows.map { $0.map(QueryCheck.cell) } == want.rows.map { $0.map(QueryCheck.cell) },
                        "\(t) \(oracle.name) \(p): rows differ")
            }
        }
    }
}
