import RedisClient
import Testing
import OutriggerTesting

@Suite("Blocking reads on dedicated connections")
struct BlockingTests {
    @Test("a blocked XREADGROUP does not hold up commands on the pool, and gets the entry added meanwhile")
    func blockingDoesNotBlockPool() async throws {
        try await TestRedis.require()
        let client = try await TestRedis.client()
        let stream = TestRedis.uniqueKey("stream")
        try await client.createGroup("group", on: stream)
        let reader = try await client.openDedicatedConnection()
        let read = Task {
            try await reader.xreadgroup(group: "group", consumer: "c", stream: stream, count: 10, block: .seconds(120), unblockingThrough: client)
        }
        try await withDeadline(.seconds(60), "the reader to block") {
            while try await client.send(RedisCommand("CLIENT", "LIST", "ID", String(reader.clientID ?? 0))).string?.contains("cmd=xreadgroup") != true {
                await Task.yield()
            }
        }
        let id = try await withDeadline(.seconds(30), "XADD while a read blocks") {
            try await client.xadd(stream, fields: [RedisStreamField("data", Array("hello"))])
        }
        let entries = try await withDeadline(.seconds(60), "the blocked read to return") { try await read.value }
        #expect(entries.map(\.id) == [id])
        #expect(entries.first?["data"] == Array("hello"))
        _ = try await client.send(RedisCommand("DEL", stream))
        await client.close()
    }

    @Test("cancelling a blocked read ends it at once with CLIENT UNBLOCK and keeps the connection")
    func cancelUnblocks() async throws {
        try await TestRedis.require()
        let client = try await TestRedis.client()
        let stream = TestRedis.uniqueKey("stream")
        try await client.createGroup("group", on: stream)
        let reader = try await client.openDedicatedConnection()
        let started = ContinuousClock.now
        let read = Task {
            try await reader.xreadgroup(group: "group", consumer: "c", stream: stream, count: 10, block: .seconds(30), unblockingThrough: client)
        }
        read.cancel()
        // Bounds generous for a loaded CI box, and still well short of the read's 30 s block.
        let entries = try await withDeadline(.seconds(60), "the cancelled read to return") { try await read.value }
        #expect(entries.isEmpty)
        #expect(ContinuousClock.now - started < .seconds(20))
        #expect(reader.isOpen)
        #expect(try await reader.send(RedisCommand("PING")) == .simpleString("PONG"))
        _ = try await client.send(RedisCommand("DEL", stream))
        await client.close()
        #expect(!reader.isOpen, "closing the client closes its dedicated connections")
    }
}
