import RedisClient
import Testing

@Suite("Stream commands")
struct StreamCommandTests {
    @Test("XGROUP CREATE makes the stream; a second create reports the group exists")
    func createGroupTwice() async throws {
        try await TestRedis.require()
        let client = try await TestRedis.client()
        let stream = TestRedis.uniqueKey("stream")
        #expect(try await client.createGroup("g", on: stream))
        #expect(try await client.createGroup("g", on: stream) == false)
        #expect(try await client.send(RedisCommand("TYPE", stream)) == .simpleString("stream"))
        _ = try await client.send(RedisCommand("DEL", stream))
        await client.close()
    }

    @Test("XADD with MAXLEN ~ keeps the stream near its bound")
    func maxLenTrims() async throws {
        try await TestRedis.require()
        let client = try await TestRedis.client()
        let stream = TestRedis.uniqueKey("stream")
        for index in 0..<1000 {
            _ = try await client.xadd(stream, fields: [RedisStreamField("data", Array("\(index)"))], trim: .maxLengthApproximately(100))
        }
        let length = try await client.send(RedisCommand("XLEN", stream)).integer ?? 0
        #expect(length >= 100 && length < 1000, "XLEN \(length)")
        _ = try await client.send(RedisCommand("DEL", stream))
        await client.close()
    }

    @Test("XAUTOCLAIM takes only entries idle long enough; XCLAIM IDLE makes one due at once; XACK settles")
    func claimAndAck() async throws {
        try await TestRedis.require()
        let client = try await TestRedis.client()
        let stream = TestRedis.uniqueKey("stream")
        try await client.createGroup("g", on: stream)
        let first = try await client.xadd(stream, fields: [RedisStreamField("data", Array("1"))])
        let second = try await client.xadd(stream, fields: [RedisStreamField("data", Array("2"))])
        let reader = try await client.openDedicatedConnection()
        let read = try await reader.xreadgroup(group: "g", consumer: "a", stream: stream, count: 10, block: .milliseconds(100), unblockingThrough: client)
        #expect(read.map(\.id) == [first, second])

        let none = try await client.xautoclaim(stream, group: "g", consumer: "b", minIdle: .seconds(60), start: "0-0", count: 10)
        #expect(none.entries.isEmpty && none.isScanComplete)
        try await client.xclaimIDs(stream, group: "g", consumer: "a", ids: [second], idle: .seconds(60))
        let claimed = try await client.xautoclaim(stream, group: "g", consumer: "b", minIdle: .seconds(60), start: "0-0", count: 10)
        #expect(claimed.entries.map(\.id) == [second])
        #expect(claimed.entries.first?["data"] == Array("2"))
        #expect(try await client.xack(stream, group: "g", ids: [first, second]) == 2)
        #expect(try await client.xack(stream, group: "g", ids: [first]) == 0)
        _ = try await client.send(RedisCommand("DEL", stream))
        await client.close()
    }

    @Test("XAUTOCLAIM reports pending ids whose entries were deleted")
    func deletedWhilePending() async throws {
        try await TestRedis.require()
        let client = try await TestRedis.client()
        let stream = TestRedis.uniqueKey("stream")
        try await client.createGroup("g", on: stream)
        let id = try await client.xadd(stream, fields: [RedisStreamField("data", Array("x"))])
        let reader = try await client.openDedicatedConnection()
        _ = try await reader.xreadgroup(group: "g", consumer: "a", stream: stream, count: 1, block: .milliseconds(100), unblockingThrough: client)
        _ = try await client.send(RedisCommand("XDEL", stream, id))
        let claimed = try await client.xautoclaim(stream, group: "g", consumer: "a", minIdle: .zero, start: "0-0", count: 10)
        #expect(claimed.entries.isEmpty)
        #expect(claimed.deleted == [id])
        _ = try await client.send(RedisCommand("DEL", stream))
        await client.close()
    }
}
