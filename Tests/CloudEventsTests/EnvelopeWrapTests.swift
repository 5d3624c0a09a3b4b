import Testing
import CloudEvents

@Suite struct EnvelopeWrapTests {
    static let now = "2026-11-23T10:21:06Z"
    static let traceParent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"

    private func wrap(
        _ data: String, contentType: String?, id: String? = nil, source: String? = nil, type: String? = nil,
        subject: String? = nil
    ) -> CloudEvent {
        Envelope.wrap(
            data: Array(data.utf8), dataContentType: contentType, id: id, source: source, type: type,
            subject: subject, topic: "orders", pubsubName: "pubsub", traceParent: Self.traceParent,
            traceState: "vendor=1", now: Self.now)
    }

    @Test func appliesDaprDefaults() {
        let event = wrap("hello", contentType: nil)
        #expect(isUUID(event.id))
        #expect(event.source == "Dapr")
        #expect(event.type == "com.dapr.event.sent")
        #expect(event.specVersion == "1.0")
        #expect(event.dataContentType == "text/plain")
        #expect(event.time == Self.now)
        #expect(event.subject == nil)
        #expect(event.data == .text("hello"))
        let empty = wrap("x", contentType: "", id: "", source: "", type: "", subject: "")
        #expect(isUUID(empty.id))
        #expect(empty.source == "Dapr")
        #expect(empty.type == "com.dapr.event.sent")
        #expect(empty.dataContentType == "text/plain")
        #expect(empty.subject == nil)
    }

    @Test func keepsGivenAttributes() {
        let event = wrap("x", contentType: "text/csv", id: "my-id", source: "app1", type: "order.created", subject: "o-1")
        #expect(event.id == "my-id")
        #expect(event.source == "app1")
        #expect(event.type == "order.created")
        #expect(event.subject == "o-1")
        #expect(event.dataContentType == "text/csv")
    }

    @Test func setsTracingAndRoutingExtensionsInDaprOrder() {
        let event = wrap("x", contentType: nil)
        #expect(event.extensions.keys == ["topic", "pubsubname", "traceid", "traceparent", "tracestate"])
        #expect(event.topic == "orders")
        #expect(event.pubsubName == "pubsub")
        #expect(event.traceID == Self.traceParent)
        #expect(event.traceParent == Self.traceParent)
        #expect(event.traceState == "vendor=1")
        let untraced = Envelope.wrap(
            data: [], dataContentType: nil, id: "1", source: nil, type: nil, subject: nil, topic: "t",
            pubsubName: "p", traceParent: "", traceState: "", now: Self.now)
        #expect(untraced.traceID == "")
        #expect(untraced.traceState == "")
    }

    @Test func validJSONIsKeptRawAndTrimmed() {
        let event = wrap("  \n{\"a\": [1, 2.50]}\t\n", contentType: "application/json")
        #expect(event.data == .json(Array("{\"a\": [1, 2.50]}".utf8)))
        let structured = String(decoding: event.structuredBytes(), as: UTF8.self)
        #expect(structured.hasSuffix(#""data":{"a": [1, 2.50]}}"#))
        #expect(wrap("\"str\"", contentType: "application/json; charset=utf-8").data == .json(Array("\"str\"".utf8)))
        #expect(wrap("42", contentType: "application/problem+json").data == .json(Array("42".utf8)))
    }

    @Test func invalidJSONFallsBackToText() {
        #expect(wrap("{not json", contentType: "application/json").data == .text("{not json"))
        #expect(wrap("", contentType: "application/json").data == .text(""))
        #expect(wrap("1 2", contentType: "application/json").data == .text("1 2"))
        let event = wrap("{oops", contentType: "application/json")
        #expect(event.dataContentType == "application/json")
        #expect(String(decoding: event.structuredBytes(), as: UTF8.self).hasSuffix(#""data":"{oops"}"#))
    }

    @Test func octetStreamBecomesBase64() {
        let bytes: [UInt8] = [0x00, 0xFF, 0x10]
        let event = Envelope.wrap(
            data: bytes, dataContentType: "application/octet-stream", id: "1", source: nil, type: nil, subject: nil,
            topic: "t", pubsubName: "p", traceParent: "", traceState: "", now: Self.now)
        #expect(event.data == .binary(bytes))
        #expect(String(decoding: event.structuredBytes(), as: UTF8.self).hasSuffix(#""data_base64":"AP8Q"}"#))
    }

    @Test func otherTypesBecomeText() {
        #expect(wrap("<a/>", contentType: "application/xml").data == .text("<a/>"))
        #expect(wrap("{\"a\":1}", contentType: "text/plain").data == .text("{\"a\":1}"))
        #expect(wrap("{\"a\":1}", contentType: "application/cloudevents+json").data == .text("{\"a\":1}"))
    }

    @Test func producesTheExpectedStructuredEvent() {
        let event = wrap(#"{"orderId":7}"#, contentType: "application/json", id: "e1", subject: "s1")
        let expected = #"{"specversion":"1.0","id":"e1","source":"Dapr","type":"com.dapr.event.sent","#
            + #""datacontenttype":"application/json","subject":"s1","time":"2026-11-23T10:21:06Z","#
            + #""topic":"orders","pubsubname":"pubsub","traceid":"\#(Self.traceParent)","#
            + #""traceparent":"\#(Self.traceParent)","tracestate":"vendor=1","data":{"orderId":7}}"#
        #expect(String(decoding: event.structuredBytes(), as: UTF8.self) == expected)
    }

    @Test func defaultTimeIsNow() throws {
        let event = Envelope.wrap(
            data: [], dataContentType: nil, id: nil, source: nil, type: nil, subject: nil, topic: "t",
            pubsubName: "p", traceParent: "", traceState: "")
        let time = try #require(event.time.flatMap(CloudEventTime.parse))
        #expect(abs(time - CloudEventTime.currentSeconds()) < 5)
    }
}

func isUUID(_ text: String) -> Bool {
    let bytes = Array(text.utf8)
    guard bytes.count == 36 else { return false }
    for (position, byte) in bytes.enumerated() {
        if [8, 13, 18, 23].contains(position) {
            guard byte == UInt8(ascii: "-") else { return false }
        } else {
            guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(byte)
            else { return false }
        }
    }
    return bytes[14] == UInt8(ascii: "4") && [UInt8(ascii: "8"), UInt8(ascii: "9"), UInt8(ascii: "a"), UInt8(ascii: "b")].contains(bytes[19])
}
