import BuiltinComponents
import OutriggerCore
import Testing

/// `pubsub.in-memory`'s own batch path: the same outcome per message as publishing each alone.
@Suite("pubsub.in-memory bulk publish")
struct InMemoryBulkPublishTests {
    func broker(_ properties: [String: String] = [:]) throws -> InMemoryPubSub {
        try InMemoryPubSub(metadata: ComponentMetadata(name: "memory", type: "pubsub.in-memory", properties: properties))
    }

    func message(_ text: String, topic: String = "t", metadata: [String: String] = [:]) -> OutgoingMessage {
        OutgoingMessage(topic: topic, data: Array(text.utf8), contentType: "text/plain", metadata: metadata)
    }

    @Test("a batch over two topics reaches each topic's subscriber in order")
    func delivers() async throws {
        let pubsub = try broker()
        let received = AsyncStream<String>.makeStream()
        var subscriptions: [Subscription] = []
        for topic in ["a", "b"] {
            subscriptions.append(try await pubsub.subscribe(SubscribeRequest(topic: topic, consumerGroup: "g", maxConcurrency: 1)) { message in
                received.continuation.yield("\(message.topic):\(String(decoding: message.data, as: UTF8.self))")
            })
        }
        let failures = try await pubsub.bulkPublish([message("1", topic: "a"), message("2", topic: "b"), message("3", topic: "a")])
        #expect(failures.isEmpty)
        var seen: [String] = []
        var iterator = received.stream.makeAsyncIterator()
        for _ in 0..<3 { seen.append(await iterator.next() ?? "") }
        #expect(seen.filter { $0.hasPrefix("a:") } == ["a:1", "a:3"])
        #expect(seen.filter { $0.hasPrefix("b:") } == ["b:2"])
        for subscription in subscriptions { await subscription.cancel() }
    }

    @Test("with nobody subscribed a batch is discarded without failures, but a bad ttlInSeconds still fails its message alone")
    func discardsAndChecksTTL() async throws {
        let failures = try await broker().bulkPublish([message("1"), message("2", metadata: ["ttlInSeconds": "soon"]), message("3")])
        #expect(failures.map(\.index) == [1])
        #expect("\(failures[0].error)".contains("soon"))
    }

    @Test("a full topic fails the messages past maxBufferedMessages, each alone")
    func full() async throws {
        let pubsub = try broker(["maxBufferedMessages": "2"])
        let gate = Gate()
        let subscription = try await pubsub.subscribe(SubscribeRequest(topic: "t", consumerGroup: "g", maxConcurrency: 1)) { _ in
            await gate.wait()
        }
        let failures = try await pubsub.bulkPublish((0..<6).map { message("\($0)") })
        // One message is held by the blocked handler at most, two wait in the queue.
        #expect(failures.count >= 3 && failures.count <= 4)
        #expect(failures.allSatisfy { "\($0.error)".contains("maxBufferedMessages") })
        await gate.open()
        await subscription.cancel()
    }

    @Test("a closed broker fails every message of the batch")
    func closed() async throws {
        let pubsub = try broker()
        try await pubsub.close()
        let failures = try await pubsub.bulkPublish([message("1"), message("2")])
        #expect(failures.map(\.index) == [0, 1])
    }
}
