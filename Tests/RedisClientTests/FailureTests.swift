import RedisClient
import Testing
import OutriggerTesting

@Suite("Connection failures are typed")
struct FailureTests {
    @Test("a refused connection is connectFailed")
    func refused() async throws {
        // Port 1 on the loopback: nothing listens there.
        let error = await #expect(throws: RedisError.self) {
            try await RedisConnection.connect(RedisConfiguration(host: "127.0.0.1", port: 1, dialTimeout: .seconds(2)))
        }
        guard case .connectFailed? = error else {
            Issue.record("expected connectFailed, got \(String(describing: error))")
            return
        }
    }

    @Test("a dial that gets no answer gives up after the dial timeout")
    func dialTimeout() async throws {
        let started = ContinuousClock.now
        // 192.0.2.0/24 is reserved for documentation: nothing answers there.
        let error = await #expect(throws: RedisError.self) {
            try await RedisConnection.connect(RedisConfiguration(host: "192.0.2.1", port: 6379, dialTimeout: .milliseconds(300)))
        }
        // Generous for a loaded CI box (one run took 5.1 s); without the dial timeout the
        // kernel's SYN retries take over two minutes.
        #expect(ContinuousClock.now - started < .seconds(30))
        guard case .connectFailed? = error else {
            Issue.record("expected connectFailed, got \(String(describing: error))")
            return
        }
    }

    @Test("no reply within the read timeout fails with timeout and closes the connection")
    func readTimeout() async throws {
        try await TestRedis.require()
        // The timeout is the command's: one of 200 ms on the connection would bound the
        // handshake's replies too, which a loaded box once missed.
        let connection = try await RedisConnection.connect(TestRedis.configuration)
        // BLPOP sent as an ordinary command: the server holds the reply for 5 s.
        let error = await #expect(throws: RedisError.self) {
            try await connection.send(RedisCommand("BLPOP", TestRedis.uniqueKey("never"), "5"), timeout: .milliseconds(200))
        }
        // The server would answer after 5 s with a nil reply, not an error: the timeout error is the proof.
        #expect(error == .timeout(.milliseconds(200)))
        let after = await #expect(throws: RedisError.self) { try await connection.send(RedisCommand("PING")) }
        #expect(after?.isConnectionProblem == true)
        #expect(!connection.isOpen)
    }

    @Test("a connection killed by the server fails its outstanding commands with connectionLost")
    func killedConnection() async throws {
        try await TestRedis.require()
        let client = try await TestRedis.client()
        let dedicated = try await client.openDedicatedConnection()
        let id = try #require(dedicated.clientID)
        let key = TestRedis.uniqueKey("killed")
        let blocked = Task { () -> Result<RedisValue, RedisError> in
            do throws(RedisError) {
                return .success(try await dedicated.sendBlocking(RedisCommand("BLPOP", key, "10"), block: .seconds(10), unblockingThrough: client))
            } catch {
                return .failure(error)
            }
        }
        // Wait until the server sees the connection blocked, then kill it.
        try await withDeadline(.seconds(60), "the BLPOP to block") {
            while true {
                let list = try await client.send(RedisCommand("CLIENT", "LIST", "ID", String(id))).string ?? ""
                if list.contains("cmd=blpop") { return }
                await Task.yield()
            }
        }
        _ = try await client.send(RedisCommand("CLIENT", "KILL", "ID", String(id)))
        let outcome = try await withDeadline(.seconds(60), "the killed connection to fail") { await blocked.value }
        guard case .failure(.connectionLost) = outcome else {
            Issue.record("expected connectionLost, got \(outcome)")
            return
        }
        await client.close()
    }

    @Test("after close every command fails with closed")
    func closedClient() async throws {
        try await TestRedis.require()
        let client = try await TestRedis.client()
        await client.close()
        let error = await #expect(throws: RedisError.self) { try await client.send(RedisCommand("PING")) }
        #expect(error == .closed)
        await #expect(throws: RedisError.closed) { try await client.openDedicatedConnection() }
    }
}
