import Foundation
import OutriggerCore
import RedisClient
import RedisComponents
import Testing
import OutriggerTesting

/// The redis-server that `conformance/brokers.sh up redis` starts on 127.0.0.1:6379, and
/// helpers for the component tests.
enum TestRedis {
    static let address = "127.0.0.1:6379"

    /// Returns when Redis answers on 127.0.0.1:6379; else the test is skipped (see ``skip(_:)``).
    static func require(_ test: String = #function) async throws {
        if let connection = try? await RedisConnection.connect(RedisConfiguration(host: "127.0.0.1", port: 6379, dialTimeout: .seconds(2))) {
            await connection.close()
            return
        }
        try skip("RedisComponentsTests.\(test): nothing answers on \(address) (start it with `conformance/brokers.sh up redis`)")
    }

    /// Prints SKIPPED with the reason and ends the test as skipped (`Test.cancel`); with
    /// `CI=true` it fails instead (CI must never pass on tests that did not run).
    static func skip(_ reason: String) throws -> Never {
        print("SKIPPED \(reason)")
        if ProcessInfo.processInfo.environment["CI"] == "true" {
            Issue.record("SKIPPED \(reason); in CI every test must run")
            throw DeadlinePassed(description: reason)
        }
        try Test.cancel(Comment(rawValue: reason))
    }

    static func metadata(_ properties: [String: String], type: String = "pubsub.redis", host: String = address) -> ComponentMetadata {
        ComponentMetadata(name: "redis-test", type: type, appID: "redis-tests", properties: ["redisHost": host].merging(properties) { $1 })
    }

    /// A started `pubsub.redis`; `properties` add to or replace `redisHost`.
    static func pubsub(_ properties: [String: String] = [:], host: String = address) async throws -> RedisPubSub {
        try await RedisPubSub.start(metadata: metadata(properties, host: host))
    }

    /// A client for looking at what the component did.
    static func inspector(host: String = "127.0.0.1", port: Int = 6379) async throws -> RedisClient {
        try await RedisClient.connect(RedisConfiguration(host: host, port: port), poolSize: 1)
    }

    /// A topic (stream key) no other test or earlier run uses.
    static func uniqueTopic(_ stem: String) -> String {
        "outrigger-test-\(stem)-\(UUID().uuidString.prefix(8).lowercased())"
    }
}

/// Checks `condition` every 20 ms until it holds, for at most `limit`: for conditions only
/// the server can report (pending counts, stream lengths).
func eventually(_ limit: Duration, _ what: String, _ condition: @escaping @Sendable () async throws -> Bool) async throws {
    try await withDeadline(limit, what) {
        while try await !condition() { try await Task.sleep(for: .milliseconds(20)) }
    }
}

struct DeadlinePassed: Error, CustomStringConvertible {
    var description: String
}

extension Array where Element == UInt8 {
    init(_ text: String) { self = Array(text.utf8) }
}

extension RedisPubSub {
    func publish(_ text: String, to topic: String, metadata: [String: String] = [:]) async throws {
        try await publish(OutgoingMessage(topic: topic, data: Array(text.utf8), contentType: "text/plain", metadata: metadata))
    }
}
