import KafkaComponents
import OutriggerCore
import OutriggerTesting
import Testing

/// The component through a broker that dies (`kill -9`) and comes back, on a private mock
/// cluster. The mock keeps nothing across a restart (it is in memory), so this proves recovery
/// (publishing and the same subscription work again with no help), not the survival of stored
/// records, which is the broker's job. Because the restarted mock starts its partition at
/// offset 0 again while the consumer goes on from the offset it had reached (1), two records
/// are published after the restart and the second one (offset 1) is the one awaited.
@Suite("pubsub.kafka through a broker restart")
struct KafkaBrokerRestartTests {
    @Test("after its broker is killed and restarted, publishing works again and the live subscription receives new events")
    func recoversAfterRestart() async throws {
        let mock = try await PrivateKafkaMock.make()
        try await mock.start()
        let pubsub = try await KafkaPubSub.start(metadata: KafkaTestBroker.metadata("pubsub.kafka", ["brokers": mock.brokers, "initialOffset": "oldest"]))
        let topic = KafkaTestBroker.unique("restart")
        let log = EventLog()
        let subscription = try await pubsub.subscribe(SubscribeRequest(topic: topic, consumerGroup: KafkaTestBroker.unique("g"))) { message in
            log.record("sub", "done", String(decoding: message.data, as: UTF8.self))
        }
        let partition = ["partitionNumber": "0"]
        try await pubsub.publish(OutgoingMessage(topic: topic, data: Array("before".utf8), contentType: "text/plain", metadata: partition))
        try await withDeadline(.seconds(60), "the event before the restart") { try await log.wait { $0.payloads(event: "done").contains("before") } }

        await mock.kill()
        try await mock.start()
        // The outbound Resiliency policy's part: publish again until the broker takes it.
        try await withDeadline(.seconds(60), "a publish accepted after the restart") {
            while true {
                do {
                    try await pubsub.publish(OutgoingMessage(topic: topic, data: Array("after-1".utf8), contentType: "text/plain", metadata: partition))
                    return
                } catch {
                    try await Task.sleep(for: .milliseconds(200))
                }
            }
        }
        try await pubsub.publish(OutgoingMessage(topic: topic, data: Array("after-2".utf8), contentType: "text/plain", metadata: partition))
        try await withDeadline(.seconds(60), "the event after the restart") { try await log.wait { $0.payloads(event: "done").contains("after-2") } }
        await subscription.cancel()
        try await pubsub.close()
        await mock.kill()
    }
}
