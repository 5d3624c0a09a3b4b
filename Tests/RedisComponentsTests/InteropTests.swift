import OutriggerCore
import RedisClient
@testable import RedisComponents
import Testing
import OutriggerTesting

@Suite("pubsub.redis shares streams with daprd")
struct InteropTests {
    @Test("entries written the way daprd writes them are delivered: data, metadata JSON, either field order, metadata absent")
    func readsDaprEntries() async throws {
        try await TestRedis.require()
        let pubsub = try await TestRedis.pubsub()
        let topic = TestRedis.uniqueTopic("from-daprd")
        let log = DeliveryLog()
        let subscription = try await pubsub.subscribe(SubscribeRequest(topic: topic, consumerGroup: "g")) { await log.record($0) }
        let inspector = try await TestRedis.inspector()
        let event = #"{"data":"hi","datacontenttype":"text/plain","id":"1","pubsubname":"p","source":"app","specversion":"1.0","topic":"t","type":"com.dapr.event.sent"}"#
        // daprd's go-redis writes a Go map, so the field order varies from entry to entry.
        _ = try await inspector.send(RedisCommand("XADD", topic, "*", "metadata", #"{"partitionKey":"k\u003c1"}"#, "data", event))
        _ = try await inspector.send(RedisCommand("XADD", topic, "*", "data", "grpc-no-metadata"))
        _ = try await inspector.send(RedisCommand("XADD", topic, "*", "data", "http-empty-metadata", "metadata", "{}"))
        try await withDeadline(.seconds(60), "three deliveries") { await log.wait { $0.count == 3 } }
        let delivered = await log.deliveries
        #expect(String(decoding: delivered[0].data, as: UTF8.self) == event)
        #expect(delivered[0].metadata == ["partitionKey": "k<1"])
        #expect(delivered[1].data == Array("grpc-no-metadata") && delivered[1].metadata.isEmpty)
        #expect(delivered[2].data == Array("http-empty-metadata") && delivered[2].metadata.isEmpty)
        await subscription.cancel()
        _ = try await inspector.send(RedisCommand("DEL", topic))
        await inspector.close()
        try await pubsub.close()
    }

    @Test("what Outrigger writes is what daprd reads: fields data then metadata, metadata as Go's encoding/json writes it")
    func writesDaprEntries() async throws {
        try await TestRedis.require()
        let pubsub = try await TestRedis.pubsub()
        let topic = TestRedis.uniqueTopic("to-daprd")
        let body = Array(#"{"specversion":"1.0","data":"<b>&</b>"}"#.utf8)
        try await pubsub.publish(OutgoingMessage(topic: topic, data: body, contentType: "application/cloudevents+json", metadata: ["rawPayload": "false", "b": "say \"hi\"\n<&>", "a": "ü\u{2028}"]))
        try await pubsub.publish(OutgoingMessage(topic: topic, data: [0xFF, 0], contentType: "application/octet-stream"))
        let inspector = try await TestRedis.inspector()
        let entries = try await inspector.send(RedisCommand("XRANGE", topic, "-", "+")).array ?? []
        let first = entries[0].array?[1].array ?? []
        #expect(first.compactMap(\.bytes) == [
            Array("data"), body,
            Array("metadata"), Array(#"{"a":"ü\u2028","b":"say \"hi\"\n\u003c\u0026\u003e","rawPayload":"false"}"#.utf8),
        ])
        let second = entries[1].array?[1].array ?? []
        #expect(second.compactMap(\.bytes) == [Array("data"), [0xFF, 0], Array("metadata"), Array("{}")])
        _ = try await inspector.send(RedisCommand("DEL", topic))
        await inspector.close()
        try await pubsub.close()
    }

    @Test("Go's escaping: control characters, quotes, HTML characters and line separators")
    func goEscaping() {
        let text = "\u{01}\u{08}\u{0C}\t\r\n\"\\<>&\u{2028}\u{2029}é"
        #expect(String(decoding: GoJSON.object(["k": text]), as: UTF8.self) == #"{"k":"\u0001\b\f\t\r\n\"\\\u003c\u003e\u0026\u2028\u2029é"}"#)
        #expect(String(decoding: GoJSON.object(["b": "2", "a": "1", "B": "0"]), as: UTF8.self) == #"{"B":"0","a":"1","b":"2"}"#)
        #expect(GoJSON.object([:]) == Array("{}".utf8))
    }

    @Test("metadata that is not a JSON object of strings reads as none; non-string values are skipped")
    func malformedMetadata() {
        #expect(DaprStreamEntry.metadata(Array("not json".utf8)).isEmpty)
        #expect(DaprStreamEntry.metadata(Array("[1]".utf8)).isEmpty)
        #expect(DaprStreamEntry.metadata(Array(#"{"a":"1","n":2}"#.utf8)) == ["a": "1"])
    }
}
