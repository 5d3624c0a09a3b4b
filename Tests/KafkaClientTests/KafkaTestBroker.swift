import Foundation
import KafkaClient
import Testing

/// The Kafka the tests use: `brokers.sh`'s (librdkafka's mock cluster, or docker-compose's
/// Kafka) on 127.0.0.1:9092, or `KAFKA_BROKERS`.
enum KafkaTestBroker {
    static var address: String { ProcessInfo.processInfo.environment["KAFKA_BROKERS"] ?? "127.0.0.1:9092" }

    /// Cancels the test (skipped) when nothing answers; records an issue in CI.
    static func require() throws {
        let parts = address.split(separator: ",")[0].split(separator: ":")
        let port = Int(parts.last ?? "9092") ?? 9092
        if Self.accepts(host: String(parts.first ?? "127.0.0.1"), port: port) { return }
        let reason = "nothing answers on \(address) (start it with `make brokers-up`)"
        if ProcessInfo.processInfo.environment["CI"] == "true" { Issue.record(Comment(rawValue: reason)) }
        try Test.cancel(Comment(rawValue: reason))
    }

    /// A name unique to one test run.
    static func unique(_ name: String) -> String { "\(name)-\(UUID().uuidString.prefix(8).lowercased())" }

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

    private static func accepts(host: String, port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr(host)
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
    }
}
