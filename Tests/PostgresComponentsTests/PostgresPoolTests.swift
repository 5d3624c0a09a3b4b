import PostgresClient
import Testing

@Suite("The libpq connection pool on a real PostgreSQL")
struct PostgresPoolTests {
    static func pool(application: String, maxConnections: Int = 2, aliveCheckAfterIdle: Duration = .seconds(1)) throws -> PostgresPool {
        let string = try PostgresConnectionString(parsing: TestDatabase.keywordValue + " application_name=\(application) connect_timeout=5")
        return PostgresPool(configuration: PostgresPoolConfiguration(connectionString: string, maxConnections: maxConnections, aliveCheckAfterIdle: aliveCheckAfterIdle))
    }

    @Test("a connection the server closed while idle is replaced before it is reused")
    func replacesClosedConnection() async throws {
        guard TestDatabase.isAvailable() else { return }
        let application = TestDatabase.uniqueName("closed")
        let pool = try Self.pool(application: application, aliveCheckAfterIdle: .zero)
        let firstPID = try await pool.withConnection { try await $0.execute("select pg_backend_pid()").rows }
        let killer = try Self.pool(application: application + "_killer")
        let killed = try await killer.withConnection {
            try await $0.execute("select pg_terminate_backend(pid, 5000) from pg_stat_activity where application_name = $1", parameters: [.text(application)]).rows
        }
        #expect(killed == [[.bool(true)]])
        let secondPID = try await pool.withConnection { try await $0.execute("select pg_backend_pid()").rows }
        #expect(secondPID != firstPID)
        #expect(pool.statistics.open == 1 && pool.statistics.idle == 1)
        pool.close()
        killer.close()
    }

    @Test("a statement on a connection that broke fails as retriable and the connection is discarded")
    func brokenConnectionDiscarded() async throws {
        guard TestDatabase.isAvailable() else { return }
        let application = TestDatabase.uniqueName("broken")
        let pool = try Self.pool(application: application, aliveCheckAfterIdle: .seconds(3_600))
        _ = try await pool.withConnection { try await $0.execute("select 1") }
        let killer = try Self.pool(application: application + "_killer")
        _ = try await killer.withConnection {
            try await $0.execute("select pg_terminate_backend(pid, 5000) from pg_stat_activity where application_name = $1", parameters: [.text(application)])
        }
        await #expect {
            try await pool.withConnection { try await $0.execute("select 1") }
        } throws: { error in
            (error as? PostgresError)?.isRetriable == true
        }
        #expect(pool.statistics.open == 0)
        #expect(try await pool.withConnection { try await $0.execute("select 2").rows } == [[.integer(2)]])
        pool.close()
        killer.close()
    }

    @Test("close fails callers waiting in line and later leases")
    func closeFailsWaiters() async throws {
        guard TestDatabase.isAvailable() else { return }
        let pool = try Self.pool(application: TestDatabase.uniqueName("close"), maxConnections: 1)
        let (leased, release) = AsyncStream.makeStream(of: Void.self)
        let (released, finish) = AsyncStream.makeStream(of: Void.self)
        let holder = Task {
            try await pool.withConnection { _ in
                release.yield()
                for await _ in released { break }
            }
        }
        for await _ in leased { break }
        let waiter = Task { try await pool.withConnection { try await $0.execute("select 1") } }
        while pool.statistics.waiting == 0 { await Task.yield() }
        pool.close()
        await #expect(throws: PostgresError.closed) { try await waiter.value }
        await #expect(throws: PostgresError.closed) { try await pool.withConnection { _ in } }
        finish.yield()
        try await holder.value
        #expect(pool.statistics.open == 0)
    }
}
