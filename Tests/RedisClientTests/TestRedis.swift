import Foundation
import RedisClient
import Testing

/// The redis-server that `conformance/brokers.sh up redis` starts on 127.0.0.1:6379, and
/// helpers for tests against it.
enum TestRedis {
    /// Generous timeouts: on a loaded 2-core box a reply can wait seconds for a thread. Tests of
    /// the timeouts themselves set their own.
    static let configuration = RedisConfiguration(host: "127.0.0.1", port: 6379, dialTimeout: .seconds(30), readTimeout: .seconds(60))

    /// Returns when Redis answers on 127.0.0.1:6379. When it does not, prints SKIPPED with the
    /// reason and ends the test as skipped (`Test.cancel`); with `CI=true` it fails instead (CI
    /// must never pass on tests that did not run).
    static func require(_ test: String = #function) async throws {
        if let connection = try? await RedisConnection.connect(configuration) {
            await connection.close()
            return
        }
        let reason = "SKIPPED RedisClientTests.\(test): nothing answers on 127.0.0.1:6379 (start it with `conformance/brokers.sh up redis`)"
        print(reason)
        if ProcessInfo.processInfo.environment["CI"] == "true" {
            Issue.record("\(reason); in CI Redis must run")
            throw DeadlinePassed(description: reason)
        }
        try Test.cancel(Comment(rawValue: reason))
    }

    static func client(poolSize: Int = 2, _ change: (inout RedisConfiguration) -> Void = { _ in }) async throws -> RedisClient {
        var configuration = configuration
        change(&configuration)
        return try await RedisClient.connect(configuration, poolSize: poolSize)
    }

    /// A key no other test (or earlier run) uses.
    static func uniqueKey(_ stem: String) -> String {
        "outrigger-test-\(stem)-\(UUID().uuidString.prefix(8).lowercased())"
    }
}

extension Array where Element == UInt8 {
    init(_ text: String) { self = Array(text.utf8) }
}

struct DeadlinePassed: Error, CustomStringConvertible {
    var description: String
}
