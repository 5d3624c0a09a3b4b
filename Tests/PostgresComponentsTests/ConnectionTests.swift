import OutriggerCore
import PostgresComponents
import Testing

@Suite("Connecting, pinging and closing")
struct ConnectionTests {
    @Test("connection strings in URL and keyword=value form, with pgx pool parameters, connect", arguments: [
        ["connectionString": TestDatabase.url + "&pool_max_conns=3&pool_min_conns=1&pool_max_conn_lifetime=1h&pool_max_conn_idle_time=30m&pool_health_check_period=1m&pool_max_conn_lifetime_jitter=5s"],
        ["connectionString": TestDatabase.keywordValue + " pool_max_conns=3 pool_min_conns=1 pool_max_conn_lifetime=1h pool_max_conn_idle_time=30m pool_health_check_period=1m pool_max_conn_lifetime_jitter=5s"],
        ["url": TestDatabase.url + "&pool_max_conns=2"],
        ["connectionString": "host=127.0.0.1 port=5432 user=postgres password=example database=dapr_test sslmode=disable"],
        ["host": "127.0.0.1", "port": "5432", "user": "postgres", "password": "example", "database": "dapr_test"],
    ])
    func connectionStringForms(_ properties: [String: String]) async throws {
        guard TestDatabase.isAvailable() else { return }
        var properties = properties
        properties["connectionString"] = properties["connectionString"] ?? ""
        let binding = try await PostgresBinding.start(metadata: TestDatabase.metadata(properties))
        #expect(try await binding.query("select current_database(), current_user") == #"[["dapr_test","postgres"]]"#)
        try await binding.close()
    }

    @Test("settings libpq does not know reach the server as session settings, as with pgx")
    func serverSettings() async throws {
        guard TestDatabase.isAvailable() else { return }
        let binding = try await TestDatabase.binding(["connectionString": TestDatabase.url + "&search_path=outrigger_nowhere&application_name=outrigger-settings"])
        #expect(try await binding.query("select current_setting('search_path'), current_setting('application_name')") == #"[["outrigger_nowhere","outrigger-settings"]]"#)
        try await binding.close()
    }

    @Test("a wrong password fails start-up with the server's message, naming the field")
    func wrongPassword() async throws {
        guard TestDatabase.isAvailable() else { return }
        await #expect {
            try await TestDatabase.binding(["connectionString": "host=127.0.0.1 port=5432 user=postgres password=wrong dbname=dapr_test sslmode=disable"])
        } throws: { error in
            guard let error = error as? ComponentConfigurationError else { return false }
            return error.field == "connectionString" && error.reason.contains("password authentication failed") && !error.description.contains("wrong")
        }
    }

    @Test("a server that does not answer fails start-up naming the field; the url alias is named when used")
    func unreachable() async throws {
        await #expect {
            try await PostgresBinding.start(metadata: TestDatabase.metadata(["url": "postgres://postgres:example@127.0.0.1:1/dapr_test?connect_timeout=2"]))
        } throws: { error in
            guard let error = error as? ComponentConfigurationError else { return false }
            return error.field == "url" && error.reason.contains("does not connect")
        }
    }

    @Test("a malformed connection string or pool parameter fails start-up naming the field, without the password")
    func malformed() async throws {
        for text in ["host=127.0.0.1 password=hunter2 pool_max_conns=zero", "postgres://u:hunter2@h/db%zz", "password=hunter2 dangling"] {
            do {
                _ = try await PostgresBinding.start(metadata: TestDatabase.metadata(["connectionString": text]))
                Issue.record("accepted \(text)")
            } catch let error as ComponentConfigurationError {
                #expect(error.field == "connectionString")
                #expect(!error.description.contains("hunter2"), "\(error)")
            }
        }
        await #expect(throws: ComponentConfigurationError.self) { try await PostgresBinding.start(metadata: TestDatabase.metadata([:])) }
    }

    @Test("ping answers while open and fails after close")
    func ping() async throws {
        guard TestDatabase.isAvailable() else { return }
        let binding = try await TestDatabase.binding()
        try await binding.ping()
        try await binding.close()
        await #expect(throws: ComponentError.self) { try await binding.ping() }
    }

    @Test("the close operation closes the pool: exec and query then fail, close again succeeds")
    func closeOperation() async throws {
        guard TestDatabase.isAvailable() else { return }
        let binding = try await TestDatabase.binding()
        #expect(try await binding.query("select 1") == "[[1]]")
        let response = try await binding.invoke(BindingRequest(operation: "close", data: []))
        #expect(response.data.isEmpty && response.metadata.isEmpty)
        await #expect { try await binding.query("select 1") } throws: { error in
            (error as? ComponentError)?.message == "component is closed"
        }
        await #expect(throws: ComponentError.self) { try await binding.exec("select 1") }
        _ = try await binding.invoke(BindingRequest(operation: "close", data: []))
        try await binding.close()
    }
}
