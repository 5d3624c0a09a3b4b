import AMQPClient
import Foundation
import OutriggerCore
import RabbitMQComponents
import Synchronization
import Testing

/// The RabbitMQ of `conformance/brokers.sh` (127.0.0.1:5672, guest/guest): tests using it are
/// skipped when nothing answers there, and fail with `CI=true`.
enum SharedBroker {
    static let connectionString = "amqp://guest:guest@127.0.0.1:5672/"

    static func requireBroker() throws {
        guard !TCPPortCheck.accepts(host: "127.0.0.1", port: 5672) else { return }
        if ProcessInfo.processInfo.environment["CI"] == "true" { Issue.record("no RabbitMQ on 127.0.0.1:5672") }
        try Test.cancel("no RabbitMQ on 127.0.0.1:5672 (make brokers-up)")
    }

    /// A name no other test or run uses.
    static func unique(_ what: String) -> String { "outrigger-test-\(what)-\(UUID().uuidString.prefix(8).lowercased())" }

    /// A `pubsub.rabbitmq` on the shared broker; its queues go away with their consumers.
    static func pubsub(_ properties: [String: String] = [:]) async throws -> RabbitMQPubSub {
        try requireBroker()
        let metadata = ComponentMetadata(name: "test", type: "pubsub.rabbitmq", properties: ["connectionString": connectionString].merging(properties) { $1 })
        return try await RabbitMQPubSub.start(metadata: metadata)
    }

    /// A plain AMQP client, as another application (or daprd) would use the broker.
    static func client() async throws -> (AMQPConnection, AMQPChannel) {
        try requireBroker()
        let connection = try await AMQPConnection.open(AMQPConfiguration(host: "127.0.0.1", port: 5672))
        return (connection, try await connection.openChannel())
    }
}

/// Messages a handler received, awaited with a deadline.
final class Received: Sendable {
    private let messages = Mutex<[IncomingMessage]>([])

    func append(_ message: IncomingMessage) { messages.withLock { $0.append(message) } }

    var all: [IncomingMessage] { messages.withLock { $0 } }

    /// Waits until `count` messages arrived; they, in arrival order.
    func wait(for count: Int, within limit: Duration = .seconds(60)) async throws -> [IncomingMessage] {
        let clock = ContinuousClock()
        let deadline = clock.now + limit
        while clock.now < deadline {
            let current = all
            if current.count >= count { return current }
            try await Task.sleep(for: .milliseconds(10))
        }
        throw ReceivedTimeout(expected: count, got: all.count)
    }
}

struct ReceivedTimeout: Error, CustomStringConvertible {
    var expected: Int
    var got: Int
    var description: String { "expected \(expected) messages, got \(got)" }
}
