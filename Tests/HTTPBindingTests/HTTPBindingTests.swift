import HTTPBinding
import OutriggerCore
import Testing

/// Runs `body` with a fresh echo server and a binding pointed at it, then closes both.
func withEchoBinding(
    _ properties: [String: String] = [:], urlPath: String = "",
    _ body: (HTTPBinding, EchoServer) async throws -> Void
) async throws {
    let server = try await EchoServer.start()
    let binding = try HTTPBinding(metadata: httpMetadata(["url": server.url() + urlPath].merging(properties) { $1 }))
    do {
        try await body(binding, server)
    } catch {
        try? await binding.close()
        try? await server.stop()
        throw error
    }
    try await binding.close()
    try await server.stop()
}

@Suite("bindings.http against a live server")
struct HTTPBindingTests {
    @Test("each operation is sent as its HTTP method", arguments: [
        ("create", "POST"), ("post", "POST"), ("get", "GET"), ("put", "PUT"), ("patch", "PATCH"),
        ("delete", "DELETE"), ("options", "OPTIONS"), ("trace", "TRACE"),
    ])
    func methods(operation: String, method: String) async throws {
        try await withEchoBinding { binding, _ in
            let response = try await binding.invoke(BindingRequest(operation: operation, data: []))
            #expect(try EchoedRequest(response.data).method == method)
        }
    }

    @Test("head gets the status and headers but no body")
    func head() async throws {
        try await withEchoBinding { binding, _ in
            let response = try await binding.invoke(BindingRequest(operation: "head", data: []))
            #expect(response.data.isEmpty)
            #expect(response.metadata["statusCode"] == "200")
            #expect(response.metadata["Content-Type"] == "application/json")
        }
    }

    @Test("post, put and patch send the data as the body", arguments: ["post", "put", "patch"])
    func bodies(operation: String) async throws {
        try await withEchoBinding { binding, _ in
            let response = try await binding.invoke(BindingRequest(operation: operation, data: Array(#"{"id":7}"#.utf8)))
            let echo = try EchoedRequest(response.data)
            #expect(echo.body == #"{"id":7}"#)
            #expect(echo.values("Content-Type") == ["application/json; charset=utf-8"])
        }
    }

    @Test("path metadata is appended to the url")
    func path() async throws {
        try await withEchoBinding(urlPath: "/api/") { binding, _ in
            let response = try await binding.invoke(BindingRequest(operation: "get", data: [], metadata: ["path": "/orders/7?verbose=1"]))
            #expect(try EchoedRequest(response.data).path == "/api/orders/7?verbose=1")
        }
    }

    @Test("capitalised request metadata arrives as headers, the rest does not")
    func headers() async throws {
        try await withEchoBinding { binding, _ in
            let metadata = ["X-Request-Id": "abc-123", "Content-Type": "text/plain", "note": "not a header"]
            let echo = try EchoedRequest(try await binding.invoke(BindingRequest(operation: "post", data: Array("hi".utf8), metadata: metadata)).data)
            #expect(echo.values("X-Request-Id") == ["abc-123"])
            #expect(echo.values("Content-Type") == ["text/plain"])
            #expect(echo.values("note").isEmpty)
            #expect(echo.values("Accept") == ["application/json; charset=utf-8"])
        }
    }

    @Test("the security token is sent in its header")
    func securityToken() async throws {
        try await withEchoBinding(["securityToken": "s3cret", "securityTokenHeader": "X-Api-Key"]) { binding, _ in
            let echo = try EchoedRequest(try await binding.invoke(BindingRequest(operation: "get", data: [])).data)
            #expect(echo.values("X-Api-Key") == ["s3cret"])
        }
    }

    @Test("response metadata has statusCode, status and every header under its canonical name")
    func responseMetadata() async throws {
        try await withEchoBinding { binding, _ in
            let response = try await binding.invoke(BindingRequest(operation: "get", data: [], metadata: ["path": "headers"]))
            #expect(response.metadata["statusCode"] == "200")
            #expect(response.metadata["status"] == "200 OK")
            #expect(response.metadata["Content-Type"] == "application/json")
            #expect(response.metadata["X-Multi"] == "one, two")
            #expect(response.metadata["X-Lower-Case"] == "yes")
            #expect(response.metadata["Content-Length"] == String(response.data.count))
            #expect(response.contentType == "application/json")
        }
    }

    @Test("a non-2xx answer fails the invocation with the status and an excerpt of the body")
    func errorIfNot2XX() async throws {
        try await withEchoBinding { binding, _ in
            let error = await #expect(throws: ComponentError.self) {
                try await binding.invoke(BindingRequest(operation: "get", data: [], metadata: ["path": "status/503"]))
            }
            #expect(error?.kind == .retriable)
            #expect(error?.message.contains("503") == true)
            #expect(error?.message.contains("/status/503") == true)  // the echoed body names the path
        }
    }

    @Test("a 4xx answer is a terminal failure")
    func clientErrorIsTerminal() async throws {
        try await withEchoBinding { binding, _ in
            let error = await #expect(throws: ComponentError.self) {
                try await binding.invoke(BindingRequest(operation: "get", data: [], metadata: ["path": "status/404"]))
            }
            #expect(error?.kind == .terminal)
            #expect(error?.message.contains("404 Not Found") == true)
        }
    }

    @Test("with errorIfNot2XX false a non-2xx answer is returned with its statusCode")
    func errorIfNot2XXFalse() async throws {
        try await withEchoBinding(["errorIfNot2XX": "false"]) { binding, _ in
            let response = try await binding.invoke(BindingRequest(operation: "get", data: [], metadata: ["path": "status/500"]))
            #expect(response.metadata["statusCode"] == "500")
            #expect(response.metadata["status"] == "500 Internal Server Error")
            #expect(try EchoedRequest(response.data).path == "/status/500")
        }
    }

    @Test("request metadata errorIfNot2XX=false returns a non-2xx answer for that request only")
    func errorIfNot2XXPerRequest() async throws {
        try await withEchoBinding { binding, _ in
            let response = try await binding.invoke(BindingRequest(operation: "get", data: [], metadata: ["path": "status/418", "errorIfNot2XX": "false"]))
            #expect(response.metadata["statusCode"] == "418")
            await #expect(throws: ComponentError.self) {
                try await binding.invoke(BindingRequest(operation: "get", data: [], metadata: ["path": "status/418"]))
            }
        }
    }

    @Test("a body longer than maxResponseBodySize is cut at the limit")
    func bodyLimit() async throws {
        try await withEchoBinding(["maxResponseBodySize": "1Ki"]) { binding, _ in
            let long = try await binding.invoke(BindingRequest(operation: "get", data: [], metadata: ["path": "big/300000"]))
            #expect(long.data.count == 1024)
            #expect(long.data.allSatisfy { $0 == UInt8(ascii: "x") })
            let short = try await binding.invoke(BindingRequest(operation: "get", data: [], metadata: ["path": "big/1000"]))
            #expect(short.data.count == 1000)
        }
    }

    @Test("an endpoint that does not answer within responseTimeout fails the invocation")
    func responseTimeout() async throws {
        try await withEchoBinding(["responseTimeout": "300ms"]) { binding, _ in
            let started = ContinuousClock.now
            let error = await #expect(throws: ComponentError.self) {
                try await binding.invoke(BindingRequest(operation: "get", data: [], metadata: ["path": "never"]))
            }
            #expect(error?.message.contains("responseTimeout") == true)
            #expect(error?.kind == .retriable)
            #expect(ContinuousClock.now - started < .seconds(20))
        }
    }

    @Test("an endpoint nobody listens on is a retriable failure")
    func connectionRefused() async throws {
        let server = try await EchoServer.start()
        let url = server.url()
        try await server.stop()
        let binding = try HTTPBinding(metadata: httpMetadata(["url": url]))
        let error = await #expect(throws: ComponentError.self) {
            try await binding.invoke(BindingRequest(operation: "get", data: []))
        }
        #expect(error?.kind == .retriable)
        try await binding.close()
    }

    @Test("after close an invocation fails as terminal")
    func closed() async throws {
        let binding = try HTTPBinding(metadata: httpMetadata(["url": "http://127.0.0.1:9"]))
        try await binding.close()
        let error = await #expect(throws: ComponentError.self) {
            try await binding.invoke(BindingRequest(operation: "get", data: []))
        }
        #expect(error?.kind == .terminal)
    }

    @Test("the binding lists Dapr's operations")
    func operations() throws {
        let binding = try HTTPBinding(metadata: httpMetadata(["url": "http://127.0.0.1:9"]))
        #expect(binding.operations == ["create", "get", "head", "post", "put", "patch", "delete", "options", "trace"])
    }
}
