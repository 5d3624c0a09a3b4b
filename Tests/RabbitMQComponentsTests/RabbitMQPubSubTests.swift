import AMQPClient
import OutriggerCore
import OutriggerTesting
import Testing

@testable import RabbitMQComponents

/// `pubsub.rabbitmq` against the shared broker; each test uses topics and groups of its own.
@Suite("pubsub.rabbitmq against RabbitMQ")
struct RabbitMQPubSubTests {
    @Test("a plain AMQP publisher's message to the topic exchange reaches the subscriber")
    func plainPublisher() async throws {
        let pubsub = try await SharedBroker.pubsub()
        let topic = SharedBroker.unique("plain-in")
        let received = Received()
        let subscription = try await pubsub.subscribe(SubscribeRequest(topic: topic, consumerGroup: "app")) { received.append($0) }
        let (connection, channel) = try await SharedBroker.client()
        try await channel.publish(exchange: topic, routingKey: "", body: Array("{\"hello\":1}".utf8), properties: .init(contentType: "application/json"))
        let messages = try await received.wait(for: 1)
        #expect(messages.first?.data == Array("{\"hello\":1}".utf8))
        #expect(messages.first?.topic == topic)
        await subscription.cancel()
        await connection.close()
        try await pubsub.close()
    }

    @Test("a publish lands in any queue bound to the topic exchange, as daprd's would, with its properties")
    func plainConsumer() async throws {
        let pubsub = try await SharedBroker.pubsub(["deliveryMode": "2"])
        let topic = SharedBroker.unique("plain-out")
        let (connection, channel) = try await SharedBroker.client()
        // daprd's declaration of the exchange: fanout, durable, auto-delete.
        try await channel.declareExchange(topic, kind: "fanout", durable: true, autoDelete: true)
        let queue = try await channel.declareQueue("", durable: false, exclusive: true, autoDelete: true)
        try await channel.bindQueue(queue, exchange: topic, routingKey: "")
        try await pubsub.publish(OutgoingMessage(topic: topic, data: [7, 8], contentType: "application/cloudevents+json", metadata: ["messageID": "id-1", "ttlInSeconds": "60"]))
        let consumer = try await channel.consume(queue: queue)
        let delivery = try #require(try await withDeadline(.seconds(60), "the delivery") { try await consumer.next(max: 1) }.first)
        #expect(delivery.body == [7, 8])
        #expect(delivery.properties.contentType == "text/plain")
        #expect(delivery.properties.deliveryMode == 2)
        #expect(delivery.properties.messageID == "id-1")
        #expect(delivery.properties.expiration == "60000")
        await connection.close()
        try await pubsub.close()
    }

    @Test("a publish no queue can take fails its caller")
    func unroutable() async throws {
        let pubsub = try await SharedBroker.pubsub()
        let topic = SharedBroker.unique("nobody")
        await #expect(throws: ComponentError.self) {
            try await pubsub.publish(OutgoingMessage(topic: topic, data: [1], contentType: "text/plain"))
        }
        try await pubsub.close()
        // An auto-delete exchange that never had a binding stays; remove it.
        let (connection, channel) = try await SharedBroker.client()
        try await channel.deleteExchange(topic)
        await connection.close()
    }

    @Test("topic exchanges route by the message's routingKey to the subscription's routingKey")
    func routingKeys() async throws {
        let pubsub = try await SharedBroker.pubsub(["exchangeKind": "topic"])
        let topic = SharedBroker.unique("routed")
        let received = Received()
        let subscription = try await pubsub.subscribe(SubscribeRequest(topic: topic, metadata: ["routingKey": "orders.*"], consumerGroup: "app")) {
            received.append($0)
        }
        try await pubsub.publish(OutgoingMessage(topic: topic, data: Array("eu".utf8), contentType: "text/plain", metadata: ["routingKey": "orders.eu"]))
        await #expect(throws: ComponentError.self) {
            try await pubsub.publish(OutgoingMessage(topic: topic, data: Array("x".utf8), contentType: "text/plain", metadata: ["routingKey": "invoices.eu"]))
        }
        let messages = try await received.wait(for: 1)
        #expect(messages.map(\.data) == [Array("eu".utf8)])
        await subscription.cancel()
        try await pubsub.close()
    }

    @Test("with enableDeadLetter a message the pipeline gave up on goes to dlq-<queue>, not back to the subscriber")
    func deadLetter() async throws {
        let pubsub = try await SharedBroker.pubsub(["enableDeadLetter": "true"])
        let topic = SharedBroker.unique("dead")
        let received = Received()
        let subscription = try await pubsub.subscribe(SubscribeRequest(topic: topic, consumerGroup: "app")) { message in
            received.append(message)
            throw GaveUp()
        }
        try await pubsub.publish(OutgoingMessage(topic: topic, data: Array("poison".utf8), contentType: "text/plain"))
        let (connection, channel) = try await SharedBroker.client()
        let consumer = try await channel.consume(queue: "dlq-app-\(topic)")
        let dead = try await withDeadline(.seconds(60), "the dead letter") { try await consumer.next(max: 1) }
        #expect(dead.first?.body == Array("poison".utf8))
        #expect(received.all.count == 1, "the subscriber got it once")
        await subscription.cancel()
        try await channel.deleteQueue("dlq-app-\(topic)")
        await connection.close()
        try await pubsub.close()
    }

    @Test("a message handed back while draining is requeued even with enableDeadLetter")
    func drainingIsRequeued() async throws {
        let pubsub = try await SharedBroker.pubsub(["enableDeadLetter": "true", "deletedWhenUnused": "false"])
        let topic = SharedBroker.unique("drain")
        let first = Received()
        let subscription = try await pubsub.subscribe(SubscribeRequest(topic: topic, consumerGroup: "app")) { message in
            first.append(message)
            throw Draining()
        }
        try await pubsub.publish(OutgoingMessage(topic: topic, data: Array("keep".utf8), contentType: "text/plain"))
        _ = try await first.wait(for: 1)
        await subscription.cancel()
        let second = Received()
        let next = try await pubsub.subscribe(SubscribeRequest(topic: topic, consumerGroup: "app")) { second.append($0) }
        #expect(try await second.wait(for: 1).first?.data == Array("keep".utf8))
        await next.cancel()
        let (connection, channel) = try await SharedBroker.client()
        try await channel.deleteQueue("app-\(topic)")
        try await channel.deleteQueue("dlq-app-\(topic)")
        try await channel.deleteExchange(topic)
        try await channel.deleteExchange("dlx-app-\(topic)")
        await connection.close()
        try await pubsub.close()
    }

    @Test("publishMessagePropertiesToMetadata passes message id, correlation id, type and headers on")
    func propertiesToMetadata() async throws {
        let pubsub = try await SharedBroker.pubsub(["publishMessagePropertiesToMetadata": "true"])
        let topic = SharedBroker.unique("props")
        let received = Received()
        let subscription = try await pubsub.subscribe(SubscribeRequest(topic: topic, consumerGroup: "app")) { received.append($0) }
        let (connection, channel) = try await SharedBroker.client()
        try await channel.publish(exchange: topic, routingKey: "", body: [1], properties: .init(messageID: "m", correlationID: "c", type: "t", headers: ["tenant": .string("x")]))
        let metadata = try #require(try await received.wait(for: 1).first).metadata
        #expect(metadata == ["metadata.messageid": "m", "metadata.correlationid": "c", "metadata.type": "t", "metadata.tenant": "x"])
        await subscription.cancel()
        await connection.close()
        try await pubsub.close()
    }

    @Test("an unreachable broker fails start-up naming the connection field")
    func unreachable() async throws {
        let metadata = ComponentMetadata(name: "down", type: "pubsub.rabbitmq", properties: ["connectionString": "amqp://127.0.0.1:1"])
        await #expect {
            _ = try await RabbitMQPubSub.start(metadata: metadata)
        } throws: { error in
            (error as? ComponentConfigurationError)?.field == "connectionString"
        }
    }
}

struct GaveUp: Error {}

struct Draining: Error, NackExplaining {
    var nackReason: NackReason { .draining }
}
