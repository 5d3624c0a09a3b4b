import Foundation
import OutriggerCore
import RedisClient
import RedisComponents
import Testing

@Suite("pubsub.redis trims its streams")
struct TrimmingTests {
    @Test("maxLenApprox keeps the stream near its bound (XADD MAXLEN ~)")
    func maxLenApprox() async throws {
        try await TestRedis.require()
        let pubsub = try await TestRedis.pubsub(["maxLenApprox": "100"])
        let topic = TestRedis.uniqueTopic("maxlen")
        for index in 1...1000 { try await pubsub.publish("m\(index)", to: topic) }
        let inspector = try await TestRedis.inspector()
        let length = try await inspector.send(RedisCommand("XLEN", topic)).integer ?? 0
        #expect(length >= 100 && length < 300, "XLEN \(length) after 1000 publishes")
        _ = try await inspector.send(RedisCommand("DEL", topic))
        await inspector.close()
        try await pubsub.close()
    }

    @Test("streamTTL drops entries older than the TTL (XADD MINID ~)")
    func streamTTL() async throws {
        try RedisServerProcess.requireInstalled()
        // One entry per stream node, so that approximate trimming is exact.
        let server = try await RedisServerProcess.start(["--stream-node-max-entries", "1"])
        defer { server.stop() }
        let inspector = try await TestRedis.inspector(port: server.port)
        let topic = TestRedis.uniqueTopic("ttl")
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        for age in [3_600_000, 120_000, 1_000] as [Int64] {
            _ = try await inspector.send(RedisCommand("XADD", topic, "\(now - age)-0", "data", "aged \(age)"))
        }
        let pubsub = try await TestRedis.pubsub(["streamTTL": "1m"], host: "127.0.0.1:\(server.port)")
        try await pubsub.publish("new", to: topic)
        let left = (try await inspector.send(RedisCommand("XRANGE", topic, "-", "+")).array ?? []).compactMap { $0.array?[1].array?[1].string }
        #expect(left == ["aged 1000", "new"])
        await inspector.close()
        try await pubsub.close()
    }
}
