import OutriggerCore
import RedisClient
import RedisComponents
import Testing
import OutriggerTesting

@Suite("pubsub.redis publishes and delivers")
struct PubSubTests {
    @Test("a published message arrives with its bytes and publish metadata, and is acknowledged")
    func roundTrip() async throws {
        try await TestRedis.require()
        let pubsub = try await TestRedis.pubsub()
        let topic = TestRedis.uniqueTopic("roundtrip")
        let log = DeliveryLog()
        let subscription = try await pubsub.subscribe(SubscribeRequest(topic: topic, consumerGroup: "g")) { await log.record($0) }
        let body: [UInt8] = [0, 1, 2, 255, 13, 10] + Array("{\"x\":1}".utf8)
        try await pubsub.publish(OutgoingMessage(topic: topic, data: body, contentType: "application/octet-stream", metadata: ["partitionKey": "k1", "a": "b"]))
        try await withDeadline(.seconds(60), "the delivery") { await log.wait { $0.count == 1 } }
        let message = try #require(await log.deliveries.first)
        #expect(message.data == body)
        #expect(message.topic == topic)
        #expect(message.metadata == ["partitionKey": "k1", "a": "b"])
        await subscription.cancel()
        let inspector = try await TestRedis.inspector()
        let pending = try await inspector.send(RedisCommand("XPENDING", topic, "g"))
        #expect(pending.array?.first == .integer(0), "acknowledged: \(pending)")
        _ = try await inspector.send(RedisCommand("DEL", topic))
        await inspector.close()
        try await pubsub.close()
    }

    @Test("subscribe returns only once live: a publish right after it is received")
    func liveOnReturn() async throws {
        try await TestRedis.require()
        let pubsub = try await TestRedis.pubsub()
        let topic = TestRedis.uniqueTopic("live")
        let log = DeliveryLog()
        let subscription = try await pubsub.subscribe(SubscribeRequest(topic: topic, consumerGroup: "g")) { await log.record($0) }
        try await pubsub.publish("first", to: topic)
        try await withDeadline(.seconds(60), "the first message") { await log.waitForAll(["first"]) }
        await subscription.cancel()
        try await pubsub.close()
    }

    @Test("every consumer group gets every message; subscribers of one group share them")
    func consumerGroups() async throws {
        try await TestRedis.require()
        let pubsub = try await TestRedis.pubsub()
        let topic = TestRedis.uniqueTopic("groups")
        let (a1, a2, b) = (DeliveryLog(), DeliveryLog(), DeliveryLog())
        // Each subscriber of group a holds its first message until the other has one too: with
        // one message at a time each, the group must hand the next message to the other.
        let first = try await pubsub.subscribe(SubscribeRequest(topic: topic, consumerGroup: "a", maxConcurrency: 1)) { message in
            await a1.record(message)
            _ = try? await withDeadline(.seconds(5), "the other subscriber's first message") { await a2.wait { !$0.isEmpty } }
        }
        let second = try await pubsub.subscribe(SubscribeRequest(topic: topic, consumerGroup: "a", maxConcurrency: 1)) { message in
            await a2.record(message)
            _ = try? await withDeadline(.seconds(5), "the other subscriber's first message") { await a1.wait { !$0.isEmpty } }
        }
        // One at a time, so group b's handlers record in delivery order.
        let other = try await pubsub.subscribe(SubscribeRequest(topic: topic, consumerGroup: "b", maxConcurrency: 1)) { await b.record($0) }
        let sent = (1...50).map { "m\($0)" }
        for payload in sent { try await pubsub.publish(payload, to: topic) }
        // Generous: a second on an idle box, but 20 s once ran out in the first minute of `make test`.
        try await withDeadline(.seconds(60), "group b to get everything") { await b.waitForAll(Set(sent)) }
        try await eventually(.seconds(60), "group a to get everything") { Set(await a1.payloads + a2.payloads) == Set(sent) }
        for subscription in [first, second, other] { await subscription.cancel() }
        let (shareA1, shareA2) = (await a1.payloads, await a2.payloads)
        #expect(shareA1.count + shareA2.count == sent.count, "each message once within group a")
        #expect(!shareA1.isEmpty && !shareA2.isEmpty, "both subscribers of group a got some: \(shareA1.count)/\(shareA2.count)")
        #expect(await b.payloads == sent, "group b in publish order")
        _ = try await TestRedis.inspector().send(RedisCommand("DEL", topic))
        try await pubsub.close()
    }

    @Test("bulk publish writes every entry in one pipeline and reports none failed")
    func bulkPublish() async throws {
        try await TestRedis.require()
        let pubsub = try await TestRedis.pubsub()
        let topic = TestRedis.uniqueTopic("bulk")
        let messages = (1...100).map { OutgoingMessage(topic: topic, data: Array("b\($0)".utf8), contentType: "text/plain") }
        let failures = try await pubsub.bulkPublish(messages)
        #expect(failures.isEmpty)
        let inspector = try await TestRedis.inspector()
        #expect(try await inspector.send(RedisCommand("XLEN", topic)) == .integer(100))
        let range = try await inspector.send(RedisCommand("XRANGE", topic, "-", "+")).array ?? []
        #expect(range.compactMap { $0.array?[1].array?[1].bytes.map { String(decoding: $0, as: UTF8.self) } } == (1...100).map { "b\($0)" })
        _ = try await inspector.send(RedisCommand("DEL", topic))
        await inspector.close()
        try await pubsub.close()
    }

    @Test("ping answers and health reports connected; after close both say so")
    func pingAndHealth() async throws {
        try await TestRedis.require()
        let pubsub = try await TestRedis.pubsub()
        try await pubsub.ping()
        #expect(pubsub.health == .connected)
        try await pubsub.close()
        #expect(pubsub.health == .closed)
        await #expect(throws: ComponentError.self) { try await pubsub.publish("late", to: "x") }
    }
}
