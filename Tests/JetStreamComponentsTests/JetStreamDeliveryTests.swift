import NATSClient
import OutriggerCore
import Testing
@testable import JetStreamComponents

@Suite("pubsub.jetstream delivery")
struct JetStreamDeliveryTests {
    /// A component with a stream of its own, deleted at the end.
    static func withComponent(_ properties: [String: String], _ body: (JetStreamPubSub, String) async throws -> Void) async throws {
        try await SharedBroker.scoped { cleanup in
            let stream = cleanup.stream("delivery")
            let pubsub = try await cleanup.component(["streamName": stream].merging(properties) { $1 })
            try await body(pubsub, stream)
        }
    }

    static func publish(_ pubsub: JetStreamPubSub, _ topic: String, _ payloads: [String]) async throws {
        for payload in payloads { try await pubsub.publish(OutgoingMessage(topic: topic, data: Array(payload.utf8), contentType: "text/plain")) }
    }

    @Test("a handler working longer than AckWait does not see its message again (in-progress keep-alive)")
    func keepAlive() async throws {
        // AckWait 2 s (keep-alive ticks every 500 ms): a loaded CI box once delayed a tick past 1 s.
        try await Self.withComponent(["ackWait": "2s"]) { pubsub, stream in
            let topic = "\(stream)-slow"
            let received = Received()
            let subscription = try await pubsub.subscribe(SubscribeRequest(topic: topic, consumerGroup: "tests")) { message in
                await received.record(message)
                guard String(decoding: message.data, as: UTF8.self) == "slow" else { return }
                // Three AckWaits: without in-progress acknowledgements the server would redeliver.
                try await Task.sleep(for: .seconds(6))
                await received.mark("slow handled")
            }
            try await Self.publish(pubsub, topic, ["slow", "marker"])
            try await received.until(marked: "slow handled")
            // A redelivery the server started meanwhile arrives within these two seconds.
            try await Task.sleep(for: .seconds(2))
            await subscription.cancel()
            #expect(await received.payloads.sorted() == ["marker", "slow"])
        }
    }

    @Test("a failed message is handed back with a NAK delayed by ackWait, then delivered again")
    func nakWithDelay() async throws {
        try await Self.withComponent(["ackWait": "2s"]) { pubsub, stream in
            let topic = "\(stream)-fail"
            let received = Received()
            let subscription = try await pubsub.subscribe(SubscribeRequest(topic: topic, consumerGroup: "tests")) { message in
                await received.record(message)
                if await received.payloads.count == 1 { throw ComponentError(.retriable, "first attempt fails") }
            }
            try await Self.publish(pubsub, topic, ["retry me"])
            try await received.until { $0.count == 2 }
            await subscription.cancel()
            let times = await received.times
            // Half the delay: a box that holds this process up between the delivery and its
            // record (or its first in-progress tick) shortens the gap as measured here; a NAK
            // without delay comes back in milliseconds.
            #expect(times[0].duration(to: times[1]) >= .seconds(1))
        }
    }

    @Test("subscribers sharing durableName and queueGroupName split the messages, each once")
    func sharedDurable() async throws {
        try await Self.withComponent(["durableName": SharedBroker.unique("shared"), "queueGroupName": "workers"]) { pubsub, stream in
            let topic = "\(stream)-shared"
            let first = Received()
            let second = Received()
            let one = try await pubsub.subscribe(SubscribeRequest(topic: topic, consumerGroup: "instance-1", maxConcurrency: 1)) { await first.record($0) }
            let two = try await pubsub.subscribe(SubscribeRequest(topic: topic, consumerGroup: "instance-2", maxConcurrency: 1)) { await second.record($0) }
            let payloads = (1...20).map { "m\($0)" }
            try await Self.publish(pubsub, topic, payloads)
            let deadline = ContinuousClock.now.advanced(by: .seconds(30))
            while await first.payloads.count + second.payloads.count < payloads.count, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(20))
            }
            await one.cancel()
            await two.cancel()
            let all = await first.payloads + second.payloads
            #expect(all.sorted() == payloads.sorted())
        }
    }

    @Test("concurrency single runs one handler at a time")
    func single() async throws {
        try await Self.withComponent(["concurrency": "single"]) { pubsub, stream in
            let topic = "\(stream)-single"
            let received = Received()
            let subscription = try await pubsub.subscribe(SubscribeRequest(topic: topic, consumerGroup: "tests", maxConcurrency: 50)) { message in
                await received.started()
                await received.record(message)
                await Task.yield()
                await received.ended()
            }
            try await Self.publish(pubsub, topic, (1...10).map { "m\($0)" })
            try await received.until { $0.count == 10 }
            await subscription.cancel()
            #expect(await received.mostAtOnce == 1)
            #expect(await received.payloads == (1...10).map { "m\($0)" })
        }
    }
}
