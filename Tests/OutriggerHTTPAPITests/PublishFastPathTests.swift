import HTTPTypes
@testable import OutriggerHTTPAPI
import Testing

/// Which requests the publish fast path answers itself, and what it reads from them; every
/// other request is the router's.
@Suite("Publish fast path: what it takes")
struct PublishFastPathTests {
    func input(_ path: String, method: HTTPRequest.Method = .post, token: String? = nil, headers: HTTPFields = [:]) -> HTTPAPIServer.PublishInput? {
        var request = HTTPRequest(method: method, scheme: "http", authority: "127.0.0.1", path: path)
        request.headerFields = headers
        return PublishFastPath.publishInput(request, apiToken: token)
    }

    @Test("a plain publish is taken: pubsub, topic with slashes, metadata query parameters and trace headers")
    func taken() throws {
        var headers = HTTPFields()
        headers[HTTPField.Name("traceparent")!] = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
        headers[HTTPField.Name("tracestate")!] = "k=v"
        let taken = try #require(input("/v1.0/publish/pubsub/orders/eu?metadata.ttlInSeconds=60&other=1&metadata.rawPayload=true", headers: headers))
        #expect(taken.pubsubName == "pubsub" && taken.topic == "orders/eu")
        #expect(taken.metadata == ["ttlInSeconds": "60", "rawPayload": "true"])
        #expect(taken.traceParent == "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01" && taken.traceState == "k=v")
    }

    @Test("left to the router", arguments: [
        "/v1.0/publish/pubsub", "/v1.0/publish/pubsub/", "/v1.0/publish//orders", "/v1.0/publish/pubsub/a//b",
        "/v1.0/publish/bulk/pubsub/orders", "/v1.0/publish/pub%73ub/orders", "/v1.0/publish/pubsub/orders?metadata.a=b+c",
        "/v1.0-alpha1/publish/bulk/pubsub/orders", "/v1.0/bindings/x", "/v1.0/publish/pubsub/orders/",
        "/v1.0/publish/pub\\sub/orders", "/v1.0/publish/pubsub/ordérs", "/v1.0/publish/pubsub/or ders",
    ])
    func leftAlone(_ path: String) {
        #expect(input(path) == nil, "\(path)")
    }

    @Test("PUT, and every request while DAPR_API_TOKEN is set, are the router's")
    func methodAndToken() {
        #expect(input("/v1.0/publish/pubsub/orders", method: .put) == nil)
        #expect(input("/v1.0/publish/pubsub/orders", token: "secret") == nil)
        #expect(input("/v1.0/publish/pubsub/orders") != nil)
    }
}
