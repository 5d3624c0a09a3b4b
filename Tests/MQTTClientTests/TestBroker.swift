import Foundation

/// The broker the client tests use: brokers.sh's mosquitto (anonymous), or `MQTT_TEST_PORT`.
enum TestBroker {
    static let host = "127.0.0.1"
    static let port = Int(ProcessInfo.processInfo.environment["MQTT_TEST_PORT"] ?? "") ?? 1883

    /// A fresh name, so tests on the shared broker never see each other's messages or sessions.
    static func unique(_ name: String) -> String { "outrigger-test-\(name)-\(UUID().uuidString.prefix(8).lowercased())" }
}
