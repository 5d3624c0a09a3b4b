import OutriggerTesting
import DaprProto
import Foundation
import GRPCCore
import Testing

@Suite("SubscribeTopicEventsAlpha1 streaming subscriptions")
struct StreamingSubscriptionTests {
    static func publish(_ client: DaprClient, topic: String, _ text: String) async throws {
        var request = Dapr_Proto_Runtime_V1_PublishEventRequest()
        request.pubsubName = "pubsub"
        request.topic = topic
        request.data = Data(text.utf8)
        request.dataContentType = "text/plain"
        _ = try await client.publishEvent(request)
    }

    static func text(_ event: TopicEvent) -> String { String(decoding: event.data, as: UTF8.self) }

    @Test("RETRY delivers the event again; SUCCESS and DROP end it")
    func retrySuccessDrop() async throws {
        try await withSidecar(resources: ["pubsub.yaml": Resources.pubsub, "resiliency.yaml": Resources.fastRetries()]) { _, client in
            // One delivery at a time: an event that came back would arrive before the next one.
            let subscriber = try await TestSubscriber.open(client, topic: "answers", metadata: ["maxConcurrency": "1"])
            try await Self.publish(client, topic: "answers", "first")
            let first = try #require(try await subscriber.events(1).last)
            subscriber.answer(first, .retry)
            let again = try #require(try await subscriber.events(2).last)
            #expect(again.id == first.id)
            #expect(Self.text(again) == "first")
            subscriber.answer(again, .drop)

            // Neither the dropped event nor an acknowledged one comes back: the next event on
            // the stream is the next one published.
            try await Self.publish(client, topic: "answers", "second")
            let second = try #require(try await subscriber.events(3).last)
            #expect(Self.text(second) == "second")
            subscriber.answer(second, .success)
            try await Self.publish(client, topic: "answers", "third")
            let third = try #require(try await subscriber.events(4).last)
            #expect(Self.text(third) == "third")
            subscriber.answer(third, .success)
            // Closing the sending side unsubscribes; as in Dapr the RPC ends with UNKNOWN "EOF".
            let closed = try await subscriber.close()
            #expect(closed?.code == .unknown)
            #expect(closed?.message.hasPrefix("EOF") == true)
        }
    }

    @Test("closing the stream unsubscribes; an unanswered event goes back to the broker")
    func closeUnsubscribes() async throws {
        try await withSidecar { _, client in
            let subscriber = try await TestSubscriber.open(client, topic: "leave")
            var listed = try await client.getMetadata(Dapr_Proto_Runtime_V1_GetMetadataRequest()).subscriptions
            #expect(listed.contains { $0.topic == "leave" && $0.type == .streaming && $0.pubsubName == "pubsub" })

            try await Self.publish(client, topic: "leave", "unanswered")
            let event = try #require(try await subscriber.events(1).first)
            await subscriber.cancel()
            try await withDeadline(.seconds(60), "the streaming subscription to leave GetMetadata") {
                while try await client.getMetadata(Dapr_Proto_Runtime_V1_GetMetadataRequest()).subscriptions.contains(where: { $0.topic == "leave" }) {
                    try await Task.sleep(for: .milliseconds(20))
                }
            }
            listed = try await client.getMetadata(Dapr_Proto_Runtime_V1_GetMetadataRequest()).subscriptions
            #expect(!listed.contains { $0.topic == "leave" })

            // At least once: the event nobody answered is delivered to the next subscriber.
            let next = try await TestSubscriber.open(client, topic: "leave")
            let redelivered = try #require(try await next.events(1).first)
            #expect(redelivered.id == event.id)
            next.answer(redelivered, .success)
            try await next.close()
        }
    }

    @Test("after the last retry the event goes to the stream's dead-letter topic")
    func deadLetter() async throws {
        try await withSidecar(resources: ["pubsub.yaml": Resources.pubsub, "resiliency.yaml": Resources.fastRetries(maxRetries: 1)]) { _, client in
            let dead = try await TestSubscriber.open(client, topic: "poison-dlq")
            let subscriber = try await TestSubscriber.open(client, topic: "poison", deadLetterTopic: "poison-dlq")
            try await Self.publish(client, topic: "poison", "bad")
            for attempt in 1...2 {
                let event = try #require(try await subscriber.events(attempt).last)
                subscriber.answer(event, .retry)
            }
            let lettered = try #require(try await dead.events(1).first)
            #expect(Self.text(lettered) == "bad")
            #expect(lettered.extensions.fields["deadlettertopic"]?.stringValue == "poison")
            #expect(lettered.extensions.fields["deadletterreason"]?.stringValue == "app answered RETRY")
            dead.answer(lettered, .success)
            #expect(subscriber.state.value.events.count == 2)
            try await subscriber.close()
            try await dead.close()
        }
    }

    @Test("the first message must be the initial request; an unknown pubsub is refused")
    func refusals() async throws {
        try await withSidecar { _, client in
            var processed = TestSubscriber.Request()
            processed.eventProcessed = Dapr_Proto_Runtime_V1_SubscribeTopicEventsRequestProcessedAlpha1()
            let wrongFirst = await #expect(throws: RPCError.self) { try await TestSubscriber.open(client, topic: "x", first: processed) }
            #expect(wrongFirst?.code == .invalidArgument)
            #expect(wrongFirst?.message.contains("initial request") == true)

            let unknown = await #expect(throws: RPCError.self) { try await TestSubscriber.open(client, pubsub: "nope", topic: "x") }
            #expect(unknown?.code == .invalidArgument)
            #expect(unknown?.message.hasPrefix("ERR_PUBSUB_NOT_FOUND: ") == true)
            let remaining = try await client.getMetadata(Dapr_Proto_Runtime_V1_GetMetadataRequest()).subscriptions
            #expect(remaining.isEmpty)
        }
    }

    @Test("at shutdown a delivery in flight may still be answered, then the stream ends with UNAVAILABLE")
    func shutdownDrainsThenEnds() async throws {
        let sidecar = try await Sidecar.start()
        do {
            try await sidecar.withClient { client in
                let subscriber = try await TestSubscriber.open(client, topic: "late")
                try await Self.publish(client, topic: "late", "in flight")
                let event = try #require(try await subscriber.events(1).first)
                kill(sidecar.processID, SIGTERM)
                // The stream is still open during the drain: the answer is taken.
                try await withDeadline(.seconds(5), "the sidecar to start draining") {
                    while !sidecar.log.contains("ending streaming subscriptions") { try await Task.sleep(for: .milliseconds(20)) }
                }
                subscriber.answer(event, .success)
                let ended = try await subscriber.state.wait(for: .seconds(60), "the stream to end") { $0.ended != nil }.ended
                guard case .failure(let error)? = ended else {
                    Issue.record("the stream should end with UNAVAILABLE, got \(String(describing: ended))")
                    return
                }
                #expect(error.code == .unavailable)
            }
            let status = try await sidecar.exitStatus.wait(for: .seconds(60), "outrigger to exit") { $0 != nil }
            #expect(status == 0)
            #expect(sidecar.log.contains("streaming subscription ended"))
            #expect(!sidecar.log.contains("drain timeout"), Comment(rawValue: sidecar.logTail))
        } catch {
            Issue.record(error, Comment(rawValue: sidecar.logTail))
        }
        await sidecar.stop()
    }
}
