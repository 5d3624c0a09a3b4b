import Foundation
import Testing

/// Names in the request path that are not names: bytes that are not UTF-8, path traversal.
@Suite("Hostile names in request paths", .timeLimit(.minutes(1)))
struct HostilePathTests {
    @Test("pub/sub names and topics that percent-decode to invalid UTF-8 or a NUL get 400 with Dapr's error JSON")
    func invalidNames() async throws {
        try await withSidecar(SidecarOptions(), subscriptions: #"[{"pubsubname": "pubsub", "topic": "orders", "route": "/orders"}]"#) { sidecar, app in
            for path in ["pubsub/%FF", "pubsub/or%C3ders", "%FF/orders", "pub%E2%82sub/orders", "pubsub/a%00b"] {
                let response = try await sidecar.rawRequest("POST", "/v1.0/publish/" + path, body: Array("{}".utf8))
                #expect(response.status == 400, "\(path): \(response.status) \(response.body)")
                let json = try? JSON.parse(Array(response.body.utf8))
                #expect(json?["errorCode"]?.string == "ERR_MALFORMED_REQUEST", "\(path): \(response.body)")
                let message = json?["message"]?.string ?? ""
                #expect(message.contains(path.split(separator: "/").first { $0.contains("%") }.map(String.init) ?? "?"), "\(path): \(message)")
            }
            try await sidecar.mustPublish(topic: "orders", json: #"{"marker": true}"#)
            try await sidecar.waitForCounters(topic: "orders", ["delivered": 1, "inFlight": 0])
            #expect(app.received("/orders").map(\.data) == [["marker": true]])
        }
    }

    @Test("a percent-encoded topic is decoded as daprd does: orders%2Feu is the topic orders/eu")
    func encodedTopic() async throws {
        try await withSidecar(SidecarOptions(), subscriptions: #"[{"pubsubname": "pubsub", "topic": "orders/eu caf\u00e9", "route": "/eu"}]"#) { sidecar, app in
            let response = try await HTTP.request("POST", sidecar.baseURL + "/v1.0/publish/pubsub/orders%2Feu%20caf%C3%A9", body: Array("{}".utf8), headers: [("content-type", "application/json")])
            #expect(response.status == 204, "\(response.text)")
            let delivered = try await app.waitFor("/eu")
            #expect(delivered.first?.json?["topic"]?.string == "orders/eu café")
        }
    }

    @Test("binding names with ../ or %2e%2e%2f get 4xx and nothing outside the binding's root is touched")
    func bindingTraversal() async throws {
        let parent = FileManager.default.temporaryDirectory.appendingPathComponent("outrigger-traversal-\(UUID().uuidString.prefix(8))").path
        let root = parent + "/root"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: parent) }
        let resources = ["pubsub.yaml": YAML.pubsub(), "files.yaml": BindingTests.localStorage(root: root)]
        let create = Array(#"{"operation": "create", "data": "x", "metadata": {"fileName": "escape.txt"}}"#.utf8)
        try await withSidecar(SidecarOptions(resources: resources, connectApp: false)) { sidecar, _ in
            for name in ["..%2f..%2fescape", "%2e%2e%2f", "%2E%2E%2Ffiles", "files%2f..%2f..", "..%5c..%5cescape", "%FF", "files%00"] {
                let response = try await sidecar.rawRequest("POST", "/v1.0/bindings/" + name, body: create)
                #expect(response.status == 400, "\(name): \(response.status) \(response.body)")
                #expect(response.body.contains(#""errorCode":"ERR_MALFORMED_REQUEST""#), "\(name): \(response.body)")
            }
            // Dot segments as written, which an HTTP library would resolve before sending.
            for path in ["/v1.0/bindings/../../escape", "/v1.0/bindings/files/../../escape", "/v1.0/bindings/%zz", "/v1.0/publish/pubsub/50%"] {
                let response = try await sidecar.rawRequest("POST", path, body: create)
                #expect((400..<500).contains(response.status), "\(path): \(response.status) \(response.body)")
            }
            let escaping = Array(#"{"operation": "create", "data": "x", "metadata": {"fileName": "../escape.txt"}}"#.utf8)
            let refused = try await HTTP.request("POST", sidecar.baseURL + "/v1.0/bindings/files", body: escaping)
            #expect(refused.status == 400, "\(refused.text)")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: parent) == ["root"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: root) == [])
    }
}
