import Testing

/// `POST /v1.0-alpha1/publish/bulk/{pubsub}/{topic}` through the real binary: what is delivered,
/// what a partly failed batch answers, and each malformed body's 400.
@Suite("Bulk publish", .timeLimit(.minutes(1)))
struct BulkPublishTests {
    static let resources = [
        "pubsub.yaml": YAML.pubsub(),
        "orders.yaml": YAML.subscriptionV1(name: "orders", topic: "orders", route: "/orders"),
    ]

    func bulk(_ sidecar: SidecarProcess, _ body: String, query: String = "") async throws -> HTTP.Result {
        try await HTTP.request(
            "POST", sidecar.baseURL + "/v1.0-alpha1/publish/bulk/pubsub/orders" + query, body: Array(body.utf8),
            headers: [("content-type", "application/json")])
    }

    @Test("every entry is delivered as its own CloudEvent: JSON, text, and with per-entry metadata; the answer is 204")
    func delivers() async throws {
        try await withSidecar(SidecarOptions(resources: Self.resources)) { sidecar, app in
            let response = try await bulk(sidecar, #"""
                [{"entryId": "1", "event": {"orderId": 1}, "contentType": "application/json"},
                 {"entryId": "2", "event": "two"},
                 {"entryId": "3", "event": {"orderId": 3}, "metadata": {"cloudevent.type": "order.created"}}]
                """#, query: "?metadata.cloudevent.source=shop")
            #expect(response.status == 204, "\(response.text)")
            let received = try await app.waitFor("/orders", count: 3)
            #expect(Set(received.compactMap(\.eventID)).count == 3)
            #expect(received.allSatisfy { $0.json?["source"]?.string == "shop" })
            #expect(received.compactMap { $0.json?["datacontenttype"]?.string }.sorted() == ["application/json", "application/json", "text/plain"])
            #expect(received.contains { $0.data?.string == "two" })
            #expect(received.contains { $0.data?["orderId"] == 1 && $0.json?["type"]?.string == "com.dapr.event.sent" })
            #expect(received.contains { $0.data?["orderId"] == 3 && $0.json?["type"]?.string == "order.created" })
        }
    }

    @Test("an entry that cannot be published is listed in failedEntries with 500 ERR_PUBSUB_PUBLISH_MESSAGE; the others are delivered")
    func partialFailure() async throws {
        try await withSidecar(SidecarOptions(resources: Self.resources)) { sidecar, app in
            let response = try await bulk(sidecar, #"""
                [{"entryId": "good", "event": {"n": 1}}, {"entryId": "bad", "event": {"n": 2}, "metadata": {"ttlInSeconds": "soon"}}]
                """#)
            #expect(response.status == 500, "\(response.text)")
            #expect(response.json?["errorCode"]?.string == "ERR_PUBSUB_PUBLISH_MESSAGE")
            let failed = response.json?["failedEntries"]
            #expect(failed?[0]?["entryId"]?.string == "bad", "\(response.text)")
            #expect(failed?[0]?["error"]?.string?.contains("soon") == true, "\(response.text)")
            #expect(failed?[1] == nil)
            let received = try await app.waitFor("/orders")
            #expect(received.map { $0.data?["n"] } == [1])
        }
    }

    @Test("each malformed body is 400 ERR_PUBSUB_EVENTS_SER with a message saying what is wrong, and nothing is delivered")
    func malformed() async throws {
        let cases: [(body: String, message: String)] = [
            ("not json", "must be a JSON array of entries"),
            (#"{"entryId": "1", "event": 1}"#, "must be a JSON array of entries"),
            (#"[{"entryId": "1", "event": 1},]"#, "trailing comma"),
            (#"[{"entryId": "1", "event": 1}, "x"]"#, "entry 1: must be a JSON object"),
            (#"[{"entryId": 1, "event": 1}]"#, "'entryId' must be a string"),
            (#"[{"entryId": "1"}]"#, "'event' is required"),
            (#"[{"entryId": "1", "event": 1, "metadata": []}]"#, "'metadata' must be an object"),
            (#"[{"entryId": "1", "event": 1, "contentType": 5}]"#, "'contentType' must be a string"),
            (#"[{"event": 1}]"#, "non-empty entryId"),
            (#"[{"entryId": "1", "event": 1}, {"entryId": "1", "event": 2}]"#, "'1' is used twice"),
        ]
        try await withSidecar(SidecarOptions(resources: Self.resources)) { sidecar, app in
            for (body, message) in cases {
                let response = try await bulk(sidecar, body)
                #expect(response.status == 400, "\(body): \(response.status) \(response.text)")
                #expect(response.json?["errorCode"]?.string == "ERR_PUBSUB_EVENTS_SER", "\(body): \(response.text)")
                #expect(response.json?["message"]?.string?.contains(message) == true, "\(body): \(response.text)")
            }
            try await sidecar.mustPublish(topic: "orders", json: #"{"marker": true}"#)
            try await app.waitFor("/orders")
            try await sidecar.waitForCounters(topic: "orders", ["delivered": 1, "inFlight": 0])
            #expect(app.received("/orders").map(\.data) == [["marker": true]])
        }
    }
}
