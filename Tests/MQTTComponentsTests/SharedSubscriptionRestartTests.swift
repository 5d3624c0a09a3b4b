import Foundation
#if canImport(Glibc)
import Glibc
#endif
import MQTTComponents
import OutriggerCore
import Testing

@Suite("pubsub.mqtt3: shared subscriptions through a broker restart")
struct SharedSubscriptionRestartTests {
    /// mosquitto 2.0.11 resumes a persistent session from its store without its `$share/…`
    /// subscription, so a message published after the restart and before the component
    /// subscribed again is acknowledged and given to nobody, unless the publish waits for the
    /// component's own subscription to be granted again.
    @Test("messages published through the component right after a broker restart reach its own shared subscription")
    func publishRightAfterRestart() async throws {
        let broker = try PrivateBroker()
        try await broker.start()
        let metadata = ComponentMetadata(
            name: "resubscribe", type: "pubsub.mqtt3", appID: "resubscribe-test",
            properties: [
                "url": broker.url, "consumerID": "resubscribe-\(UUID().uuidString.prefix(8))", "qos": "1", "sharedSubscriptions": "true",
            ])
        let pubsub = try await MQTTPubSub.start(metadata: metadata)
        let received = ReceivedPayloads()
        let subscription = try await pubsub.subscribe(SubscribeRequest(topic: "orders", consumerGroup: "replicas")) { message in
            received.record(String(decoding: message.data, as: UTF8.self))
        }
        try await publishUntilAcknowledged(pubsub, "before")
        await received.wait(for: ["before"], limit: .seconds(30))
        #expect(received.missing(from: ["before"]).isEmpty)

        // Three restarts: in one of them the subscription may happen to reconnect first (its
        // reconnect backoff against the publisher's), in all three hardly ever.
        var acknowledged = Set<String>()
        for restart in 1...3 {
            await broker.stop(signal: SIGTERM)
            try await broker.start()
            for index in 0..<20 {
                try await publishUntilAcknowledged(pubsub, "after-\(restart)-\(index)")
                acknowledged.insert("after-\(restart)-\(index)")
            }
        }
        let expected = acknowledged
        await received.wait(for: expected, limit: .seconds(30))
        let missing = received.missing(from: expected)
        #expect(missing.isEmpty, "\(missing.count) of \(expected.count) acknowledged publishes never delivered, e.g. \(missing.sorted().prefix(5))")
        await subscription.cancel()
        try await pubsub.close()
        await broker.stop()
    }

    /// What the outbound resiliency policy does for a retriable error, without its delay: the
    /// first attempts fail while the component reconnects, the first acknowledged one is the
    /// earliest moment a publish can be accepted after the restart.
    private func publishUntilAcknowledged(_ pubsub: MQTTPubSub, _ payload: String) async throws {
        let deadline = ContinuousClock.now.advanced(by: .seconds(30))
        while true {
            do {
                try await pubsub.publish(OutgoingMessage(topic: "orders", data: Array(payload.utf8), contentType: "text/plain"))
                return
            } catch {
                guard ContinuousClock.now < deadline else { throw error }
                try await Task.sleep(for: .milliseconds(5))
            }
        }
    }
}
