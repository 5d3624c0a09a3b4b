import Foundation
import OutriggerCore
import PostgresComponents
import Testing

/// The PostgreSQL 15 that `conformance/brokers.sh up postgres` starts, and helpers to talk to it.
enum TestDatabase {
    static let keywordValue = "host=127.0.0.1 port=5432 user=postgres password=example dbname=dapr_test sslmode=disable"
    static let url = "postgres://postgres:example@127.0.0.1:5432/dapr_test?sslmode=disable"

    /// Whether PostgreSQL answers on 127.0.0.1:5432. When it does not, prints SKIPPED with the
    /// reason, and records a failure when `CI=true` (CI must never pass on tests that did not run).
    static func isAvailable(_ test: String = #function) -> Bool {
        if TCPPortCheck.accepts(host: "127.0.0.1", port: 5432) { return true }
        let reason = "SKIPPED PostgresComponentsTests.\(test): nothing answers on 127.0.0.1:5432 (start it with `conformance/brokers.sh up postgres`)"
        print(reason)
        if ProcessInfo.processInfo.environment["CI"] == "true" {
            Issue.record("\(reason); in CI PostgreSQL must run")
        }
        return false
    }

    static func metadata(_ properties: [String: String]) -> ComponentMetadata {
        ComponentMetadata(name: "postgres-test", type: "bindings.postgresql", properties: properties)
    }

    /// A started binding on the test database; `properties` add to or replace `connectionString`.
    static func binding(_ properties: [String: String] = [:]) async throws -> PostgresBinding {
        try await PostgresBinding.start(metadata: metadata(["connectionString": keywordValue].merging(properties) { $1 }))
    }

    /// ``binding(_:)`` for a binding with a short `timeout`, which also bounds its first
    /// connect: on a loaded box (every test target at once) that connect has taken over 3 s,
    /// so a start that timed out is tried again, up to three times. What the test measures
    /// comes after the start.
    static func bindingStartedUnderLoad(_ properties: [String: String]) async throws -> PostgresBinding {
        for _ in 1..<3 {
            do {
                return try await binding(properties)
            } catch let error where "\(error)".contains("does not connect") {
                continue
            }
        }
        return try await binding(properties)
    }

    /// A table or application name no other test (or earlier run) uses.
    static func uniqueName(_ stem: String) -> String {
        "outrigger_\(stem)_\(String(UInt32.random(in: 0...UInt32.max), radix: 16))"
    }
}

extension PostgresBinding {
    /// `exec` with `params` given as JSON text.
    @discardableResult
    func exec(_ sql: String, params: String? = nil) async throws -> BindingResponse {
        var metadata = ["sql": sql]
        metadata["params"] = params
        return try await invoke(BindingRequest(operation: "exec", data: [], metadata: metadata))
    }

    /// `query`, answering the JSON text of the rows.
    func query(_ sql: String, params: String? = nil) async throws -> String {
        var metadata = ["sql": sql]
        metadata["params"] = params
        let response = try await invoke(BindingRequest(operation: "query", data: [], metadata: metadata))
        return String(decoding: response.data, as: UTF8.self)
    }
}
