import AMQPClient
import Foundation
import OutriggerTesting
import Testing

/// Against the RabbitMQ of `conformance/brokers.sh` (127.0.0.1:5672, guest/guest); skipped
/// when nothing answers there, a failure with `CI=true`.
@Suite("AMQPConnection against RabbitMQ")
struct AMQPConnectionTests {
    static let configuration = AMQPConfiguration(host: "127.0.0.1", port: 5672, connectionName: "outrigger-amqp-tests")

    static func connect() async throws -> AMQPConnection {
        do {
            return try await AMQPConnection.open(configuration)
        } catch let error as AMQPError where error.isConnectionProblem {
            if ProcessInfo.processInfo.environment["CI"] == "true" { throw error }
            try Test.cancel("no RabbitMQ on 127.0.0.1:5672: \(error)")
        }
    }

    static func unique(_ what: String) -> String { "outrigger-test-\(what)-\(UUID().uuidString.prefix(8))" }

    @Test("a confirmed publish to a queue is consumed with its body and properties")
    func publishAndConsume() async throws {
        let connection = try await Self.connect()
        defer { Task { await connection.close() } }
        let channel = try await connection.openChannel()
        let queue = Self.unique("roundtrip")
        try await channel.declareQueue(queue, durable: false, exclusive: false, autoDelete: true)
        try await channel.enableConfirms()
        let properties = AMQPMessageProperties(contentType: "text/plain", deliveryMode: 2, priority: 3, messageID: "m-1", correlationID: "c-1", headers: ["h": .string("v")])
        try await channel.publish(exchange: "", routingKey: queue, body: Array("hello".utf8), properties: properties, mandatory: true)
        let consumerChannel = try await connection.openChannel()
        try await consumerChannel.setPrefetch(10)
        let consumer = try await consumerChannel.consume(queue: queue)
        let deliveries = try await withDeadline(.seconds(60), "the delivery") { try await consumer.next(max: 10) }
        #expect(deliveries.count == 1)
        let delivery = try #require(deliveries.first)
        #expect(delivery.body == Array("hello".utf8))
        #expect(delivery.properties.messageID == "m-1")
        #expect(delivery.properties.correlationID == "c-1")
        #expect(delivery.properties.priority == 3)
        #expect(delivery.properties.headers["h"] == .string("v"))
        try await consumerChannel.ack(delivery.deliveryTag)
        try await consumerChannel.deleteQueue(queue)
    }

    @Test("a mandatory publish nobody can receive fails as unroutable")
    func unroutable() async throws {
        let connection = try await Self.connect()
        defer { Task { await connection.close() } }
        let channel = try await connection.openChannel()
        try await channel.enableConfirms()
        await #expect(throws: AMQPError.self) {
            try await channel.publish(exchange: "", routingKey: Self.unique("nobody"), body: [1], mandatory: true)
        }
        // The channel stays usable: a routable publish after it is confirmed.
        let queue = Self.unique("after-return")
        try await channel.declareQueue(queue, durable: false, exclusive: false, autoDelete: false)
        try await channel.publish(exchange: "", routingKey: queue, body: [2], mandatory: true)
        try await channel.deleteQueue(queue)
    }

    @Test("many concurrent confirmed publishes each return once their confirm arrived")
    func concurrentConfirms() async throws {
        let connection = try await Self.connect()
        defer { Task { await connection.close() } }
        let channel = try await connection.openChannel()
        let queue = Self.unique("confirms")
        try await channel.declareQueue(queue, durable: false, exclusive: false, autoDelete: false)
        try await channel.enableConfirms()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<500 {
                group.addTask { try await channel.publish(exchange: "", routingKey: queue, body: Array("\(index)".utf8), mandatory: true) }
            }
            try await group.waitForAll()
        }
        #expect(try await channel.deleteQueue(queue) == 500)
    }

    @Test("a declare the broker refuses closes only that channel")
    func refusedDeclare() async throws {
        let connection = try await Self.connect()
        defer { Task { await connection.close() } }
        let channel = try await connection.openChannel()
        let exchange = Self.unique("kind")
        try await channel.declareExchange(exchange, kind: "fanout", durable: false, autoDelete: true)
        let other = try await connection.openChannel()
        await #expect(throws: AMQPError.self) { try await other.declareExchange(exchange, kind: "topic", durable: false, autoDelete: true) }
        #expect(await other.isOpen == false)
        #expect(await channel.isOpen)
        #expect(connection.isOpen)
        try await channel.deleteExchange(exchange)
    }

    @Test("wrong credentials are refused as such")
    func accessRefused() async throws {
        _ = try await Self.connect()
        var configuration = Self.configuration
        configuration.password = "not-the-password"
        await #expect {
            _ = try await AMQPConnection.open(configuration)
        } throws: { error in
            if case .accessRefused = error as? AMQPError { return true }
            return false
        }
    }

    @Test("a consumer cancelled while waiting ends its wait")
    func cancelledWait() async throws {
        let connection = try await Self.connect()
        defer { Task { await connection.close() } }
        let channel = try await connection.openChannel()
        let queue = Self.unique("cancel")
        try await channel.declareQueue(queue, durable: false, exclusive: false, autoDelete: true)
        let consumer = try await channel.consume(queue: queue)
        let waiting = Task { try await consumer.next(max: 1) }
        try await channel.cancel(consumer)
        await #expect(throws: AMQPError.self) { try await waiting.value }
    }
}
