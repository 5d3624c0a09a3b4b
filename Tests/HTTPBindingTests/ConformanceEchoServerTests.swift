import Foundation
import HTTPBinding
import OutriggerCore
import Testing

/// The conformance suite's echo server (`conformance/http-echo/server.py`, started by
/// `conformance/brokers.sh up http-echo` on 127.0.0.1:8091) answers the binding like the
/// in-process one. SKIPPED when it is not running, a failure when `CI=true`.
@Suite("bindings.http against conformance/http-echo")
struct ConformanceEchoServerTests {
    func binding(_ test: String, _ properties: [String: String] = [:]) -> HTTPBinding? {
        guard TCPPortCheck.accepts(host: "127.0.0.1", port: 8091) else {
            let reason = "nothing answers on 127.0.0.1:8091 (start it with `conformance/brokers.sh up http-echo`)"
            print("SKIPPED \(test): \(reason)")
            if ProcessInfo.processInfo.environment["CI"] == "true" { Issue.record("\(test): \(reason); in CI the echo server must run") }
            return nil
        }
        return try? HTTPBinding(metadata: httpMetadata(["url": "http://127.0.0.1:8091", "responseTimeout": "10s"].merging(properties) { $1 }))
    }

    @Test("a POST with path and headers is echoed")
    func echo() async throws {
        guard let binding = binding("echo") else { return }
        let request = BindingRequest(operation: "create", data: Array(#"{"id":1}"#.utf8), metadata: ["path": "orders", "X-Trace": "t-1"])
        let response = try await binding.invoke(request)
        try await binding.close()
        let echo = try EchoedRequest(response.data)
        #expect(echo.method == "POST")
        #expect(echo.path == "/orders")
        #expect(echo.values("X-Trace") == ["t-1"])
        #expect(echo.body == #"{"id":1}"#)
        #expect(response.metadata["statusCode"] == "200")
    }

    @Test("/status/<code> answers that status; /headers repeats a header")
    func statusAndHeaders() async throws {
        guard let binding = binding("status", ["errorIfNot2XX": "false"]) else { return }
        let failed = try await binding.invoke(BindingRequest(operation: "get", data: [], metadata: ["path": "status/503"]))
        let headers = try await binding.invoke(BindingRequest(operation: "get", data: [], metadata: ["path": "headers"]))
        let big = try await binding.invoke(BindingRequest(operation: "get", data: [], metadata: ["path": "big/5000"]))
        try await binding.close()
        #expect(failed.metadata["statusCode"] == "503")
        #expect(headers.metadata["X-Multi"] == "one, two")
        #expect(headers.metadata["X-Lower-Case"] == "yes")
        #expect(big.data.count == 5000)
    }
}
