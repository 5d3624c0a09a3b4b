import Foundation
import KafkaClient
import OutriggerCore
import Testing

/// The Kafka the tests use: `brokers.sh`'s (librdkafka's mock cluster, or docker-compose's
/// Kafka) on 127.0.0.1:9092, or `KAFKA_BROKERS`.
enum KafkaTestBroker {
    static var address: String { ProcessInfo.processInfo.environment["KAFKA_BROKERS"] ?? "127.0.0.1:9092" }

    /// Cancels the test (skipped) when nothing answers; records an issue in CI.
    static func require() throws {
        let parts = address.split(separator: ",")[0].split(separator: ":")
        let port = Int(parts.last ?? "9092") ?? 9092
        if TCPPortCheck.accepts(host: String(parts.first ?? "127.0.0.1"), port: port) { return }
        let reason = "nothing answers on \(address) (start it with `make brokers-up`)"
        if ProcessInfo.processInfo.environment["CI"] == "true" { Issue.record(Comment(rawValue: reason)) }
        try Test.cancel(Comment(rawValue: reason))
    }

    /// A name unique to one test run.
    static func unique(_ name: String) -> String { "\(name)-\(UUID().uuidString.prefix(8).lowercased())" }

    /// A component's metadata with the group timings the tests need (see the conformance profile).
    static func metadata(_ type: String = "pubsub.kafka", _ properties: [String: String] = [:]) -> ComponentMetadata {
        ComponentMetadata(name: "kafka-test", type: type, appID: "kafka-test", properties: [
            "brokers": address, "authType": "none", "sessionTimeout": "6s", "heartbeatInterval": "500ms", "consumerFetchMaxWait": "10ms",
        ].merging(properties) { $1 })
    }

    static func producerConfiguration() -> KafkaConfiguration {
        KafkaConfiguration([("bootstrap.servers", address), ("linger.ms", "1"), ("enable.idempotence", "true")])
    }

    /// Short group timings that a real broker accepts too (sessions of at least 6 s).
    static func consumerConfiguration(group: String) -> KafkaConfiguration {
        KafkaConfiguration([
            ("bootstrap.servers", address), ("group.id", group), ("session.timeout.ms", "6000"),
            ("heartbeat.interval.ms", "500"), ("fetch.wait.max.ms", "10"), ("allow.auto.create.topics", "true"),
        ])
    }
}
