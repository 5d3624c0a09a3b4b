import OutriggerCore
import RedisClient
import RedisComponents
import Synchronization
import Testing

@Suite("pubsub.redis loses nothing when its server restarts")
struct FaultTests {
    /// Publishes and deliveries that a test counts from many tasks.
    final class Tally: Sendable {
        private struct Counts {
            var accepted: Set<String> = []
            var refused = 0
            var deliveries: [String: Int] = [:]
        }

        private let counts = Mutex(Counts())

        func accepted(_ payload: String) { counts.withLock { _ = $0.accepted.insert(payload) } }
        func refused() { counts.withLock { $0.refused += 1 } }
        func delivered(_ payload: String) { counts.withLock { $0.deliveries[payload, default: 0] += 1 } }

        var acceptedCount: Int { counts.withLock { $0.accepted.count } }
        var refusedCount: Int { counts.withLock { $0.refused } }
        /// Accepted payloads never delivered.
        var missing: [String] { counts.withLock { counts in counts.accepted.filter { counts.deliveries[$0] == nil }.sorted() } }
        var duplicates: Int { counts.withLock { $0.deliveries.values.reduce(0) { $0 + max($1 - 1, 0) } } }
        var deliveredCount: Int { counts.withLock { $0.deliveries.count } }
    }

    @Test("10,000 publishes and deliveries with redis-server killed and restarted twice: every accepted publish is delivered")
    func restartsDuringTraffic() async throws {
        try RedisServerProcess.requireInstalled()
        let server = try await RedisServerProcess.start(["--appendonly", "yes", "--appendfsync", "always"])
        defer { server.stop() }
        let pubsub = try await TestRedis.pubsub(
            ["processingTimeout": "2s", "redeliverInterval": "250ms", "concurrency": "64"], host: "127.0.0.1:\(server.port)")
        let topic = TestRedis.uniqueTopic("fault")
        let tally = Tally()
        let subscription = try await pubsub.subscribe(SubscribeRequest(topic: topic, consumerGroup: "g", maxConcurrency: 64)) { message in
            tally.delivered(String(decoding: message.data, as: UTF8.self))
        }
        let total = 10_000
        let lanes = 16
        let started = ContinuousClock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            for lane in 0..<lanes {
                group.addTask {
                    for index in stride(from: lane, to: total, by: lanes) {
                        let payload = "fault-\(index)"
                        do {
                            try await pubsub.publish(payload, to: topic)
                            tally.accepted(payload)
                        } catch {
                            // Counted, not tried again: only accepted publishes must arrive.
                            tally.refused()
                            try await eventually(.seconds(30), "the reconnect") { pubsub.health == .connected }
                        }
                    }
                }
            }
            group.addTask {
                for threshold in [3_000, 7_000] {
                    try await eventually(.seconds(60), "\(threshold) publishes") { tally.acceptedCount >= threshold }
                    await server.kill()
                    try await server.launch()
                }
            }
            try await group.waitForAll()
        }
        let published = ContinuousClock.now
        try await eventually(.seconds(90), "every accepted publish to be delivered") { tally.missing.isEmpty }
        let delivered = ContinuousClock.now
        await subscription.cancel()
        try await pubsub.close()
        print("""
            fault test: \(total) publishes, \(tally.acceptedCount) accepted, \(tally.refusedCount) refused during the outages; \
            \(tally.deliveredCount) distinct delivered, \(tally.duplicates) duplicates; \
            publishing took \(published - started), all delivered \(delivered - started) after the start
            """)
        #expect(tally.missing.isEmpty)
        #expect(tally.acceptedCount + tally.refusedCount == total)
    }
}
