import NATSClient
import OutriggerCore
import Testing
@testable import JetStreamComponents

@Suite("pubsub.jetstream on the wire")
struct JetStreamPubSubTests {
    static func cloudEvent(id: String, data: String) -> [UInt8] {
        Array(#"{"specversion":"1.0","id":"\#(id)","source":"app","type":"com.dapr.event.sent","datacontenttype":"text/plain","data":"\#(data)"}"#.utf8)
    }

    @Test("a publish puts the CloudEvent, as published, on the topic's subject with its id as Nats-Msg-Id")
    func publishOnTheWire() async throws {
        try await SharedBroker.scoped { cleanup in
            let stream = cleanup.stream("wire")
            let topic = SharedBroker.unique("orders")
            let pubsub = try await cleanup.component(["streamName": stream])
            let client = try await cleanup.client()
            let body = Self.cloudEvent(id: "ce-1", data: "hello")
            try await pubsub.publish(OutgoingMessage(topic: topic, data: body, contentType: "application/cloudevents+json"))
            _ = try await client.addConsumer(stream: stream, ConsumerConfiguration(durableName: "check", filterSubject: topic))
            let subscription = try await client.pullSubscribe(subject: topic, stream: stream, consumer: "check")
            let messages = try await subscription.fetch(max: 10, wait: .seconds(10))
            #expect(messages.count == 1)
            #expect(messages.first?.subject == topic)
            #expect(messages.first?.data == body)
            #expect(messages.first?.headers["Nats-Msg-Id"] == "ce-1")
        }
    }

    @Test("a dead-lettered copy of an event (same id) published to another topic of the same stream is stored, not dropped as a duplicate")
    func deadLetterCopyInTheSameStream() async throws {
        try await SharedBroker.scoped { cleanup in
            let stream = cleanup.stream("deadletter")
            let (topic, deadLetterTopic) = ("\(stream)-orders", "\(stream)-orders-dead")
            let pubsub = try await cleanup.component(["streamName": stream])
            let client = try await cleanup.client()
            let original = Array(#"{"specversion":"1.0","id":"ce-9","source":"app","type":"t","topic":"\#(topic)","data":"x"}"#.utf8)
            let copy = Array(#"{"specversion":"1.0","id":"ce-9","source":"app","type":"t","topic":"\#(topic)","data":"x","deadlettertopic":"\#(topic)"}"#.utf8)
            try await pubsub.publish(OutgoingMessage(topic: topic, data: original, contentType: "application/cloudevents+json"))
            try await pubsub.publish(OutgoingMessage(topic: deadLetterTopic, data: copy, contentType: "application/cloudevents+json"))
            let info = try #require(try await client.streamInfo(stream))
            #expect(info.messages == 2)
        }
    }

    @Test("a message published as daprd publishes it reaches the subscriber, with the subject as Topic metadata")
    func daprdPublished() async throws {
        try await SharedBroker.scoped { cleanup in
            let topic = cleanup.stream("daprd")
            let client = try await cleanup.client()
            // As daprd expects it: a stream made beforehand whose subjects capture the topic.
            _ = try await client.putStream(topic, subjects: [topic], create: true)
            let pubsub = try await cleanup.component([:])
            let received = Received()
            let subscription = try await pubsub.subscribe(SubscribeRequest(topic: topic, consumerGroup: "tests")) { await received.record($0) }
            let body = Self.cloudEvent(id: "from-daprd", data: "hi")
            _ = try await client.publish(subject: topic, data: body, messageID: "from-daprd")
            try await received.until { $0.count == 1 }
            await subscription.cancel()
            let message = try #require(await received.messages.first)
            #expect(message.data == body)
            #expect(message.metadata["Topic"] == topic)
        }
    }

    @Test("without streamName, subscribing to a topic no stream captures fails and says so")
    func noStream() async throws {
        try await SharedBroker.scoped { cleanup in
            let pubsub = try await cleanup.component([:])
            do {
                _ = try await pubsub.subscribe(SubscribeRequest(topic: SharedBroker.unique("nowhere"), consumerGroup: "tests")) { _ in }
                Issue.record("subscribe succeeded without a stream")
            } catch {
                #expect("\(error)".contains("no stream captures"))
            }
        }
    }

    @Test("with streamName, a new topic is added to the stream's subjects")
    func streamExtended() async throws {
        try await SharedBroker.scoped { cleanup in
            let stream = cleanup.stream("extend")
            let pubsub = try await cleanup.component(["streamName": stream])
            let client = try await cleanup.client()
            try await pubsub.publish(OutgoingMessage(topic: "\(stream)-a", data: [1], contentType: "text/plain"))
            try await pubsub.publish(OutgoingMessage(topic: "\(stream)-b", data: [2], contentType: "text/plain"))
            let info = try #require(try await client.streamInfo(stream))
            #expect(Set(info.subjects) == ["\(stream)-a", "\(stream)-b"])
            #expect(info.messages == 2)
        }
    }
}

@Suite("pubsub.jetstream consumers")
struct JetStreamConsumerTests {
    @Test("a durableName that names a push consumer (as daprd creates them) fails the subscription and says why")
    func pushConsumerRefused() async throws {
        try await SharedBroker.scoped { cleanup in
            let stream = cleanup.stream("push")
            let client = try await cleanup.client()
            _ = try await client.putStream(stream, subjects: [stream], create: true)
            _ = try await client.addConsumer(stream: stream, ConsumerConfiguration(durableName: "daprd-made", filterSubject: stream, deliverSubject: "_INBOX.daprd"))
            let pubsub = try await cleanup.component(["streamName": stream, "durableName": "daprd-made"])
            do {
                _ = try await pubsub.subscribe(SubscribeRequest(topic: stream, consumerGroup: "tests")) { _ in }
                Issue.record("subscribed to a push consumer")
            } catch {
                #expect("\(error)".contains("push consumer"))
            }
        }
    }

    @Test("one durableName serves one topic: subscribing a second topic with it fails and says why")
    func durableNameServesOneTopic() async throws {
        try await SharedBroker.scoped { cleanup in
            let stream = cleanup.stream("durable")
            let pubsub = try await cleanup.component(["streamName": stream, "durableName": "one-topic"])
            let first = try await pubsub.subscribe(SubscribeRequest(topic: "\(stream)-a", consumerGroup: "tests")) { _ in }
            do {
                let second = try await pubsub.subscribe(SubscribeRequest(topic: "\(stream)-b", consumerGroup: "tests")) { _ in }
                await second.cancel()
                Issue.record("one durable consumer read two topics")
            } catch {
                #expect("\(error)".contains("serves one topic"))
            }
            await first.cancel()
        }
    }
}
