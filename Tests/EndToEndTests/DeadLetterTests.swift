import Testing

/// Behaviour 5: after the last retry an event goes to its subscription's dead-letter topic.
@Suite("Dead-letter topics", .timeLimit(.minutes(1)))
struct DeadLetterTests {
    @Test("Subscription YAML deadLetterTopic: an app that always answers RETRY, maxRetries 1")
    func declarativeDeadLetter() async throws {
        let resources = [
            "pubsub.yaml": YAML.pubsub(),
            "orders.yaml": YAML.subscriptionV2(name: "orders", topic: "orders", defaultRoute: "/orders", deadLetterTopic: "orders-dead"),
            "dead.yaml": YAML.subscriptionV1(name: "orders-dead", topic: "orders-dead", route: "/dead"),
            "resiliency.yaml": YAML.resiliency(maxRetries: 1, duration: "50ms"),
        ]
        let script: TestApp.Script = { request in request.path == "/orders" ? .retry : .success }
        try await withSidecar(SidecarOptions(resources: resources), script: script) { sidecar, app in
            try await sidecar.mustPublish(topic: "orders", json: #"{"orderId": 7}"#)
            let dead = try #require(try await app.waitFor("/dead").first)
            let attempts = app.received("/orders")
            #expect(attempts.count == 2, "attempts: \(attempts)")
            let original = try #require(attempts.first?.json)
            let event = try #require(dead.json, "not JSON: \(dead.text)")
            #expect(event["id"] == original["id"])
            #expect(event["source"] == "orders")
            #expect(event["type"] == "com.dapr.event.sent")
            #expect(event["data"] == ["orderId": 7])
            #expect(event["deadletterreason"] == "app answered RETRY", "\(event)")
            #expect(event["deadletterattempts"] == 2, "\(event)")
            #expect(event["deadlettertopic"] == "orders", "\(event)")
            #expect(dead.headers["topic"] == "orders-dead")

            try await sidecar.waitForCounters(topic: "orders", ["deadLettered": 1, "inFlight": 0])
            // The original is done with: a later event arrives, the dead-lettered one does not come back.
            try await sidecar.mustPublish(topic: "orders-dead", json: #"{"marker": true}"#)
            try await app.waitFor("/dead") { $0.data == ["marker": true] }
            let counters = try await sidecar.waitForCounters(topic: "orders", ["deadLettered": 1, "inFlight": 0])
            #expect(app.received("/orders").count == 2)
            #expect(app.received("/dead").count == 2)
            #expect(counters["nacked"] == 0, "\(counters)")
            #expect(counters["retried"] == 1, "\(counters)")
        }
    }

    @Test("GET /dapr/subscribe deadLetterTopic: HTTP 500 every time, maxRetries 2 → 3 attempts, then dead-lettered")
    func programmaticDeadLetter() async throws {
        let resources = [
            "pubsub.yaml": YAML.pubsub(),
            "resiliency.yaml": YAML.resiliency(maxRetries: 2, duration: "50ms"),
        ]
        let subscriptions = """
            [{"pubsubname": "pubsub", "topic": "payments", "route": "/payments", "deadLetterTopic": "payments-dead"},
             {"pubsubname": "pubsub", "topic": "payments-dead", "route": "/payments-dead"}]
            """
        let script: TestApp.Script = { request in request.path == "/payments" ? .status(500) : .success }
        try await withSidecar(SidecarOptions(resources: resources), subscriptions: subscriptions, script: script) { sidecar, app in
            try await sidecar.mustPublish(topic: "payments", json: #"{"payment": 99}"#)
            let event = try #require(try await app.waitFor("/payments-dead").first?.json)
            #expect(app.received("/payments").map(\.attempt) == [1, 2, 3])
            #expect(event["data"] == ["payment": 99])
            #expect(event["deadletterreason"] == "app answered HTTP 500", "\(event)")
            #expect(event["deadletterattempts"] == 3, "\(event)")
            #expect(event["deadlettertopic"] == "payments", "\(event)")
            let counters = try await sidecar.waitForCounters(topic: "payments", ["deadLettered": 1, "inFlight": 0])
            #expect(counters["retried"] == 2, "\(counters)")
            let metadata = try await sidecar.metadata()
            let subscription = metadata["subscriptions"]?.array?.first { $0["topic"] == "payments" }
            #expect(subscription?["deadLetterTopic"] == "payments-dead")
        }
    }
}
