import Testing

/// Behaviour 3: subscriptions from `GET /dapr/subscribe` and from Subscription YAML, and routing rules.
@Suite("Subscriptions and routing rules", .timeLimit(.minutes(1)))
struct SubscriptionRoutingTests {
    static let highPriority = #"event.data.priority == "high""#

    @Test("GET /dapr/subscribe: the `route` form and the `routes: {rules, default}` form")
    func programmaticSubscriptions() async throws {
        let subscriptions = """
            [
              {"pubsubname": "pubsub", "topic": "receipts", "route": "/receipts"},
              {"pubsubname": "pubsub", "topic": "orders",
               "routes": {"rules": [{"match": "event.data.priority == \\"high\\"", "path": "/orders/priority"}],
                          "default": "/orders"}}
            ]
            """
        try await withSidecar(subscriptions: subscriptions) { sidecar, app in
            #expect(app.received("/dapr/subscribe", method: "GET").count == 1, sidecar.comment)
            try await sidecar.mustPublish(topic: "orders", json: #"{"id": 1, "priority": "high"}"#)
            try await sidecar.mustPublish(topic: "orders", json: #"{"id": 2, "priority": "low"}"#)
            try await sidecar.mustPublish(topic: "orders", json: #"{"id": 3}"#)
            try await sidecar.mustPublish(topic: "receipts", json: #"{"order": 1}"#)

            let priority = try await app.waitFor("/orders/priority")
            let normal = try await app.waitFor("/orders", count: 2)
            let receipts = try await app.waitFor("/receipts")
            try await sidecar.waitForCounters(topic: "orders", ["delivered": 3, "inFlight": 0])
            #expect(priority.map(\.data) == [["id": 1, "priority": "high"]])
            #expect(Set(normal.compactMap { $0.data?["id"] }) == [2, 3])
            #expect(normal.count == 2)
            #expect(receipts.map(\.data) == [["order": 1]])
            #expect(receipts.first?.json?["topic"] == "receipts")
        }
    }

    @Test("Subscription YAML v1alpha1 (`route`) and v2alpha1 (`routes`) together with GET /dapr/subscribe")
    func declarativeAndProgrammaticTogether() async throws {
        let resources = [
            "pubsub.yaml": YAML.pubsub(),
            "payments.yaml": YAML.subscriptionV1(name: "payments", topic: "payments", route: "/payments"),
            "orders.yaml": YAML.subscriptionV2(
                name: "orders", topic: "orders",
                rules: [(Self.highPriority, "/orders/priority")], defaultRoute: "/orders"),
            // Scoped to another app: must not be used by `orders`.
            "billing.yaml": YAML.subscriptionV1(name: "billing", topic: "invoices", route: "/invoices", scopes: ["billing"]),
        ]
        let subscriptions = #"[{"pubsubname": "pubsub", "topic": "receipts", "route": "/receipts"}]"#
        try await withSidecar(SidecarOptions(resources: resources), subscriptions: subscriptions) { sidecar, app in
            try await sidecar.mustPublish(topic: "orders", json: #"{"id": 10, "priority": "high"}"#)
            try await sidecar.mustPublish(topic: "orders", json: #"{"id": 11, "priority": "normal"}"#)
            try await sidecar.mustPublish(topic: "payments", json: #"{"payment": 5}"#)
            try await sidecar.mustPublish(topic: "receipts", json: #"{"receipt": 6}"#)
            try await sidecar.mustPublish(topic: "invoices", json: #"{"invoice": 7}"#)

            #expect(try await app.waitFor("/orders/priority").map(\.data) == [["id": 10, "priority": "high"]])
            #expect(try await app.waitFor("/orders").map(\.data) == [["id": 11, "priority": "normal"]])
            #expect(try await app.waitFor("/payments").map(\.data) == [["payment": 5]])
            #expect(try await app.waitFor("/receipts").map(\.data) == [["receipt": 6]])
            try await sidecar.waitForCounters(topic: "orders", ["delivered": 2])

            let topics = try await sidecar.metadata()["subscriptions"]?.array?.compactMap { $0["topic"]?.string }.sorted()
            #expect(topics == ["orders", "payments", "receipts"], sidecar.comment)
            #expect(app.received("/invoices").isEmpty)
            #expect(app.received("/orders/priority").count == 1)
            #expect(app.received("/orders").count == 1)
        }
    }

    @Test("when the app and a Subscription document both subscribe to a topic, the document wins")
    func documentWinsOverApp() async throws {
        let resources = [
            "pubsub.yaml": YAML.pubsub(),
            "orders.yaml": YAML.subscriptionV1(name: "orders", topic: "orders", route: "/from-yaml"),
        ]
        let subscriptions = #"[{"pubsubname": "pubsub", "topic": "orders", "route": "/from-app"}]"#
        try await withSidecar(SidecarOptions(resources: resources), subscriptions: subscriptions) { sidecar, app in
            try await sidecar.mustPublish(topic: "orders", json: #"{"id": 1}"#)
            try await app.waitFor("/from-yaml")
            try await sidecar.waitForCounters(topic: "orders", ["delivered": 1, "inFlight": 0])
            #expect(app.received("/from-app").isEmpty)
            let subscriptions = try await sidecar.metadata()["subscriptions"]?.array ?? []
            #expect(subscriptions.count == 1, "\(subscriptions)")
            #expect(subscriptions.first?["type"] == "DECLARATIVE")
        }
    }

    @Test("an event no rule matches, on a subscription without a default route, is dropped as unrouted")
    func unroutedEvent() async throws {
        let resources = [
            "pubsub.yaml": YAML.pubsub(),
            "orders.yaml": YAML.subscriptionV2(name: "orders", topic: "orders", rules: [(Self.highPriority, "/orders/priority")]),
        ]
        try await withSidecar(SidecarOptions(resources: resources)) { sidecar, app in
            try await sidecar.mustPublish(topic: "orders", json: #"{"id": 1, "priority": "low"}"#)
            try await sidecar.mustPublish(topic: "orders", json: #"{"id": 2, "priority": "high"}"#)
            try await app.waitFor("/orders/priority")
            try await sidecar.waitForCounters(topic: "orders", ["unrouted": 1, "delivered": 1])
            #expect(app.received("/orders/priority").map(\.data) == [["id": 2, "priority": "high"]])
            #expect(app.requests.value.count { $0.method == "POST" } == 1)
        }
    }
}
