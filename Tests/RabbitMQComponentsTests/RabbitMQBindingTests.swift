import AMQPClient
import OutriggerCore
import OutriggerTesting
import Synchronization
import Testing

@testable import RabbitMQComponents

@Suite("bindings.rabbitmq against RabbitMQ")
struct RabbitMQBindingTests {
    static func binding(_ queue: String, _ properties: [String: String] = [:]) async throws -> RabbitMQBinding {
        try SharedBroker.requireBroker()
        let metadata = ComponentMetadata(name: "binding", type: "bindings.rabbitmq", properties: [
            "host": SharedBroker.connectionString, "queueName": queue, "deleteWhenUnused": "false",
        ].merging(properties) { $1 })
        return try await RabbitMQBinding.start(metadata: metadata)
    }

    @Test("create publishes to the queue with expiration, priority, ids, content type and metadata headers")
    func create() async throws {
        let queue = SharedBroker.unique("binding-create")
        let binding = try await Self.binding(queue, ["maxPriority": "5"])
        _ = try await binding.invoke(BindingRequest(operation: "create", data: Array("hi".utf8), metadata: [
            "ttlInSeconds": "30", "priority": "4", "messageID": "m-1", "correlationID": "c-1", "contentType": "application/json", "tenant": "x",
        ]))
        let (connection, channel) = try await SharedBroker.client()
        let consumer = try await channel.consume(queue: queue)
        let delivery = try #require(try await withDeadline(.seconds(60), "the message") { try await consumer.next(max: 1) }.first)
        #expect(delivery.body == Array("hi".utf8))
        #expect(delivery.properties.expiration == "30000" && delivery.properties.priority == 4 && delivery.properties.deliveryMode == 2)
        #expect(delivery.properties.messageID == "m-1" && delivery.properties.correlationID == "c-1" && delivery.properties.contentType == "application/json")
        #expect(delivery.properties.headers["tenant"] == .string("x"))
        try await channel.deleteQueue(queue)
        await connection.close()
        try await binding.close()
    }

    @Test("a bad ttlInSeconds is the request's fault")
    func badTTL() async throws {
        let queue = SharedBroker.unique("binding-ttl")
        let binding = try await Self.binding(queue, ["deleteWhenUnused": "true"])
        await #expect(throws: InvalidBindingRequest.self) {
            _ = try await binding.invoke(BindingRequest(operation: "create", data: [], metadata: ["ttlInSeconds": "soon"]))
        }
        try await binding.close()
    }

    @Test("an event the app failed is requeued and delivered again; headers arrive as metadata")
    func failedEventComesBack() async throws {
        let queue = SharedBroker.unique("binding-read")
        let binding = try await Self.binding(queue)
        let attempts = Mutex<[BindingEvent]>([])
        let subscription = try await binding.read { event in
            let count = attempts.withLock { attempts in
                attempts.append(event)
                return attempts.count
            }
            if count == 1 { throw GaveUp() }
        }
        _ = try await binding.invoke(BindingRequest(operation: "create", data: Array("again".utf8), metadata: ["key one": "v"]))
        try await withDeadline(.seconds(60), "the second attempt") {
            while attempts.withLock({ $0.count }) < 2 { try await Task.sleep(for: .milliseconds(10)) }
        }
        let events = attempts.withLock { $0 }
        #expect(events.allSatisfy { $0.data == Array("again".utf8) })
        #expect(events.first?.metadata["key+one"] == "v")
        await subscription.cancel()
        let (connection, channel) = try await SharedBroker.client()
        #expect(try await channel.deleteQueue(queue) == 0, "acknowledged after the second attempt")
        await connection.close()
        try await binding.close()
    }

    @Test("a queue that exists with other settings fails start-up naming queueName")
    func inequivalentQueue() async throws {
        let queue = SharedBroker.unique("binding-inequivalent")
        let (connection, channel) = try await SharedBroker.client()
        try await channel.declareQueue(queue, durable: true, exclusive: false, autoDelete: false)
        await #expect {
            _ = try await Self.binding(queue)
        } throws: { error in
            (error as? ComponentConfigurationError)?.field == "queueName"
        }
        try await channel.deleteQueue(queue)
        await connection.close()
    }
}
