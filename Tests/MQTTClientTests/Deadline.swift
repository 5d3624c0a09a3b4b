import Foundation

/// The broker the client tests use: brokers.sh's mosquitto (anonymous), or `MQTT_TEST_PORT`.
enum TestBroker {
    static let host = "127.0.0.1"
    static let port = Int(ProcessInfo.processInfo.environment["MQTT_TEST_PORT"] ?? "") ?? 1883

    /// A fresh name, so tests on the shared broker never see each other's messages or sessions.
    static func unique(_ name: String) -> String { "outrigger-test-\(name)-\(UUID().uuidString.prefix(8).lowercased())" }
}

struct DeadlineExceeded: Error, CustomStringConvertible {
    var what: String
    var description: String { "timed out waiting for \(what)" }
}

/// Runs `body`, failing if it has not finished within `limit`: tests wait for events with a
/// generous deadline instead of sleeping.
func within<T: Sendable>(_ what: String, limit: Duration = .seconds(60), _ body: @escaping @Sendable () async throws -> T) async throws -> T {
    try await withThrowingTaskGroup(of: T?.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await Task.sleep(for: limit)
            return nil
        }
        defer { group.cancelAll() }
        guard let first = try await group.next(), let value = first else { throw DeadlineExceeded(what: what) }
        return value
    }
}
