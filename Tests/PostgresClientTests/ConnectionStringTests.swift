import PostgresClient
import Testing

@Suite("Connection strings in pgx's two forms")
struct ConnectionStringTests {
    @Test("keyword=value pairs are read with quotes, escapes and spaces around '='")
    func keywordValue() throws {
        let parsed = try PostgresConnectionString(parsing: #"host=db.example port = 5433 user=app password='it\'s a secret' dbname=orders"#)
        #expect(parsed.settings == ["host": "db.example", "port": "5433", "user": "app", "password": "it's a secret", "dbname": "orders"])
    }

    @Test("database is libpq's dbname")
    func databaseIsDbname() throws {
        let parsed = try PostgresConnectionString(parsing: "host=h database=dapr_test")
        #expect(parsed["dbname"] == "dapr_test")
        #expect(parsed["database"] == "dapr_test")
        #expect(parsed.settings["database"] == nil)
    }

    @Test("a URL is split into user, password, host, port, database and query parameters")
    func url() throws {
        let parsed = try PostgresConnectionString(parsing: "postgres://us%40er:p%3Ass@127.0.0.1:5432/dapr_test?sslmode=disable&application_name=a+b")
        #expect(parsed.settings == [
            "user": "us@er", "password": "p:ss", "host": "127.0.0.1", "port": "5432",
            "dbname": "dapr_test", "sslmode": "disable", "application_name": "a b",
        ])
    }

    @Test("a URL with several hosts and an IPv6 address gives comma-separated hosts and ports")
    func urlHosts() throws {
        let parsed = try PostgresConnectionString(parsing: "postgresql://a:5432,[::1]:5433,b/db")
        #expect(parsed["host"] == "a,::1,b")
        #expect(parsed["port"] == "5432,5433")
        #expect(parsed["dbname"] == "db")
    }

    @Test("pgxpool parameters are taken out of the string in both forms")
    func poolParameters() throws {
        let forms = [
            "host=h pool_max_conns=7 pool_min_conns=1 pool_max_conn_lifetime=1h30m pool_max_conn_idle_time=5m pool_health_check_period=30s pool_max_conn_lifetime_jitter=10s",
            "postgres://h/db?pool_max_conns=7&pool_min_conns=1&pool_max_conn_lifetime=1h30m&pool_max_conn_idle_time=5m&pool_health_check_period=30s&pool_max_conn_lifetime_jitter=10s",
        ]
        for form in forms {
            let parsed = try PostgresConnectionString(parsing: form)
            #expect(parsed.pool.maxConnections == 7)
            #expect(parsed.pool.minConnections == 1)
            #expect(parsed.pool.maxConnectionLifetime == .seconds(5_400))
            #expect(parsed.pool.maxConnectionIdleTime == .seconds(300))
            #expect(parsed.pool.healthCheckPeriod == .seconds(30))
            #expect(parsed.pool.maxConnectionLifetimeJitter == .seconds(10))
            #expect(!parsed.settings.keys.contains { $0.hasPrefix("pool_") }, "\(parsed.settings)")
        }
    }

    @Test("a malformed pool parameter is refused as pgx refuses it, without repeating the string")
    func badPoolParameter() {
        #expect(throws: PostgresConnectionStringError("pool_max_conns too small: 0 (at least 1)")) {
            try PostgresConnectionString(parsing: "password=secret pool_max_conns=0")
        }
        #expect(throws: PostgresConnectionStringError.self) { try PostgresConnectionString(parsing: "password=secret pool_max_conn_lifetime=10") }
        do {
            _ = try PostgresConnectionString(parsing: "password=secret pool_min_conns=many")
            Issue.record("accepted pool_min_conns=many")
        } catch {
            #expect(error.description.contains("pool_min_conns"))
            #expect(!error.description.contains("secret"))
        }
    }

    @Test("pgx's own connection parameters are validated and not passed on")
    func pgxParameters() throws {
        let parsed = try PostgresConnectionString(parsing: "host=h statement_cache_capacity=100 description_cache_capacity=10 default_query_exec_mode=simple_protocol")
        #expect(parsed.settings == ["host": "h"])
        #expect(parsed.queryExecMode == "simple_protocol")
        #expect(throws: PostgresConnectionStringError.self) { try PostgresConnectionString(parsing: "default_query_exec_mode=fast") }
    }

    @Test("a pair without '=' and an unterminated quote are errors")
    func malformedKeywordValue() {
        #expect(throws: PostgresConnectionStringError.self) { try PostgresConnectionString(parsing: "host=h justaword") }
        #expect(throws: PostgresConnectionStringError.self) { try PostgresConnectionString(parsing: "password='open") }
        #expect(throws: PostgresConnectionStringError.self) { try PostgresConnectionString(parsing: "postgres://h/db%zz") }
    }

    @Test("keywords libpq does not know become server settings in options")
    func unknownKeywordsBecomeOptions() throws {
        let parsed = try PostgresConnectionString(parsing: #"host=h options='-c work_mem=64MB' search_path=app statement_timeout=5s x=a\ b"#)
        let parameters = parsed.libpqParameters(knownKeywords: ["host", "options"])
        #expect(parameters.map(\.key) == ["host", "options"])
        #expect(parameters.last?.value == #"-c work_mem=64MB -c search_path=app -c statement_timeout=5s -c x=a\ b"#)
    }
}
