import KafkaComponents
import OutriggerCore
import OutriggerTesting
import Testing

/// Two subscribers of one consumer group on the Kafka on 9092, through rebalances, with the
/// eager protocol (`range`) and the cooperative one (`sticky`).
@Suite("pubsub.kafka through rebalances")
struct KafkaRebalanceTests {
    @Test(
        "one of two subscribers stopped mid-stream: every event is done at least once, and the stopped one's unfinished events reach the other",
        arguments: ["range", "sticky"])
    func subscriberStoppedMidStream(strategy: String) async throws {
        try KafkaTestBroker.require()
        let topic = KafkaTestBroker.unique("rebalance-stop")
        let group = KafkaTestBroker.unique("group")
        let pubsub = try await KafkaPubSub.start(metadata: KafkaTestBroker.metadata("pubsub.kafka", [
            "initialOffset": "oldest", "drainTimeout": "1s", "consumerGroupRebalanceStrategy": strategy,
        ]))
        let payloads = (0..<100).map { "event-\($0)" }
        let failures = try await pubsub.bulkPublish(payloads.enumerated().map { index, payload in
            OutgoingMessage(topic: topic, data: Array(payload.utf8), contentType: "text/plain", metadata: ["partitionKey": "key-\(index)"])
        })
        #expect(failures.isEmpty)
        let log = EventLog()
        let gate = TestGate()
        // A finishes its first 20 events, then holds whatever it starts until it is stopped,
        // and then fails them as a handler does when the sidecar shuts down.
        let first = try await pubsub.subscribe(SubscribeRequest(topic: topic, consumerGroup: group, maxConcurrency: 8)) { message in
            let payload = String(decoding: message.data, as: UTF8.self)
            let started = log.snapshot.count { $0.receiver == "A" && $0.event == "start" }
            log.record("A", "start", payload)
            if started >= 20 {
                log.record("A", "held", payload)
                await gate.wait()
                log.record("A", "failed", payload)
                throw CancellationError()
            }
            log.record("A", "done", payload)
        }
        try await withDeadline(.seconds(60), "A holding events") { try await log.wait { !$0.payloads("A", event: "held").isEmpty } }
        let second = try await pubsub.subscribe(SubscribeRequest(topic: topic, consumerGroup: group, maxConcurrency: 8)) { message in
            let payload = String(decoding: message.data, as: UTF8.self)
            log.record("B", "done", payload)
        }
        let stopping = Task { await first.cancel() }
        gate.open()
        await stopping.value
        try await withDeadline(.seconds(60), "every event done") {
            try await log.wait { $0.payloads(event: "done").isSuperset(of: payloads) }
        }
        let held = log.payloads("A", event: "failed")
        #expect(!held.isEmpty)
        #expect(log.payloads("B", event: "done").isSuperset(of: held), "events A did not finish must reach B")
        #expect(log.payloads(event: "done") == Set(payloads))
        await second.cancel()
        try await pubsub.close()
    }

    @Test("a partition taken away while its event runs is not delivered to the new member before that event finished", arguments: ["range", "sticky"])
    func revokeWaitsForInFlight(strategy: String) async throws {
        try KafkaTestBroker.require()
        let topic = KafkaTestBroker.unique("rebalance-inflight")
        let group = KafkaTestBroker.unique("group")
        let pubsub = try await KafkaPubSub.start(metadata: KafkaTestBroker.metadata("pubsub.kafka", [
            "initialOffset": "oldest", "drainTimeout": "20s", "consumerGroupRebalanceStrategy": strategy,
        ]))
        let payloads = (0..<40).map { "event-\($0)" }
        let failures = try await pubsub.bulkPublish(payloads.enumerated().map { index, payload in
            OutgoingMessage(topic: topic, data: Array(payload.utf8), contentType: "text/plain", metadata: ["partitionNumber": "\(index % 4)"])
        })
        #expect(failures.isEmpty)
        let log = EventLog()
        let gate = TestGate()
        let first = try await pubsub.subscribe(SubscribeRequest(topic: topic, consumerGroup: group, maxConcurrency: 4)) { message in
            let payload = String(decoding: message.data, as: UTF8.self)
            let partition = message.metadata["__partition"] ?? ""
            log.record("A", "start", payload, partition: partition)
            if payload == "event-5" { await gate.wait() }
            log.record("A", "done", payload, partition: partition)
        }
        try await withDeadline(.seconds(60), "A running event-5") { try await log.wait { $0.payloads("A", event: "start").contains("event-5") } }
        let joining = Task {
            try await pubsub.subscribe(SubscribeRequest(topic: topic, consumerGroup: group, maxConcurrency: 4)) { message in
                log.record("B", "start", String(decoding: message.data, as: UTF8.self), partition: message.metadata["__partition"] ?? "")
                log.record("B", "done", String(decoding: message.data, as: UTF8.self), partition: message.metadata["__partition"] ?? "")
            }
        }
        // The rebalance is under way while event-5 still runs; let it finish well within the drain timeout.
        try await Task.sleep(for: .seconds(2))
        gate.open()
        let second = try await joining.value
        try await withDeadline(.seconds(60), "every event done") {
            try await log.wait { $0.payloads(event: "done").isSuperset(of: payloads) }
        }
        let entries = log.snapshot
        let finished = try #require(entries.firstIndex { $0.receiver == "A" && $0.event == "done" && $0.payload == "event-5" })
        let partition = entries[finished].partition
        let earlyStarts = entries[..<finished].filter { $0.receiver == "B" && $0.partition == partition }
        #expect(earlyStarts.isEmpty, "B started \(earlyStarts.map(\.payload)) of partition \(partition) while A still ran event-5")
        await first.cancel()
        await second.cancel()
        try await pubsub.close()
    }
}
