import AMQPClient
import OutriggerCore
import Testing

@testable import RabbitMQComponents

@Suite("pubsub.rabbitmq declarations")
struct SubscriptionOptionsTests {
    static func settings(_ properties: [String: String] = [:]) throws -> RabbitMQPubSubSettings {
        try RabbitMQPubSubSettings(ComponentMetadata(name: "rabbit", type: "pubsub.rabbitmq", properties: properties))
    }

    @Test("the queue is <consumerID>-<topic>, classic, bound once with the empty key")
    func defaults() throws {
        let options = try SubscriptionOptions(topic: "orders", metadata: [:], consumer: "app", settings: Self.settings())
        #expect(options.queue == "app-orders")
        #expect(options.queueArguments.map(\.key) == ["x-queue-type"])
        #expect(options.queueArguments.first?.value == .string("classic"))
        #expect(options.routingKeys == [""])
        #expect(options.deadLetter == nil)
    }

    @Test("subscription metadata: queueName, quorum, routing keys, single active consumer, priority, limits")
    func subscriptionMetadata() throws {
        let options = try SubscriptionOptions(
            topic: "orders",
            metadata: ["queueName": "mine", "queueType": "quorum", "routingKey": "a.*,b.#", "singleActiveConsumer": "true", "maxPriority": "10", "maxLen": "5"],
            consumer: "app", settings: Self.settings(["maxLen": "100", "maxLenBytes": "2048"]))
        #expect(options.queue == "mine")
        #expect(options.routingKeys == ["a.*", "b.#"])
        let arguments = Dictionary(uniqueKeysWithValues: options.queueArguments.map { ($0.key, $0.value) })
        #expect(arguments == [
            "x-max-length": .int64(5), "x-max-length-bytes": .int64(2048), "x-max-priority": .uint8(10), "x-queue-type": .string("quorum"),
            "x-single-active-consumer": .bool(true),
        ])
    }

    @Test("enableDeadLetter declares dlx-<queue> and dlq-<queue> and points the queue at it")
    func deadLetter() throws {
        let options = try SubscriptionOptions(topic: "orders", metadata: [:], consumer: "app", settings: Self.settings(["enableDeadLetter": "true"]))
        let deadLetter = try #require(options.deadLetter)
        #expect(deadLetter.exchange == "dlx-app-orders" && deadLetter.queue == "dlq-app-orders")
        #expect(deadLetter.arguments.map(\.key) == ["x-queue-mode"])
        #expect(options.queueArguments.first { $0.key == "x-dead-letter-exchange" }?.value == .string("dlx-app-orders"))
    }

    @Test("an unknown queue type is refused")
    func queueType() throws {
        #expect(throws: RequestMetadataError.self) {
            _ = try SubscriptionOptions(topic: "t", metadata: ["queueType": "stream"], consumer: "app", settings: Self.settings())
        }
    }
}
