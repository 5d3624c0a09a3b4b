import KafkaClient
import KafkaComponents
import OutriggerCore
import OutriggerTesting
import Testing

/// What the input binding does with an event the app failed.
@Suite("bindings.kafka input")
struct KafkaBindingInputTests {
    /// Publishes `count` events to partition 0 of `topic`.
    static func publish(_ topic: String, _ payloads: [String]) async throws {
        let producer = try KafkaProducer(configuration: KafkaTestBroker.producerConfiguration())
        for payload in payloads { _ = try await producer.send(KafkaProducerRecord(topic: topic, partition: 0, value: Array(payload.utf8))) }
        await producer.close()
    }

    @Test("with Dapr's default consumeRetryEnabled false, a failed event is skipped and its offset committed past")
    func failedEventSkipped() async throws {
        try KafkaTestBroker.require()
        let topic = KafkaTestBroker.unique("binding-skip")
        let properties = ["topics": topic, "consumerGroup": KafkaTestBroker.unique("g"), "initialOffset": "oldest"]
        let log = EventLog()
        let first = try await KafkaBinding.start(metadata: KafkaTestBroker.metadata("bindings.kafka", properties))
        let reading = try await first.read { event in
            let payload = String(decoding: event.data, as: UTF8.self)
            log.record("first", "start", payload)
            if payload == "e1" { throw ComponentError(.retriable, "the app failed") }
        }
        try await Self.publish(topic, ["e1", "e2", "e3"])
        try await withDeadline(.seconds(60), "e3") { try await log.wait { $0.payloads(event: "start").contains("e3") } }
        await reading.cancel()
        try await first.close()
        #expect(log.snapshot.map(\.payload) == ["e1", "e2", "e3"])

        let second = try await KafkaBinding.start(metadata: KafkaTestBroker.metadata("bindings.kafka", properties))
        let rereading = try await second.read { event in log.record("second", "start", String(decoding: event.data, as: UTF8.self)) }
        try await Self.publish(topic, ["e4"])
        try await withDeadline(.seconds(60), "e4") { try await log.wait { $0.payloads("second", event: "start").contains("e4") } }
        #expect(log.snapshot.filter { $0.receiver == "second" }.map(\.payload) == ["e4"])
        await rereading.cancel()
        try await second.close()
    }

    @Test("with consumeRetryEnabled true, a failed event is delivered again before the events after it")
    func failedEventRedelivered() async throws {
        try KafkaTestBroker.require()
        let topic = KafkaTestBroker.unique("binding-retry")
        let binding = try await KafkaBinding.start(metadata: KafkaTestBroker.metadata("bindings.kafka", [
            "topics": topic, "consumerGroup": KafkaTestBroker.unique("g"), "initialOffset": "oldest", "consumeRetryEnabled": "true",
        ]))
        let log = EventLog()
        let reading = try await binding.read { event in
            let payload = String(decoding: event.data, as: UTF8.self)
            let failBefore = log.payloads(event: "start").contains(payload)
            log.record("binding", "start", payload)
            if payload == "e1", !failBefore { throw ComponentError(.retriable, "the app failed once") }
        }
        try await Self.publish(topic, ["e1", "e2", "e3"])
        try await withDeadline(.seconds(60), "e3") { try await log.wait { $0.payloads(event: "start").contains("e3") } }
        #expect(log.snapshot.map(\.payload) == ["e1", "e1", "e2", "e3"])
        await reading.cancel()
        try await binding.close()
    }
}
