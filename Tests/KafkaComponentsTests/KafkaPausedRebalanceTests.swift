import KafkaComponents
import OutriggerCore
import OutriggerTesting
import Synchronization
import Testing

/// A subscriber whose read-ahead buffer is full (its partitions paused for flow control) while
/// its group rebalances, on a mock cluster of the test's own.
@Suite("pubsub.kafka: flow control through rebalances")
struct KafkaPausedRebalanceTests {
    @Test(
        "a partition paused for a full read-ahead buffer when the group took it away is read again once it is assigned back",
        arguments: ["range", "sticky"])
    func pausedPartitionAssignedAgain(strategy: String) async throws {
        let mock = try await PrivateKafkaMock.make()
        try await mock.start()
        let topic = KafkaTestBroker.unique("paused-rebalance")
        let group = KafkaTestBroker.unique("group")
        let pubsub = try await KafkaPubSub.start(metadata: KafkaTestBroker.metadata("pubsub.kafka", [
            "brokers": mock.brokers, "initialOffset": "oldest", "drainTimeout": "1s", "consumerGroupRebalanceStrategy": strategy,
            "channelBufferSize": "4",
        ]))
        let first = (0..<40).map { "first-\($0)" }
        try await publish(first, to: topic, on: pubsub)
        let log = EventLog()
        let gate = TestGate()
        let holding = Atomic(true)
        // A holds its first event until B has joined; meanwhile its buffer of 4 fills up and its
        // consumer pauses every partition it has (all four).
        let subscriberA = try await pubsub.subscribe(SubscribeRequest(topic: topic, consumerGroup: group, maxConcurrency: 1)) { message in
            let payload = String(decoding: message.data, as: UTF8.self)
            log.record("A", "start", payload)
            if holding.exchange(false, ordering: .relaxed) { await gate.wait() }
            log.record("A", "done", payload)
        }
        try await withDeadline(.seconds(60), "A holding its first event") { try await log.wait { !$0.payloads("A", event: "start").isEmpty } }
        // The group takes partitions away from A (all of them with `range`, two with `sticky`)
        // while they are paused.
        let subscriberB = try await pubsub.subscribe(SubscribeRequest(topic: topic, consumerGroup: group, maxConcurrency: 1)) { message in
            log.record("B", "done", String(decoding: message.data, as: UTF8.self))
        }
        gate.open()
        try await withDeadline(.seconds(60), "every event of the first batch done") {
            try await log.wait { $0.payloads(event: "done").isSuperset(of: first) }
        }
        // B leaves: A is assigned every partition, among them the ones it had paused.
        await subscriberB.cancel()
        let second = (0..<40).map { "second-\($0)" }
        try await publish(second, to: topic, on: pubsub)
        try await withDeadline(.seconds(60), "every event of the second batch done by A") {
            try await log.wait { $0.payloads("A", event: "done").isSuperset(of: second) }
        }
        #expect(log.payloads(event: "done").isSuperset(of: first + second))
        await subscriberA.cancel()
        try await pubsub.close()
    }

    /// Publishes `payloads` spread over partitions 0 to 3.
    private func publish(_ payloads: [String], to topic: String, on pubsub: KafkaPubSub) async throws {
        let failures = try await pubsub.bulkPublish(payloads.enumerated().map { index, payload in
            OutgoingMessage(topic: topic, data: Array(payload.utf8), contentType: "text/plain", metadata: ["partitionNumber": "\(index % 4)"])
        })
        #expect(failures.isEmpty)
    }
}
