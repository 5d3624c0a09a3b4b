@testable import HTTPBinding
import OutriggerCore
import Testing

@Suite("bindings.http request building")
struct OutgoingHTTPRequestTests {
    func outgoing(_ operation: String, data: [UInt8] = [], metadata: [String: String] = [:], component: [String: String] = [:]) throws -> OutgoingHTTPRequest {
        let settings = try HTTPBindingMetadata(httpMetadata(["url": "http://example.com/api/"].merging(component) { $1 }))
        return try OutgoingHTTPRequest(BindingRequest(operation: operation, data: data, metadata: metadata), metadata: settings)
    }

    func header(_ request: OutgoingHTTPRequest, _ name: String) -> String? {
        request.headers.first { $0.name == name }?.value
    }

    @Test("create is a POST carrying the data")
    func createIsPost() throws {
        let request = try outgoing("create", data: Array("{}".utf8))
        #expect(request.method == "POST")
        #expect(request.body == Array("{}".utf8))
    }

    @Test("get, head, delete, options and trace carry no body", arguments: ["get", "head", "delete", "options", "trace"])
    func noBody(operation: String) throws {
        let request = try outgoing(operation, data: Array("ignored".utf8))
        #expect(request.method == operation.uppercased())
        #expect(request.body == nil)
        #expect(header(request, "Content-Type") == nil)
    }

    @Test("path is appended to url with exactly one slash between them")
    func pathJoin() throws {
        #expect(try outgoing("get", metadata: ["path": "/orders/7"]).url == "http://example.com/api/orders/7")
        #expect(try outgoing("get", metadata: ["path": "orders"]).url == "http://example.com/api/orders")
        #expect(try outgoing("get").url == "http://example.com/api/")
    }

    @Test("Content-Type and Accept default to JSON unless the request sets them")
    func defaultMediaTypes() throws {
        let plain = try outgoing("post")
        #expect(header(plain, "Content-Type") == "application/json; charset=utf-8")
        #expect(header(plain, "Accept") == "application/json; charset=utf-8")
        let custom = try outgoing("post", metadata: ["Content-Type": "text/plain", "Accept": "text/csv"])
        #expect(header(custom, "Content-Type") == "text/plain")
        #expect(header(custom, "Accept") == "text/csv")
    }

    @Test("metadata keys starting with a capital letter are headers under their canonical name; others are not")
    func headerKeys() throws {
        let request = try outgoing("get", metadata: ["X-REQUEST-id": "42", "Authorization": "Bearer t", "path": "x", "lowercase": "no"])
        #expect(header(request, "X-Request-Id") == "42")
        #expect(header(request, "Authorization") == "Bearer t")
        #expect(!request.headers.contains { $0.name.lowercased() == "lowercase" || $0.name.lowercased() == "path" })
    }

    @Test("the security token header is set, and request metadata can replace it")
    func securityToken() throws {
        let component = ["securityToken": "s3cret", "securityTokenHeader": "x-token"]
        #expect(header(try outgoing("get", component: component), "X-Token") == "s3cret")
        #expect(header(try outgoing("get", metadata: ["X-Token": "mine"], component: component), "X-Token") == "mine")
    }

    @Test("traceparent, tracestate and baggage are forwarded as headers")
    func traceHeaders() throws {
        let request = try outgoing("get", metadata: ["traceparent": "00-abc-def-01", "tracestate": "k=v", "baggage": "a=b"])
        #expect(header(request, "Traceparent") == "00-abc-def-01")
        #expect(header(request, "Tracestate") == "k=v")
        #expect(header(request, "Baggage") == "a=b")
    }

    @Test("request metadata errorIfNot2XX overrides the component's value with Dapr's truthy words")
    func errorIfNot2XXOverride() throws {
        #expect(try outgoing("get").errorIfNot2XX)
        #expect(try !outgoing("get", metadata: ["errorIfNot2XX": "false"]).errorIfNot2XX)
        #expect(try !outgoing("get", metadata: ["errorIfNot2XX": "nonsense"]).errorIfNot2XX)
        #expect(try outgoing("get", metadata: ["errorIfNot2XX": "Yes"], component: ["errorIfNot2XX": "false"]).errorIfNot2XX)
    }

    @Test("a header value with a line break is refused as a bad request")
    func headerInjection() {
        #expect(throws: InvalidBindingRequest.self) { try outgoing("get", metadata: ["X-Evil": "a\r\nInjected: yes"]) }
    }

    @Test("a capitalised key that is not a header name is refused as a bad request")
    func invalidHeaderName() {
        #expect(throws: InvalidBindingRequest.self) { try outgoing("get", metadata: ["Bad Name": "x"]) }
    }

    @Test("header names are canonicalised like Go's net/http")
    func canonicalNames() {
        #expect(CanonicalHeaderName.of("content-TYPE") == "Content-Type")
        #expect(CanonicalHeaderName.of("x-request-id") == "X-Request-Id")
        #expect(CanonicalHeaderName.of("etag") == "Etag")
        #expect(CanonicalHeaderName.of("bad name") == "bad name")
    }
}
