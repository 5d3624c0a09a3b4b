import Foundation
import Testing

/// Behaviour 2: `POST /v1.0/publish/{pubsub}/{topic}` and the CloudEvent the app receives.
@Suite("Publish: the CloudEvent the app receives", .timeLimit(.minutes(1)))
struct PublishEnvelopeTests {
    static let resources = [
        "pubsub.yaml": YAML.pubsub(),
        "subscriptions.yaml": YAML.documents(
            YAML.subscriptionV1(name: "orders", topic: "orders", route: "/orders"),
            YAML.subscriptionV1(name: "raw", topic: "raw", route: "/raw", metadata: ["rawPayload": "true"])),
    ]
    static let traceParent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"

    /// Whether `header` is a span of the caller's trace other than the caller's own span.
    static func isChild(_ header: String?) -> Bool {
        guard let parts = header?.split(separator: "-"), parts.count == 4 else { return false }
        return parts[1] == "0af7651916cd43dd8448eb211c80319c" && parts[2] != "b7ad6b7169203331" && parts[3] == "01"
    }

    @Test("a JSON body arrives as a structured CloudEvent with every Dapr attribute")
    func jsonBody() async throws {
        try await withSidecar(SidecarOptions(resources: Self.resources)) { sidecar, app in
            let before = Date()
            let response = try await sidecar.publish(
                topic: "orders", json: #"{"orderId": 42, "item": "paddle"}"#,
                headers: [("traceparent", Self.traceParent), ("tracestate", "congo=t61rcWkgMzE")])
            #expect(response.status == 204, sidecar.comment)
            #expect(response.body.isEmpty)

            let request = try #require(try await app.waitFor("/orders").first)
            #expect(request.headers["content-type"] == "application/cloudevents+json")
            #expect(Self.isChild(request.headers["traceparent"]), "the delivery continues the caller's trace: \(request.headers)")
            #expect(request.headers["pubsubname"] == "pubsub")
            #expect(request.headers["topic"] == "orders")
            let event = try #require(request.json, "not JSON: \(request.text)")
            #expect(event["specversion"] == "1.0")
            let id = try #require(event["id"]?.string)
            #expect(UUID(uuidString: id) != nil, "id \(id) is not a UUID")
            #expect(id == id.lowercased())
            #expect(event["source"] == "orders")
            #expect(event["type"] == "com.dapr.event.sent")
            #expect(event["datacontenttype"] == "application/json")
            #expect(event["data"] == ["orderId": 42, "item": "paddle"])
            #expect(event["data_base64"] == nil)
            #expect(event["topic"] == "orders")
            #expect(event["pubsubname"] == "pubsub")
            #expect(Self.isChild(event["traceparent"]?.string), "the envelope names the publish span, the caller's child")
            #expect(event["traceid"]?.string == event["traceparent"]?.string)
            #expect(event["tracestate"] == "congo=t61rcWkgMzE")
            #expect(event["expiration"] == nil)
            let time = try #require(event["time"]?.string.flatMap(RFC3339.parse), "time \(String(describing: event["time"])) is not RFC 3339")
            #expect(time.timeIntervalSince(before) > -2 && time.timeIntervalSinceNow < 2, "time \(time) is not the publish time")
        }
    }

    @Test("a text/plain body becomes a JSON string")
    func textBody() async throws {
        try await withSidecar(SidecarOptions(resources: Self.resources)) { sidecar, app in
            let response = try await sidecar.publish(topic: "orders", body: Array("hello, \"outrigger\"\n".utf8), contentType: "text/plain")
            #expect(response.status == 204, sidecar.comment)
            let event = try #require(try await app.waitFor("/orders").first?.json)
            #expect(event["datacontenttype"] == "text/plain")
            #expect(event["data"] == "hello, \"outrigger\"\n")
            #expect(event["source"] == "orders")
        }
    }

    @Test("an application/octet-stream body is carried in data_base64")
    func binaryBody() async throws {
        try await withSidecar(SidecarOptions(resources: Self.resources)) { sidecar, app in
            let bytes: [UInt8] = [0, 1, 2, 0xFF, 0xFE, 0x0A, 0x80, 0x7F]
            let response = try await sidecar.publish(topic: "orders", body: bytes, contentType: "application/octet-stream")
            #expect(response.status == 204, sidecar.comment)
            let event = try #require(try await app.waitFor("/orders").first?.json)
            #expect(event["datacontenttype"] == "application/octet-stream")
            #expect(event["data"] == nil)
            #expect(event["data_base64"]?.string == Data(bytes).base64EncodedString())
        }
    }

    @Test("metadata.cloudevent.id/type/source/subject override the attributes")
    func attributeOverrides() async throws {
        try await withSidecar(SidecarOptions(resources: Self.resources)) { sidecar, app in
            let response = try await sidecar.publish(
                topic: "orders", json: #"{"orderId": 7}"#,
                metadata: [
                    "cloudevent.id": "order-7-created", "cloudevent.type": "com.example.order.created",
                    "cloudevent.source": "checkout", "cloudevent.subject": "orders/7 & more é",
                ])
            #expect(response.status == 204, sidecar.comment)
            let event = try #require(try await app.waitFor("/orders").first?.json)
            #expect(event["id"] == "order-7-created")
            #expect(event["type"] == "com.example.order.created")
            #expect(event["source"] == "checkout")
            #expect(event["subject"] == "orders/7 & more é")
            #expect(event["data"] == ["orderId": 7])
            #expect(event["topic"] == "orders")
        }
    }

    @Test("a body that already is a CloudEvent is not wrapped twice")
    func publishedCloudEvent() async throws {
        try await withSidecar(SidecarOptions(resources: Self.resources)) { sidecar, app in
            let body = """
                {"specversion":"1.0","id":"evt-1","source":"upstream","type":"com.example.created",
                 "datacontenttype":"application/json","data":{"a":1,"nested":{"b":[true,null]}},"myext":"kept",
                 "topic":"somewhere-else","pubsubname":"other"}
                """
            let response = try await sidecar.publish(
                topic: "orders", body: Array(body.utf8), contentType: "application/cloudevents+json",
                headers: [("traceparent", Self.traceParent)])
            #expect(response.status == 204, sidecar.comment)
            let event = try #require(try await app.waitFor("/orders").first?.json)
            #expect(event["id"] == "evt-1")
            #expect(event["source"] == "upstream")
            #expect(event["type"] == "com.example.created")
            #expect(event["specversion"] == "1.0")
            #expect(event["datacontenttype"] == "application/json")
            #expect(event["data"] == ["a": 1, "nested": ["b": [true, nil]]])
            #expect(event["myext"] == "kept")
            #expect(event["topic"] == "orders")
            #expect(event["pubsubname"] == "pubsub")
            #expect(Self.isChild(event["traceparent"]?.string), "\(event)")
            #expect(event["time"]?.string.flatMap(RFC3339.parse) != nil, "time is filled in when missing")
        }
    }

    @Test("rawPayload on publish and on the subscription delivers the exact bytes in data_base64")
    func rawPayload() async throws {
        try await withSidecar(SidecarOptions(resources: Self.resources)) { sidecar, app in
            let bytes: [UInt8] = Array("not a cloud event: ".utf8) + [0x00, 0xC3, 0x28, 0xFF, 0x0D, 0x0A]
            let response = try await sidecar.publish(topic: "raw", body: bytes, contentType: "application/octet-stream", metadata: ["rawPayload": "true"])
            #expect(response.status == 204, sidecar.comment)
            let request = try #require(try await app.waitFor("/raw").first)
            #expect(request.headers["content-type"] == "application/cloudevents+json")
            let event = try #require(request.json, "not JSON: \(request.text)")
            #expect(event["data_base64"]?.string == Data(bytes).base64EncodedString())
            #expect(event["data"] == nil)
            #expect(event["datacontenttype"] == "application/octet-stream")
            #expect(event["specversion"] == "1.0")
            #expect(event["topic"] == "raw")
            #expect(event["pubsubname"] == "pubsub")
            #expect(event["type"] == "com.dapr.event.sent")
        }
    }

    @Test("rawPayload=true with a JSON body still arrives byte for byte")
    func rawPayloadJSON() async throws {
        try await withSidecar(SidecarOptions(resources: Self.resources)) { sidecar, app in
            let body = #"{ "specversion" : "not-really", "x": 1 }"#
            let response = try await sidecar.publish(topic: "raw", json: body, metadata: ["rawPayload": "true"])
            #expect(response.status == 204, sidecar.comment)
            let event = try #require(try await app.waitFor("/raw").first?.json)
            #expect(event["data_base64"]?.string == Data(body.utf8).base64EncodedString())
            #expect(event["specversion"] == "1.0")
        }
    }

    @Test("metadata.ttlInSeconds sets the expiration attribute")
    func ttl() async throws {
        try await withSidecar(SidecarOptions(resources: Self.resources)) { sidecar, app in
            let response = try await sidecar.publish(topic: "orders", json: #"{"ttl": true}"#, metadata: ["ttlInSeconds": "120"])
            #expect(response.status == 204, sidecar.comment)
            let event = try #require(try await app.waitFor("/orders").first?.json)
            let expiration = try #require(event["expiration"]?.string.flatMap(RFC3339.parse), "expiration \(String(describing: event["expiration"])) is not RFC 3339")
            let time = try #require(event["time"]?.string.flatMap(RFC3339.parse))
            #expect(abs(expiration.timeIntervalSince(time) - 120) <= 1, "expiration \(expiration) is not time \(time) + 120 s")
            #expect(event["data"] == ["ttl": true])
        }
    }

    @Test("an event whose TTL has passed is not delivered (ttlInSeconds=0)")
    func expiredEventNotDelivered() async throws {
        try await withSidecar(SidecarOptions(resources: Self.resources)) { sidecar, app in
            let response = try await sidecar.publish(topic: "orders", json: #"{"expired": true}"#, metadata: ["ttlInSeconds": "0"])
            #expect(response.status == 204, sidecar.comment)
            // The in-memory broker honours the TTL itself (MESSAGE_TTL) and discards the message
            // unseen; the marker published after it is the barrier.
            try await sidecar.mustPublish(topic: "orders", json: #"{"marker": true}"#)
            try await app.waitFor("/orders") { $0.data == ["marker": true] }
            #expect(app.received("/orders").map(\.data) == [["marker": true]])
        }
    }

    @Test("without a Content-Type the data is text/plain")
    func noContentType() async throws {
        try await withSidecar(SidecarOptions(resources: Self.resources)) { sidecar, app in
            let response = try await sidecar.publish(topic: "orders", body: Array("no type given".utf8), contentType: nil)
            #expect(response.status == 204, sidecar.comment)
            let event = try #require(try await app.waitFor("/orders").first?.json)
            #expect(event["datacontenttype"] == "text/plain")
            #expect(event["data"] == "no type given")
        }
    }

    @Test("an application/json body that does not parse is kept as a JSON string")
    func invalidJSONBody() async throws {
        try await withSidecar(SidecarOptions(resources: Self.resources)) { sidecar, app in
            let response = try await sidecar.publish(topic: "orders", body: Array("{not json".utf8), contentType: "application/json")
            #expect(response.status == 204, sidecar.comment)
            let event = try #require(try await app.waitFor("/orders").first?.json)
            #expect(event["datacontenttype"] == "application/json")
            #expect(event["data"] == "{not json")
        }
    }

    @Test("metadata.cloudevent.<other> sets an extension attribute")
    func extensionAttribute() async throws {
        try await withSidecar(SidecarOptions(resources: Self.resources)) { sidecar, app in
            let response = try await sidecar.publish(topic: "orders", json: #"{"a": 1}"#, metadata: ["cloudevent.tenant": "acme"])
            #expect(response.status == 204, sidecar.comment)
            let event = try #require(try await app.waitFor("/orders").first?.json)
            #expect(event["tenant"] == "acme")
            #expect(event["data"] == ["a": 1])
        }
    }

    @Test("raw bytes on a topic whose subscription has no rawPayload are still delivered, wrapped")
    func rawPayloadOnPlainSubscription() async throws {
        try await withSidecar(SidecarOptions(resources: Self.resources)) { sidecar, app in
            let bytes = Array("<order id='3'/>".utf8)
            let response = try await sidecar.publish(topic: "orders", body: bytes, contentType: "application/xml", metadata: ["rawPayload": "true"])
            #expect(response.status == 204, sidecar.comment)
            let event = try #require(try await app.waitFor("/orders").first?.json)
            #expect(event["data_base64"]?.string == Data(bytes).base64EncodedString())
            #expect(event["datacontenttype"] == "application/octet-stream")
            #expect(event["topic"] == "orders")
        }
    }

    @Test("PUT publishes like POST")
    func putPublishes() async throws {
        try await withSidecar(SidecarOptions(resources: Self.resources)) { sidecar, app in
            let response = try await HTTP.request(
                "PUT", sidecar.baseURL + "/v1.0/publish/pubsub/orders", body: Array(#"{"put": true}"#.utf8),
                headers: [("content-type", "application/json")])
            #expect(response.status == 204, sidecar.comment)
            #expect(try await app.waitFor("/orders").map(\.data) == [["put": true]])
        }
    }

    @Test("a topic may contain slashes")
    func topicWithSlashes() async throws {
        let resources = [
            "pubsub.yaml": YAML.pubsub(),
            "sub.yaml": YAML.subscriptionV1(name: "deep", topic: "orders/eu/created", route: "/deep"),
        ]
        try await withSidecar(SidecarOptions(resources: resources)) { sidecar, app in
            let response = try await sidecar.publish(topic: "orders/eu/created", json: #"{"region": "eu"}"#)
            #expect(response.status == 204, sidecar.comment)
            let event = try #require(try await app.waitFor("/deep").first?.json)
            #expect(event["topic"] == "orders/eu/created")
            #expect(event["data"] == ["region": "eu"])
        }
    }
}
