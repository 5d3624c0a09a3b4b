import Testing
import CloudEvents

@Suite struct CloudEventModelTests {
    @Test func daprAttributeAccessorsReadWriteAndRemoveExtensions() {
        var event = CloudEvent(id: "1", source: "s", type: "t")
        event.topic = "orders"
        event.pubsubName = "pubsub"
        event.traceParent = "00-abc-def-01"
        event.traceState = "k=v"
        event.traceID = "00-abc-def-01"
        event.expiration = "2030-01-01T00:00:00Z"
        #expect(event.extensions.keys == ["topic", "pubsubname", "traceparent", "tracestate", "traceid", "expiration"])
        #expect(event.extensions["pubsubname"] == "pubsub")
        #expect(event.topic == "orders")
        #expect(event.traceState == "k=v")
        event.topic = "payments"
        #expect(event.extensions.keys.first == "topic")
        #expect(event.topic == "payments")
        event.traceState = nil
        #expect(event.extensions["tracestate"] == nil)
        #expect(event.traceState == nil)
        #expect(event.extensions.count == 5)
    }

    @Test func jsonObjectParsesDataAndKeepsOrder() throws {
        var event = try CloudEvent(structured: Array(SpecExamples.withJSONData.utf8))
        event.topic = "inventory"
        let object = event.jsonObject
        #expect(object.keys == [
            "specversion", "id", "source", "type", "datacontenttype", "subject", "time",
            "comexampleextension1", "comexampleothervalue", "topic", "data",
        ])
        #expect(object["data"]?["count"] == .number("12"))
        #expect(object["data"]?["tags"] == ["cold", "fragile"])
        #expect(object["topic"] == "inventory")
    }

    @Test func jsonObjectRendersTextAndBinaryData() {
        let text = CloudEvent(id: "1", source: "s", type: "t", data: .text("hello"))
        #expect(text.jsonObject["data"] == "hello")
        let binary = CloudEvent(id: "1", source: "s", type: "t", data: .binary([1, 2, 3]))
        #expect(binary.jsonObject["data_base64"] == "AQID")
        #expect(binary.jsonObject["data"] == nil)
        let none = CloudEvent(id: "1", source: "s", type: "t")
        #expect(none.jsonObject.count == 4)
    }

    @Test func dataBytesUnwrapEachCase() {
        #expect(CloudEventData.none.bytes.isEmpty)
        #expect(CloudEventData.json(Array("[1]".utf8)).bytes == Array("[1]".utf8))
        #expect(CloudEventData.text("é").bytes == [0xC3, 0xA9])
        #expect(CloudEventData.binary([0, 255]).bytes == [0, 255])
    }

    @Test func expirationFollowsDaprHasExpired() {
        var event = CloudEvent(id: "1", source: "s", type: "t")
        let now = 1_700_000_000.0  // 2023-11-14T22:13:20Z
        #expect(!event.isExpired(now: now))
        event.expiration = "2023-11-14T22:13:19Z"
        #expect(event.isExpired(now: now))
        event.expiration = "2023-11-14T22:13:21Z"
        #expect(!event.isExpired(now: now))
        event.expiration = "2023-11-14T23:13:19+01:00"
        #expect(event.isExpired(now: now))
        event.expiration = "not a time"
        #expect(!event.isExpired(now: now))
        event.expiration = ""
        #expect(!event.isExpired(now: now))
    }

    @Test func equalityIgnoresExtensionOrder() {
        let a = CloudEvent(id: "1", source: "s", type: "t", extensions: ["x": 1, "y": 2])
        let b = CloudEvent(id: "1", source: "s", type: "t", extensions: ["y": 2, "x": 1])
        #expect(a == b)
        #expect(a.hashValue == b.hashValue)
        #expect(a != CloudEvent(id: "2", source: "s", type: "t", extensions: ["x": 1, "y": 2]))
    }
}
