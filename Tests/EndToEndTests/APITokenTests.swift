import Testing

/// `DAPR_API_TOKEN` (calls to the sidecar) and `APP_API_TOKEN` (calls to the app), as daprd reads them.
@Suite("API tokens", .timeLimit(.minutes(1)))
struct APITokenTests {
    static let token = "s3cr3t-token-for-tests"

    @Test("with DAPR_API_TOKEN every API call needs dapr-api-token; the health checks stay open")
    func daprAPIToken() async throws {
        let options = SidecarOptions(environment: ["DAPR_API_TOKEN": Self.token])
        try await withSidecar(options, subscriptions: #"[{"pubsubname": "pubsub", "topic": "t", "route": "/t"}]"#) { sidecar, app in
            for (method, path) in [("POST", "/v1.0/publish/pubsub/t"), ("GET", "/v1.0/metadata"), ("POST", "/v1.0/bindings/none"),
                                   ("POST", "/v1.0-alpha1/publish/bulk/pubsub/t"), ("GET", "/v1.0/metadata?probe=/v1.0/healthz")] {
                let missing = try await HTTP.request(method, sidecar.baseURL + path, body: Array("{}".utf8))
                #expect(missing.status == 401, "\(method) \(path) without a token: \(missing.status) \(missing.text)")
                #expect(missing.json?["errorCode"] == "ERR_UNAUTHORIZED", "\(missing.text)")
                let wrong = try await HTTP.request(method, sidecar.baseURL + path, body: Array("{}".utf8), headers: [("dapr-api-token", "nope")])
                #expect(wrong.status == 401, "\(method) \(path) with a wrong token: \(wrong.status)")
            }
            for path in ["/v1.0/healthz", "/v1.0/healthz/outbound"] {
                let open = try await HTTP.request("GET", sidecar.baseURL + path)
                #expect(open.status == 204, "\(path): \(open.status)")
            }
            let accepted = try await sidecar.publish(topic: "t", json: #"{"with": "token"}"#, headers: [("dapr-api-token", Self.token)])
            #expect(accepted.status == 204, "\(accepted.text)")
            try await app.waitFor("/t") { $0.data == ["with": "token"] }
            #expect(app.received("/t").count == 1, "a refused publish reached the app")
            let metadata = try await HTTP.request("GET", sidecar.baseURL + "/v1.0/metadata", headers: [("dapr-api-token", Self.token)])
            #expect(metadata.status == 200)
        }
    }

    @Test("with APP_API_TOKEN the app gets dapr-api-token on /dapr/subscribe and on every delivery")
    func appAPIToken() async throws {
        let options = SidecarOptions(environment: ["APP_API_TOKEN": Self.token])
        try await withSidecar(options, subscriptions: #"[{"pubsubname": "pubsub", "topic": "t", "route": "/t"}]"#) { sidecar, app in
            try await sidecar.mustPublish(topic: "t", json: #"{"n": 1}"#)
            let delivery = try #require(try await app.waitFor("/t").first)
            #expect(delivery.headers["dapr-api-token"] == Self.token)
            #expect(app.received("/dapr/subscribe", method: "GET").first?.headers["dapr-api-token"] == Self.token)
        }
    }

    @Test("without APP_API_TOKEN no dapr-api-token reaches the app")
    func noAppToken() async throws {
        try await withSidecar(SidecarOptions(), subscriptions: #"[{"pubsubname": "pubsub", "topic": "t", "route": "/t"}]"#) { sidecar, app in
            try await sidecar.mustPublish(topic: "t", json: #"{"n": 1}"#)
            let delivery = try #require(try await app.waitFor("/t").first)
            #expect(delivery.headers["dapr-api-token"] == nil)
        }
    }
}
