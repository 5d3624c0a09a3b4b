import Testing
@testable import CloudEvents

@Suite struct EnvelopeRepublishTests {
    static let now = "2026-11-23T10:21:06Z"

    private func fromPublished(_ text: String) throws(CloudEventDecodingError) -> CloudEvent {
        try Envelope.fromPublished(
            Array(text.utf8), topic: "orders", pubsubName: "pubsub", traceParent: "00-new-trace-01",
            traceState: "new=1", now: Self.now)
    }

    @Test func keepsAppAttributesAndOverwritesRouting() throws {
        let published = #"{"specversion":"1.0","id":"app-id","source":"app","type":"order.created","#
            + #""time":"2020-01-01T00:00:00Z","datacontenttype":"application/json","custom":{"k":1},"#
            + #""topic":"spoofed","pubsubname":"spoofed","traceid":"00-app-trace-01","traceparent":"00-app-trace-01","#
            + #""tracestate":"app=1","data":{"n":1}}"#
        let event = try fromPublished(published)
        #expect(event.id == "app-id")
        #expect(event.source == "app")
        #expect(event.type == "order.created")
        #expect(event.time == "2020-01-01T00:00:00Z")
        #expect(event.dataContentType == "application/json")
        #expect(event.data == .json(Array(#"{"n":1}"#.utf8)))
        #expect(event.extensions["custom"] == ["k": 1])
        #expect(event.topic == "orders")
        #expect(event.pubsubName == "pubsub")
        #expect(event.traceID == "00-app-trace-01")
        #expect(event.traceParent == "00-app-trace-01")
        #expect(event.traceState == "app=1")
        #expect(event.extensions.keys == ["custom", "topic", "pubsubname", "traceid", "traceparent", "tracestate"])
    }

    @Test func fillsDefaultsForAbsentAttributes() throws {
        let event = try fromPublished(#"{"data":"hello"}"#)
        #expect(isUUID(event.id))
        #expect(event.source == "Dapr")
        #expect(event.type == "com.dapr.event.sent")
        #expect(event.specVersion == "1.0")
        #expect(event.time == Self.now)
        #expect(event.dataContentType == nil)
        #expect(event.data == .text("hello"))
        #expect(event.traceID == "00-new-trace-01")
        #expect(event.traceParent == "00-new-trace-01")
        #expect(event.traceState == "new=1")
        #expect(event.topic == "orders")
        #expect(event.pubsubName == "pubsub")
    }

    @Test func presentButEmptyAttributesAreKept() throws {
        let event = try fromPublished(#"{"id":"","source":"","type":"t","specversion":"1.0"}"#)
        #expect(event.id == "")
        #expect(event.source == "")
    }

    @Test func traceIDPresenceDecidesLikeDapr() throws {
        let onlyTraceID = try fromPublished(#"{"id":"1","traceid":"00-app-01"}"#)
        #expect(onlyTraceID.traceID == "00-app-01")
        #expect(onlyTraceID.traceParent == nil)
        #expect(onlyTraceID.traceState == "new=1")
        let onlyParent = try fromPublished(#"{"id":"1","traceparent":"00-app-01","tracestate":""}"#)
        #expect(onlyParent.traceID == "00-new-trace-01")
        #expect(onlyParent.traceParent == "00-new-trace-01")
        #expect(onlyParent.traceState == "")
    }

    @Test func roundTripsToStructuredBytes() throws {
        let event = try fromPublished(SpecExamples.withBase64Data)
        #expect(event.data == .binary(SpecExamples.pngSignature))
        let reread = try CloudEvent(structured: event.structuredBytes())
        #expect(reread == event)
    }

    @Test(arguments: ["[1,2]", "\"text\"", "not json", "", #"{"id":"1""#, #"{"id":{"nested":1}}"#])
    func rejectsBodiesThatAreNotEventObjects(_ text: String) {
        #expect(throws: CloudEventDecodingError.self) { try fromPublished(text) }
    }

    @Test func rawPayloadFollowsFromRawPayload() {
        let bytes: [UInt8] = [1, 2, 3, 250]
        let event = Envelope.fromRawPayload(bytes, topic: "orders", pubsubName: "pubsub")
        #expect(isUUID(event.id))
        #expect(event.specVersion == "1.0")
        #expect(event.dataContentType == "application/octet-stream")
        #expect(event.source == "Dapr")
        #expect(event.type == "com.dapr.event.sent")
        #expect(event.time == nil)
        #expect(event.data == .binary(bytes))
        #expect(event.extensions.keys == ["topic", "pubsubname"])
        #expect(event.topic == "orders")
        #expect(event.pubsubName == "pubsub")
        #expect(String(decoding: event.structuredBytes(), as: UTF8.self).hasSuffix(#""data_base64":"AQID+g=="}"#))
    }

    @Test func newIDsAreLowercaseV4AndUnique() {
        let ids = (0..<1000).map { _ in Envelope.newID() }
        #expect(ids.allSatisfy(isUUID))
        #expect(Set(ids).count == ids.count)
        #expect(ids.allSatisfy { Array($0.utf8)[14] == UInt8(ascii: "4") }, "version 4")
        #expect(Set(ids.map { Array($0.utf8)[19] }) == Set("89ab".utf8), "RFC 4122 variant")
        // Every hex digit turns up in every random position (the version and variant aside).
        for position in [0, 7, 9, 12, 15, 20, 24, 35] {
            let digits = Set(ids.map { Array($0.utf8)[position] })
            #expect(digits == Set("0123456789abcdef".utf8), "position \(position)")
        }
    }

    /// Four bytes to eight hex digits word-wise, against the digit-by-digit reference.
    @Test func hexOfFourBytesMatchesTheReference() {
        var values: [UInt32] = [0, 0xFFFF_FFFF, 0x0123_4567, 0x89AB_CDEF, 0x0909_0A0A, 0xF0F0_0F0F]
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2000 { values.append(UInt32(truncatingIfNeeded: generator.next())) }
        for value in values {
            var reference: [UInt8] = []
            for shift in stride(from: 0, to: 32, by: 8) {
                let byte = UInt8(truncatingIfNeeded: value >> UInt32(shift))
                reference += [JSONText.hexDigit(byte >> 4), JSONText.hexDigit(byte & 0xF)]
            }
            let word = Envelope.hex(value)
            let digits = (0..<8).map { UInt8(truncatingIfNeeded: word >> UInt64($0 * 8)) }
            #expect(digits == reference, "\(value)")
        }
    }
}
