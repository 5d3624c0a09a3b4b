import KafkaClient
import KafkaComponents
import OutriggerCore
import OutriggerTesting
import Testing

/// Records as daprd writes and reads them, checked against a plain librdkafka client.
@Suite("pubsub.kafka and bindings.kafka records on the wire")
struct KafkaWireFormatTests {
    @Test("a publish is a record with the bytes as value, partitionKey as key and every metadata entry as a header")
    func publishedRecord() async throws {
        try KafkaTestBroker.require()
        let topic = KafkaTestBroker.unique("wire-publish")
        let pubsub = try await KafkaPubSub.start(metadata: KafkaTestBroker.metadata())
        try await pubsub.publish(OutgoingMessage(topic: topic, data: Array("{\"a\":1}".utf8), contentType: "application/json", metadata: ["partitionKey": "k1", "custom": "v"]))
        let record = try await Self.readOne(topic)
        #expect(record.value == Array("{\"a\":1}".utf8))
        #expect(record.key == Array("k1".utf8))
        #expect(record.headers == [KafkaHeader(name: "custom", value: Array("v".utf8)), KafkaHeader(name: "partitionKey", value: Array("k1".utf8))])
        try await pubsub.close()
    }

    @Test("partitionNumber chooses the partition; a malformed one is a terminal error")
    func partitionNumber() async throws {
        try KafkaTestBroker.require()
        let topic = KafkaTestBroker.unique("wire-partition")
        let pubsub = try await KafkaPubSub.start(metadata: KafkaTestBroker.metadata())
        try await pubsub.publish(OutgoingMessage(topic: topic, data: Array("x".utf8), contentType: "text/plain", metadata: ["partitionNumber": "3"]))
        #expect(try await Self.readOne(topic).partition == 3)
        await #expect(throws: ComponentError.self) {
            try await pubsub.publish(OutgoingMessage(topic: topic, data: [], contentType: "text/plain", metadata: ["partitionNumber": "-1"]))
        }
        try await pubsub.close()
    }

    @Test("a plain producer's record reaches the subscriber with __key, __topic, __partition, __offset, __timestamp and its headers")
    func consumedRecord() async throws {
        try KafkaTestBroker.require()
        let topic = KafkaTestBroker.unique("wire-consume")
        let pubsub = try await KafkaPubSub.start(metadata: KafkaTestBroker.metadata())
        let received = AsyncStream<IncomingMessage>.makeStream()
        let subscription = try await pubsub.subscribe(SubscribeRequest(topic: topic, consumerGroup: KafkaTestBroker.unique("g"))) { message in
            received.continuation.yield(message)
        }
        let producer = try KafkaProducer(configuration: KafkaTestBroker.producerConfiguration())
        let report = try await producer.send(KafkaProducerRecord(topic: topic, partition: 1, key: Array("k2".utf8), value: Array("raw".utf8), headers: [KafkaHeader(name: "h", value: Array("x".utf8))]))
        let message = try await withDeadline(.seconds(60), "the record") {
            var iterator = received.stream.makeAsyncIterator()
            return await iterator.next()
        }
        #expect(message?.data == Array("raw".utf8))
        #expect(message?.topic == topic)
        let metadata = message?.metadata ?? [:]
        #expect(metadata["__key"] == "k2")
        #expect(metadata["h"] == "x")
        #expect(metadata["__topic"] == topic)
        #expect(metadata["__partition"] == "1")
        #expect(metadata["__offset"] == String(report.offset))
        #expect(Int64(metadata["__timestamp"] ?? "") ?? 0 > 1_600_000_000_000)
        await subscription.cancel()
        await producer.close()
        try await pubsub.close()
    }

    @Test("the output binding's create produces to publishTopic with partitionKey as key and the metadata as headers")
    func bindingCreate() async throws {
        try KafkaTestBroker.require()
        let topic = KafkaTestBroker.unique("wire-binding")
        let binding = try await KafkaBinding.start(metadata: KafkaTestBroker.metadata("bindings.kafka", ["publishTopic": topic]))
        #expect(binding.operations == ["create"])
        let response = try await binding.invoke(BindingRequest(operation: "create", data: Array("b".utf8), metadata: ["partitionKey": "k3", "m": "n"]))
        #expect(response.data.isEmpty)
        let record = try await Self.readOne(topic)
        #expect(record.value == Array("b".utf8))
        #expect(record.key == Array("k3".utf8))
        #expect(record.headers.contains(KafkaHeader(name: "m", value: Array("n".utf8))))
        try await binding.close()
    }

    /// The first record of `topic`, read with a plain consumer from the beginning.
    static func readOne(_ topic: String) async throws -> KafkaRecord {
        let consumer = try KafkaConsumer(
            configuration: KafkaTestBroker.consumerConfiguration(group: KafkaTestBroker.unique("reader")), topics: [topic], startPosition: .beginning)
        defer { Task { await consumer.close() } }
        return try await withDeadline(.seconds(60), "a record of \(topic)") {
            while true {
                if let record = try await consumer.poll(max: 1)?.first { return record }
            }
        }
    }
}
