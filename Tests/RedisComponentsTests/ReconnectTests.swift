import OutriggerCore
import RedisClient
import RedisComponents
import Testing
import OutriggerTesting

@Suite("pubsub.redis survives its server")
struct ReconnectTests {
    @Test("after a server restart the supervisor reconnects and the subscription resumes; publishes meanwhile fail fast")
    func restart() async throws {
        try RedisServerProcess.requireInstalled()
        let server = try await RedisServerProcess.start(["--appendonly", "yes", "--appendfsync", "always"])
        defer { server.stop() }
        let pubsub = try await TestRedis.pubsub(["processingTimeout": "1s", "redeliverInterval": "200ms"], host: "127.0.0.1:\(server.port)")
        let topic = TestRedis.uniqueTopic("restart")
        let log = DeliveryLog()
        let subscription = try await pubsub.subscribe(SubscribeRequest(topic: topic, consumerGroup: "g")) { await log.record($0) }
        try await pubsub.publish("before", to: topic)
        try await withDeadline(.seconds(60), "the first message") { await log.waitForAll(["before"]) }

        await server.kill()
        try await eventually(.seconds(10), "the loss to be noticed") { pubsub.health != .connected }
        let started = ContinuousClock.now
        let error = await #expect(throws: ComponentError.self) { try await pubsub.publish("during", to: topic) }
        #expect(error?.kind == .retriable)
        #expect(ContinuousClock.now - started < .seconds(1), "a publish during the outage fails fast")

        try await server.launch()
        try await eventually(.seconds(20), "the reconnect") { pubsub.health == .connected }
        try await pubsub.publish("after", to: topic)
        try await withDeadline(.seconds(60), "the message published after the restart") { await log.waitForAll(["after"]) }
        #expect(await log.counts["during"] == nil)
        await subscription.cancel()
        try await pubsub.close()
    }

    @Test("a consumer group that vanishes (the stream was deleted) is created again and delivery goes on")
    func vanishedGroup() async throws {
        try await TestRedis.require()
        let pubsub = try await TestRedis.pubsub(["processingTimeout": "1s", "redeliverInterval": "100ms"])
        let topic = TestRedis.uniqueTopic("nogroup")
        let log = DeliveryLog()
        let subscription = try await pubsub.subscribe(SubscribeRequest(topic: topic, consumerGroup: "g")) { await log.record($0) }
        try await pubsub.publish("one", to: topic)
        try await withDeadline(.seconds(60), "the first message") { await log.waitForAll(["one"]) }
        let inspector = try await TestRedis.inspector()
        _ = try await inspector.send(RedisCommand("DEL", topic))
        // Publish until the group exists again and a message gets through.
        try await withDeadline(.seconds(60), "delivery after the group was recreated") {
            var index = 0
            while await log.deliveries.count < 2 {
                index += 1
                try await pubsub.publish("again-\(index)", to: topic)
                try await Task.sleep(for: .milliseconds(50))
            }
        }
        await subscription.cancel()
        _ = try await inspector.send(RedisCommand("DEL", topic))
        await inspector.close()
        try await pubsub.close()
    }
}
