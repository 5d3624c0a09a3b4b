import Testing

/// Behaviour 7 (API): publish errors are JSON `{"errorCode","message"}` with Dapr's codes.
@Suite("Publish errors", .timeLimit(.minutes(1)))
struct APIErrorTests {
    struct Case: Sendable, CustomStringConvertible {
        var name: String
        var pubsub = "pubsub"
        var topic = "orders"
        var body = #"{"a": 1}"#
        var contentType = "application/json"
        var metadata: KeyValuePairs<String, String> = [:]
        var status: Int
        var code: String
        /// Text the message must contain.
        var message: String?
        var description: String { name }
    }

    static let cases: [Case] = [
        Case(name: "unknown pubsub", pubsub: "nope", status: 404, code: "ERR_PUBSUB_NOT_FOUND", message: "nope"),
        Case(name: "no topic in the path", topic: "", status: 404, code: "ERR_TOPIC_NAME_EMPTY"),
        Case(name: "CloudEvent body that is not JSON", body: "{not json", contentType: "application/cloudevents+json",
             status: 400, code: "ERR_PUBSUB_CLOUD_EVENTS_SER"),
        Case(name: "CloudEvent body that is a JSON array", body: "[1, 2]", contentType: "application/cloudevents+json",
             status: 400, code: "ERR_PUBSUB_CLOUD_EVENTS_SER"),
        Case(name: "CloudEvent content type with parameters", body: "nope", contentType: "application/cloudevents+json; charset=utf-8",
             status: 400, code: "ERR_PUBSUB_CLOUD_EVENTS_SER"),
        Case(name: "ttlInSeconds not a number", metadata: ["ttlInSeconds": "abc"], status: 400, code: "ERR_PUBSUB_REQUEST_METADATA", message: "abc"),
        Case(name: "negative ttlInSeconds", metadata: ["ttlInSeconds": "-5"], status: 400, code: "ERR_PUBSUB_REQUEST_METADATA", message: "-5"),
    ]

    @Test("each malformed publish gets its status and errorCode, and nothing is delivered")
    func publishErrors() async throws {
        let resources = [
            "pubsub.yaml": YAML.pubsub(),
            "orders.yaml": YAML.subscriptionV1(name: "orders", topic: "orders", route: "/orders"),
        ]
        try await withSidecar(SidecarOptions(resources: resources)) { sidecar, app in
            for testCase in Self.cases {
                let response = try await sidecar.publish(
                    pubsub: testCase.pubsub, topic: testCase.topic, body: Array(testCase.body.utf8),
                    contentType: testCase.contentType, metadata: testCase.metadata)
                #expect(response.status == testCase.status, "\(testCase): \(response.status) \(response.text)")
                #expect(response.headers["content-type"] == "application/json", "\(testCase)")
                let json = response.json
                #expect(json?["errorCode"]?.string == testCase.code, "\(testCase): \(response.text)")
                let message = json?["message"]?.string ?? ""
                #expect(!message.isEmpty, "\(testCase): \(response.text)")
                if let expected = testCase.message {
                    #expect(message.contains(expected), "\(testCase): message '\(message)' should mention '\(expected)'")
                }
            }
            // Only the marker is delivered: none of the refused publishes reached the broker.
            try await sidecar.mustPublish(topic: "orders", json: #"{"marker": true}"#)
            try await app.waitFor("/orders")
            try await sidecar.waitForCounters(topic: "orders", ["delivered": 1, "inFlight": 0])
            #expect(app.received("/orders").map(\.data) == [["marker": true]])
        }
    }

    @Test("no topic after a trailing slash is ERR_TOPIC_NAME_EMPTY too")
    func trailingSlash() async throws {
        try await withSidecar { sidecar, _ in
            let response = try await HTTP.request(
                "POST", sidecar.baseURL + "/v1.0/publish/pubsub/", body: Array("{}".utf8), headers: [("content-type", "application/json")])
            #expect(response.status == 404, "\(response.status) \(response.text)")
            #expect(response.json?["errorCode"] == "ERR_TOPIC_NAME_EMPTY", "\(response.text)")
        }
    }

    @Test("publishing with no pubsub component loaded is ERR_PUBSUB_NOT_CONFIGURED")
    func noPubsubConfigured() async throws {
        try await withSidecar(SidecarOptions(resources: [:], connectApp: false)) { sidecar, _ in
            let response = try await sidecar.publish(topic: "orders", json: "{}")
            #expect(response.status == 400, "\(response.status) \(response.text)")
            #expect(response.json?["errorCode"] == "ERR_PUBSUB_NOT_CONFIGURED", "\(response.text)")
        }
    }
}
