import OutriggerCore
import RedisClient
import RedisComponents
import Synchronization
import Testing
import OutriggerTesting

/// Small timeouts so that redelivery shows within a test.
private let quick = ["processingTimeout": "400ms", "redeliverInterval": "100ms"]

@Suite("pubsub.redis redelivers what was not handled, and nothing twice")
struct RedeliveryTests {
    @Test("a message whose handler failed stays pending and comes back after processingTimeout")
    func failedComesBack() async throws {
        try await TestRedis.require()
        let pubsub = try await TestRedis.pubsub(quick)
        let topic = TestRedis.uniqueTopic("failed")
        let log = DeliveryLog()
        let clock = ContinuousClock()
        let times = Mutex<[ContinuousClock.Instant]>([])
        let subscription = try await pubsub.subscribe(SubscribeRequest(topic: topic, consumerGroup: "g")) { message in
            let attempt = times.withLock { times in
                times.append(clock.now)
                return times.count
            }
            await log.record(message)
            if attempt == 1 { throw TestFailure() }
        }
        try await pubsub.publish("once", to: topic)
        try await withDeadline(.seconds(60), "the second delivery") { await log.wait { $0.count == 2 } }
        let seen = times.withLock { $0 }
        // Redis counts the idle time from the read, a little before the handler started, so the
        // gap seen here can be slightly under processingTimeout; half of it still tells "waited
        // for processingTimeout" from "came straight back".
        #expect(seen[1] - seen[0] >= .milliseconds(200), "redelivered after \(seen[1] - seen[0])")
        await subscription.cancel()
        let inspector = try await TestRedis.inspector()
        #expect(try await inspector.send(RedisCommand("XPENDING", topic, "g")).array?.first == .integer(0))
        _ = try await inspector.send(RedisCommand("DEL", topic))
        await inspector.close()
        try await pubsub.close()
    }

    @Test("a message still being handled past processingTimeout is not delivered again, to this subscriber or another of the group")
    func inFlightNotReclaimed() async throws {
        try await TestRedis.require()
        let pubsub = try await TestRedis.pubsub(quick)
        let topic = TestRedis.uniqueTopic("inflight")
        let log = DeliveryLog()
        let gate = Gate()
        let handler: MessageHandler = { message in
            await log.record(message)
            await gate.wait()
        }
        let first = try await pubsub.subscribe(SubscribeRequest(topic: topic, consumerGroup: "g"), handler: handler)
        let second = try await pubsub.subscribe(SubscribeRequest(topic: topic, consumerGroup: "g"), handler: handler)
        try await pubsub.publish("slow", to: topic)
        try await withDeadline(.seconds(60), "the first delivery") { await log.wait { $0.count == 1 } }
        // The reclaim runs every 100 ms and claims the entry once it has been idle 400 ms (its
        // delivery count rises), yet must not hand it out again while the handler holds it.
        let inspector = try await TestRedis.inspector()
        try await eventually(.seconds(10), "a reclaim to claim the held entry twice") {
            let entries = try await inspector.send(RedisCommand("XPENDING", topic, "g", "-", "+", "10")).array ?? []
            return (entries.first?.array?[3].integer ?? 0) >= 3
        }
        #expect(await log.deliveries.count == 1)
        await gate.release()
        try await eventually(.seconds(10), "the acknowledgement") {
            try await inspector.send(RedisCommand("XPENDING", topic, "g")).array?.first == .integer(0)
        }
        await first.cancel()
        await second.cancel()
        #expect(await log.deliveries.count == 1)
        _ = try await inspector.send(RedisCommand("DEL", topic))
        await inspector.close()
        try await pubsub.close()
    }

    @Test("a message handed back unhandled (the handler was cancelled) comes back at once, long before processingTimeout")
    func cancelledComesBackAtOnce() async throws {
        try await TestRedis.require()
        let pubsub = try await TestRedis.pubsub(["processingTimeout": "60s", "redeliverInterval": "100ms"])
        let topic = TestRedis.uniqueTopic("handback")
        let started = DeliveryLog()
        let gate = Gate()
        let closing = try await pubsub.subscribe(SubscribeRequest(topic: topic, consumerGroup: "g")) { message in
            await started.record(message)
            await gate.wait()
            throw CancellationError()
        }
        try await pubsub.publish("handed-back", to: topic)
        try await withDeadline(.seconds(60), "the first delivery") { await started.wait { $0.count == 1 } }
        closing.stopPulling()
        await gate.release()
        await closing.finish()
        let log = DeliveryLog()
        let next = try await pubsub.subscribe(SubscribeRequest(topic: topic, consumerGroup: "g")) { await log.record($0) }
        try await withDeadline(.seconds(60), "the handed-back message at the next subscriber") { await log.waitForAll(["handed-back"]) }
        await next.cancel()
        _ = try await TestRedis.inspector().send(RedisCommand("DEL", topic))
        try await pubsub.close()
    }

    @Test("finished messages are acknowledged in batches: fewer XACK calls than messages")
    func batchedAcks() async throws {
        try RedisServerProcess.requireInstalled()
        let server = try await RedisServerProcess.start()
        defer { server.stop() }
        let pubsub = try await TestRedis.pubsub(["concurrency": "100"], host: "127.0.0.1:\(server.port)")
        let topic = TestRedis.uniqueTopic("batched")
        let sent = (1...300).map { "m\($0)" }
        for payload in sent { try await pubsub.publish(payload, to: topic) }
        let log = DeliveryLog()
        let subscription = try await pubsub.subscribe(SubscribeRequest(topic: topic, consumerGroup: "g", maxConcurrency: 100)) { await log.record($0) }
        try await withDeadline(.seconds(60), "every message") { await log.waitForAll(Set(sent)) }
        let inspector = try await TestRedis.inspector(port: server.port)
        try await eventually(.seconds(10), "every acknowledgement") {
            try await inspector.send(RedisCommand("XPENDING", topic, "g")).array?.first == .integer(0)
        }
        await subscription.cancel()
        let stats = try await inspector.send(RedisCommand("INFO", "commandstats")).string ?? ""
        let line = stats.split(separator: "\r\n").first { $0.hasPrefix("cmdstat_xack:") } ?? ""
        let calls = Int(line.split(separator: ",").first?.split(separator: "=").last ?? "") ?? .max
        #expect(calls < sent.count, "\(calls) XACK calls for \(sent.count) messages")
        print("batched acks: \(calls) XACK calls for \(sent.count) messages")
        await inspector.close()
        try await pubsub.close()
    }
}

struct TestFailure: Error {}
