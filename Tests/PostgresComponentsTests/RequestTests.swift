import OutriggerCore
@testable import PostgresComponents
import PostgresClient
import Testing

@Suite("Requests, metadata and answers without a server")
struct RequestTests {
    static let offline = TestDatabase.metadata(["connectionString": "host=127.0.0.1 port=1 user=u dbname=d"])

    @Test("a missing sql is an invalid request (400)")
    func missingSQL() async throws {
        let binding = try PostgresBinding(metadata: Self.offline)
        await #expect(throws: InvalidBindingRequest.self) { try await binding.invoke(BindingRequest(operation: "exec", data: [])) }
        await #expect(throws: InvalidBindingRequest.self) { try await binding.invoke(BindingRequest(operation: "query", data: [], metadata: ["sql": ""])) }
    }

    @Test("params that are not a JSON array, or hold a NUL character, are an invalid request (400)", arguments: ["{\"a\":1}", "[1,", "42", "\"text\"", "[\"a\\u0000b\"]", "[[{\"k\": \"\\u0000\"}]]"])
    func malformedParams(_ params: String) async throws {
        let binding = try PostgresBinding(metadata: Self.offline)
        await #expect(throws: InvalidBindingRequest.self) {
            try await binding.invoke(BindingRequest(operation: "exec", data: [], metadata: ["sql": "select $1", "params": params]))
        }
    }

    @Test("params map JSON values to bound text, lists and NULL")
    func paramsMapping() throws {
        #expect(try PostgresBindingParameters.parse(nil) == [])
        #expect(try PostgresBindingParameters.parse("null") == [])
        let parsed = try PostgresBindingParameters.parse(#"[null, true, 2.0, 1e3, 1.5, 12345678901234567890, "s", {"k": [1]}, [1, "a"]]"#)
        #expect(parsed == [
            .null, .text("true"), .text("2"), .text("1000"), .text("1.5"), .text("12345678901234567890"), .text("s"),
            .text(#"{"k":[1]}"#), .list([.text("1"), .text("a")], text: #"[1,"a"]"#),
        ])
    }

    @Test("rows are JSON arrays of typed values")
    func rowsJSON() {
        let rows: [[PostgresValue]] = [[.integer(1), .double(2), .double(.infinity), .numeric("1.50"), .numeric("NaN"), .bool(false), .null,
                                        .timestamp(UTCDateTime(secondsSinceEpoch: 0)), .json(#"{ "a" : [1, 2] }"#), .bytes([1, 2, 3]), .array([.string("x")])]]
        #expect(String(decoding: PostgresRowsJSON.encode(rows), as: UTF8.self)
            == #"[[1,2,"Infinity",1.50,"NaN",false,null,"1970-01-01T00:00:00Z",{"a":[1,2]},"AQID",["x"]]]"#)
        #expect(PostgresRowsJSON.encode([]) == Array("[]".utf8))
    }

    @Test("metadata: Dapr's defaults, maxConns over pool_max_conns, timeout bounds and refused fields")
    func metadata() throws {
        let defaults = try PostgresBindingMetadata(TestDatabase.metadata(["connectionString": "host=h"]), processorCount: 2)
        #expect(defaults.timeout == .seconds(20))
        #expect(defaults.pool.maxConnections == 4)
        #expect(defaults.pool.maxConnectionIdleTime == .seconds(1_800))
        #expect(defaults.pool.connectionString["connect_timeout"] == "20")
        #expect(!defaults.simpleProtocol)

        let fromString = try PostgresBindingMetadata(TestDatabase.metadata(["connectionString": "host=h pool_max_conns=9", "timeoutInSeconds": "5"]), processorCount: 16)
        #expect(fromString.pool.maxConnections == 9)
        #expect(fromString.timeout == .seconds(5))

        let overridden = try PostgresBindingMetadata(TestDatabase.metadata([
            "connectionString": "postgres://u@h/db?pool_max_conns=9", "maxConns": "3", "connectionMaxIdleTime": "5m", "host": "other", "database": "elsewhere",
        ]), processorCount: 16)
        #expect(overridden.pool.maxConnections == 3)
        #expect(overridden.pool.maxConnectionIdleTime == .seconds(300))
        #expect(overridden.pool.connectionString["host"] == "other")
        #expect(overridden.pool.connectionString["dbname"] == "elsewhere")

        for (field, value) in [("timeout", "500ms"), ("timeout", "soon"), ("maxConns", "many"), ("queryExecMode", "fast"), ("useAzureAD", "true")] {
            #expect {
                try PostgresBindingMetadata(TestDatabase.metadata(["connectionString": "host=h", field: value]), processorCount: 2)
            } throws: { error in
                (error as? ComponentConfigurationError)?.field == field
            }
        }
    }
}
