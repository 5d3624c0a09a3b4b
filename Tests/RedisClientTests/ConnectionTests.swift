import RedisClient
import Testing

@Suite("Commands and replies on a real Redis")
struct ConnectionTests {
    @Test("PING answers PONG as a status line")
    func ping() async throws {
        try await TestRedis.require()
        let client = try await TestRedis.client()
        #expect(try await client.send(RedisCommand("PING")) == .simpleString("PONG"))
        await client.close()
    }

    @Test("values are binary-safe: NUL, CR LF and invalid UTF-8 come back byte for byte")
    func binarySafe() async throws {
        try await TestRedis.require()
        let client = try await TestRedis.client()
        let key = TestRedis.uniqueKey("binary")
        let value: [UInt8] = [0, 13, 10, 0xFF, 0xFE, 36, 45, 49, 13, 10, 42]
        var set = RedisCommand("SET", key)
        set.append(bytes: value)
        set.append("EX")
        set.append(60)
        #expect(try await client.send(set) == .simpleString("OK"))
        #expect(try await client.send(RedisCommand("GET", key)) == .bulkString(value))
        #expect(try await client.send(RedisCommand("GET", TestRedis.uniqueKey("missing"))) == .null)
        await client.close()
    }

    @Test("a thousand concurrent commands on one pipelined connection each get their own reply")
    func pipelining() async throws {
        try await TestRedis.require()
        let client = try await TestRedis.client(poolSize: 1)
        let key = TestRedis.uniqueKey("pipeline")
        let answers = try await withThrowingTaskGroup(of: Int64.self) { group in
            for _ in 0..<1000 {
                group.addTask { try await client.send(RedisCommand("INCR", key)).integer ?? -1 }
            }
            return try await group.reduce(into: [Int64]()) { $0.append($1) }
        }
        #expect(Set(answers) == Set(1...1000))
        _ = try await client.send(RedisCommand("DEL", key))
        await client.close()
    }

    @Test("an error reply is a typed server error and the connection stays usable")
    func serverError() async throws {
        try await TestRedis.require()
        let client = try await TestRedis.client(poolSize: 1)
        let key = TestRedis.uniqueKey("wrongtype")
        _ = try await client.send(RedisCommand("SET", key, "text", "EX", "60"))
        let error = await #expect(throws: RedisError.self) { try await client.send(RedisCommand("INCR", key)) }
        #expect(error?.serverCode == "ERR")
        #expect(error?.isConnectionProblem == false)
        let typeError = await #expect(throws: RedisError.self) { try await client.send(RedisCommand("LPUSH", key, "x")) }
        #expect(typeError?.serverCode == "WRONGTYPE")
        #expect(try await client.send(RedisCommand("PING")) == .simpleString("PONG"))
        await client.close()
    }

    @Test("nested arrays, integers and nils are typed values")
    func nestedReplies() async throws {
        try await TestRedis.require()
        let client = try await TestRedis.client()
        let key = TestRedis.uniqueKey("list")
        _ = try await client.send(RedisCommand("RPUSH", key, "a", "b"))
        let reply = try await client.send(RedisCommand("EVAL", "return {1, 'x', {KEYS[1]}, false}", "1", key))
        #expect(reply == .array([.integer(1), .bulkString(Array("x")), .array([.bulkString(Array(key))]), .null]))
        #expect(try await client.send(RedisCommand("LRANGE", key, "0", "-1")) == .array([.bulkString(Array("a")), .bulkString(Array("b"))]))
        _ = try await client.send(RedisCommand("DEL", key))
        await client.close()
    }

    @Test("SELECT after connecting puts keys in the configured database")
    func selectDatabase() async throws {
        try await TestRedis.require()
        let database3 = try await TestRedis.client { $0.database = 3 }
        let database0 = try await TestRedis.client()
        let key = TestRedis.uniqueKey("db")
        _ = try await database3.send(RedisCommand("SET", key, "three", "EX", "60"))
        #expect(try await database3.send(RedisCommand("GET", key)) == .bulkString(Array("three")))
        #expect(try await database0.send(RedisCommand("GET", key)) == .null)
        await database3.close()
        await database0.close()
    }

    @Test("AUTH with an ACL user and password; a wrong password is an authentication failure")
    func authentication() async throws {
        try await TestRedis.require()
        let admin = try await TestRedis.client()
        let user = TestRedis.uniqueKey("user")
        _ = try await admin.send(RedisCommand("ACL", "SETUSER", user, "on", ">s3cret", "~*", "+@all"))
        let authenticated = try await TestRedis.client {
            $0.username = user
            $0.password = "s3cret"
        }
        #expect(try await authenticated.send(RedisCommand("ACL", "WHOAMI")) == .bulkString(Array(user)))
        await authenticated.close()
        let refused = await #expect(throws: RedisError.self) {
            try await TestRedis.client {
                $0.username = user
                $0.password = "wrong"
            }
        }
        if case .server(let error)? = refused {
            #expect(error.isAuthenticationFailure, "\(error)")
        } else {
            Issue.record("expected a server error, got \(String(describing: refused))")
        }
        _ = try await admin.send(RedisCommand("ACL", "DELUSER", user))
        await admin.close()
    }
}
