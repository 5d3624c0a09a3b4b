import NIOCore
import NIOPosix
@testable import RedisClient
import Testing

@Suite("Pooled connections and event loops")
struct PoolLocalityTests {
    @Test("the pool spreads over the group's event loops, and a command sent from one of them goes out on that loop's connection")
    func commandsStayOnTheCallersLoop() async throws {
        try await TestRedis.require()
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
        let loops = Array(group.makeIterator())
        let client = try await RedisClient.connect(TestRedis.configuration, poolSize: 2, eventLoopGroup: group)
        // CLIENT ID names the connection a command went out on.
        func connectionID(from loop: any EventLoop) async throws -> RedisValue {
            try await loop.flatSubmit { client.enqueue(RedisCommand("CLIENT", "ID")) }.get()
        }
        var seen: [[RedisValue]] = []
        for loop in loops {
            var ids: [RedisValue] = []
            for _ in 0..<4 { ids.append(try await connectionID(from: loop)) }
            seen.append(ids)
        }
        #expect(Set(seen[0]).count == 1, "four commands from loop 0 used \(Set(seen[0]).count) connections")
        #expect(Set(seen[1]).count == 1, "four commands from loop 1 used \(Set(seen[1]).count) connections")
        #expect(seen[0][0] != seen[1][0], "both loops used one connection: the pool is not spread over the loops")
        await client.close()
        try await group.shutdownGracefully()
    }
}
