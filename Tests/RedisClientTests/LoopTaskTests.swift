import EventLoopExecutor
import NIOCore
import NIOPosix
@testable import RedisClient
import Testing

/// Tasks that run on a connection's event loop hand their commands to the channel handler
/// directly and are resumed by the reply (no pipeline write, no future): the replies must
/// still reach the right callers, and a connection that breaks must fail them, not strand them.
@Suite("Commands from tasks on the connection's event loop")
struct LoopTaskTests {
    @Test("500 concurrent commands from tasks on the loop each get their own reply, in one pipeline")
    func concurrentRepliesMatchTheirCallers() async throws {
        try await TestRedis.require()
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let loop = group.next()
        let client = try await RedisClient.connect(TestRedis.configuration, poolSize: 1, eventLoopGroup: group)
        let mismatches = await withTaskExecutorPreference(EventLoopTaskExecutor(group)) {
            await withTaskGroup(of: String?.self) { tasks in
                for index in 0..<500 {
                    tasks.addTask {
                        guard loop.inEventLoop else { return "task \(index) did not run on the loop" }
                        let word = "word-\(index)-" + String(repeating: "x", count: index)
                        do {
                            let reply = try await client.send(RedisCommand("ECHO", word))
                            return reply.string == word ? nil : "task \(index) got \(reply.string?.prefix(20) ?? "nothing")"
                        } catch {
                            return "task \(index) failed: \(error)"
                        }
                    }
                }
                var found: [String] = []
                for await mismatch in tasks { if let mismatch { found.append(mismatch) } }
                return found
            }
        }
        #expect(mismatches.count == 0, "wrong answers, the first: \(mismatches.prefix(3))")
        await client.close()
        try await group.shutdownGracefully()
    }

    @Test("a command waiting on a connection the server kills fails with a connection problem")
    func killedConnectionFailsTheWaitingCommand() async throws {
        try await TestRedis.require()
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let client = try await RedisClient.connect(TestRedis.configuration, poolSize: 1, eventLoopGroup: group)
        let killer = try await RedisConnection.connect(TestRedis.configuration)
        let key = TestRedis.uniqueKey("loop-kill")
        let outcome = await withTaskExecutorPreference(EventLoopTaskExecutor(group)) { () -> Result<RedisValue, RedisError> in
            do throws(RedisError) {
                let id = try await client.send(RedisCommand("CLIENT", "ID")).integer ?? -1
                let kill = Task {
                    // Once the BLPOP below is blocked in the server, end its connection.
                    for _ in 0..<200 {
                        let blocked = (try? await killer.send(RedisCommand("CLIENT", "LIST", "ID", String(id))))?.string ?? ""
                        if blocked.contains("cmd=blpop") { break }
                        try? await Task.sleep(for: .milliseconds(10))
                    }
                    _ = try? await killer.send(RedisCommand("CLIENT", "KILL", "ID", String(id)))
                }
                defer { kill.cancel() }
                return .success(try await client.send(RedisCommand("BLPOP", key, "0")))
            } catch {
                return .failure(error)
            }
        }
        switch outcome {
        case .success(let value): Issue.record("BLPOP on a killed connection answered \(value)")
        case .failure(let error): #expect(error.isConnectionProblem, "\(error)")
        }
        await killer.close()
        await client.close()
        try await group.shutdownGracefully()
    }
}
