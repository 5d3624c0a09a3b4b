import Testing
import CloudEvents

@Suite struct CloudEventStructuredTests {
    private func decode(_ text: String) throws(CloudEventDecodingError) -> CloudEvent {
        try CloudEvent(structured: Array(text.utf8))
    }

    @Test func decodesSpecExampleWithJSONData() throws {
        let event = try decode(SpecExamples.withJSONData)
        #expect(event.specVersion == "1.0")
        #expect(event.id == "c0ffee-0001")
        #expect(event.source == "/warehouses/north-7")
        #expect(event.type == "com.example.inventory.restocked")
        #expect(event.subject == "sku-4411")
        #expect(event.time == "2025-03-14T09:26:53Z")
        #expect(event.dataContentType == "application/json")
        #expect(event.dataSchema == nil)
        #expect(event.data == .json(Array(SpecExamples.withJSONDataPayload.utf8)))
        #expect(event.extensions.keys == ["comexampleextension1", "comexampleothervalue"])
        #expect(event.extensions["comexampleextension1"] == "shelf-b")
        #expect(event.extensions["comexampleothervalue"] == .number("5"))
    }

    @Test func decodesSpecExampleWithStringData() throws {
        let event = try decode(SpecExamples.withStringData)
        #expect(event.data == .text("<report pages=\"3\"/>"))
        #expect(event.dataContentType == "text/xml")
        #expect(event.extensions.count == 0)
    }

    @Test func decodesSpecExampleWithBase64Data() throws {
        let event = try decode(SpecExamples.withBase64Data)
        #expect(event.data == .binary(SpecExamples.pngSignature))
        #expect(event.time == "2025-03-14T09:27:00.250+01:00")
        let text = String(decoding: event.structuredBytes(), as: UTF8.self)
        #expect(text.hasSuffix(#","data_base64":"iVBORw0KGgo="}"#))
    }

    @Test func writesAttributesInCanonicalOrderWithDataRaw() throws {
        let event = try decode(SpecExamples.withJSONData)
        let expected = #"{"specversion":"1.0","id":"c0ffee-0001","source":"/warehouses/north-7","#
            + #""type":"com.example.inventory.restocked","datacontenttype":"application/json","#
            + #""subject":"sku-4411","time":"2025-03-14T09:26:53Z","comexampleextension1":"shelf-b","#
            + #""comexampleothervalue":5,"data":"# + SpecExamples.withJSONDataPayload + "}"
        #expect(String(decoding: event.structuredBytes(), as: UTF8.self) == expected)
    }

    @Test(arguments: [SpecExamples.withJSONData, SpecExamples.withStringData, SpecExamples.withBase64Data])
    func roundTripsSpecExamples(_ text: String) throws {
        let event = try decode(text)
        let bytes = event.structuredBytes()
        #expect(JSONText.isValid(bytes))
        #expect(try CloudEvent(structured: bytes) == event)
    }

    @Test func writesEveryOptionalAttributeAndEscapesValues() throws {
        var event = CloudEvent(
            id: "id\"1", source: "src\\x", type: "t\n", dataContentType: "text/plain",
            dataSchema: "https://schemas.example/v1", subject: "s", time: "2025-01-01T00:00:00Z",
            data: .text("line1\nline2"), extensions: ["myext": ["nested": true]])
        event.topic = "orders"
        let text = String(decoding: event.structuredBytes(), as: UTF8.self)
        let expected = #"{"specversion":"1.0","id":"id\"1","source":"src\\x","type":"t\n","#
            + #""datacontenttype":"text/plain","dataschema":"https://schemas.example/v1","subject":"s","#
            + #""time":"2025-01-01T00:00:00Z","myext":{"nested":true},"topic":"orders","data":"line1\nline2"}"#
        #expect(text == expected)
        #expect(try CloudEvent(structured: event.structuredBytes()) == event)
    }

    @Test func writeStructuredAppendsAndOmitsAbsentData() {
        let event = CloudEvent(id: "1", source: "s", type: "t")
        var buffer = Array("x".utf8)
        event.writeStructured(into: &buffer)
        #expect(String(decoding: buffer, as: UTF8.self) == #"x{"specversion":"1.0","id":"1","source":"s","type":"t"}"#)
        let emptyJSON = CloudEvent(id: "1", source: "s", type: "t", data: .json([]))
        #expect(JSONText.isValid(emptyJSON.structuredBytes()))
    }

    @Test func reservedNamesInExtensionsAreNeverWritten() {
        let event = CloudEvent(
            id: "real", source: "s", type: "t",
            extensions: ["id": "shadow", "data": "shadow", "data_base64": "shadow", "ext": 1])
        let members = (try? JSONText.objectMembers(event.structuredBytes()))?.map(\.key)
        #expect(members == ["specversion", "id", "source", "type", "ext"])
    }

    @Test func nullAttributesCountAsAbsentAndNullDataIsKept() throws {
        let event = try decode(#"{"specversion":"1.0","id":"1","source":"s","type":"t","subject":null,"data":null}"#)
        #expect(event.subject == nil)
        #expect(event.data == .json(Array("null".utf8)))
    }

    @Test func duplicateMembersKeepTheLastValue() throws {
        let event = try decode(#"{"specversion":"1.0","id":"1","id":"2","source":"s","type":"t","x":1,"x":2}"#)
        #expect(event.id == "2")
        #expect(event.extensions.members.count == 1)
        #expect(event.extensions["x"] == .number("2"))
    }

    @Test(arguments: [
        (#"{"specversion":"1.0","source":"s","type":"t"}"#, "missing required attribute 'id'"),
        (#"{"id":"1","source":"s","type":"t"}"#, "missing required attribute 'specversion'"),
        (#"{"specversion":"1.0","id":"1","source":"s","type":"t","id":null}"#, "missing required attribute 'id'"),
        (#"{"specversion":"1.0","id":7,"source":"s","type":"t"}"#, "attribute 'id' must be a string"),
        (#"{"specversion":"1.0","id":"1","source":"s","type":"t","time":{}}"#, "attribute 'time' must be a string"),
        (#"{"specversion":"1.0","id":"1","source":"s","type":"t","data":1,"data_base64":"AA=="}"#,
         "both data and data_base64 are present"),
        (#"{"specversion":"1.0","id":"1","source":"s","type":"t","data_base64":"***"}"#,
         "data_base64 is not valid base64"),
        (#"{"specversion":"1.0","id":"1","source":"s","type":"t","data_base64":5}"#,
         "attribute 'data_base64' must be a string"),
        ("[]", "invalid JSON at byte 0: unexpected '[', expected a JSON object"),
        (#"{"id":"1",}"#, "invalid JSON at byte 9: trailing comma before '}'"),
    ])
    func rejectsInvalidEvents(_ sample: (text: String, reason: String)) {
        #expect(throws: CloudEventDecodingError(reason: sample.reason)) { try decode(sample.text) }
    }

    @Test func lenientDecodingFillsNothingAndAcceptsScalars() throws {
        let event = try CloudEvent(structured: Array(#"{"id":42,"subject":true,"data":"x","data_base64":"AA=="}"#.utf8), lenient: true)
        #expect(event.id == "42")
        #expect(event.subject == "true")
        #expect(event.source == "")
        #expect(event.specVersion == "")
        #expect(event.data == .text("x"))
    }

    @Test func errorDescriptionsAreReadable() {
        #expect(CloudEventDecodingError(reason: "boom").description == "invalid CloudEvent: boom")
    }
}
