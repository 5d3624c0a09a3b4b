import Testing
import CloudEvents

@Suite struct CloudEventBinaryModeTests {
    @Test func producesCeHeadersAndContentType() throws {
        var event = try CloudEvent(structured: Array(SpecExamples.withJSONData.utf8))
        event.dataSchema = "https://schemas.example/inventory"
        event.extensions["flag"] = true
        event.extensions["gone"] = .null
        let headers = event.binaryModeHeaders()
        #expect(headers.map(\.name) == [
            "ce-specversion", "ce-id", "ce-source", "ce-type", "Content-Type", "ce-dataschema", "ce-subject",
            "ce-time", "ce-comexampleextension1", "ce-comexampleothervalue", "ce-flag",
        ])
        #expect(headers.map(\.value) == [
            "1.0", "c0ffee-0001", "/warehouses/north-7", "com.example.inventory.restocked", "application/json",
            "https://schemas.example/inventory", "sku-4411", "2025-03-14T09:26:53Z", "shelf-b", "5", "true",
        ])
        #expect(event.binaryModeBody == Array(SpecExamples.withJSONDataPayload.utf8))
    }

    @Test func roundTripsThroughHeadersAndBody() throws {
        var event = CloudEvent(
            id: "ü-1", source: "/a b", type: "t\"q%", dataContentType: "application/json",
            subject: "sub", time: "2025-03-14T09:26:53Z", data: .json(Array(#"{"k":[1,2]}"#.utf8)))
        event.topic = "orders"
        event.traceParent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
        let headers = event.binaryModeHeaders()
        #expect(headers.first { $0.name == "ce-id" }?.value == "%C3%BC-1")
        #expect(headers.first { $0.name == "ce-source" }?.value == "/a%20b")
        #expect(headers.first { $0.name == "ce-type" }?.value == "t%22q%25")
        let decoded = try CloudEvent(binaryModeHeaders: headers, body: event.binaryModeBody)
        #expect(decoded == event)
    }

    @Test func acceptsUnderscorePrefixAndAnyCase() throws {
        let headers: [(name: String, value: String)] = [
            ("CE_ID", "42"), ("ce_Source", "kafka"), ("Ce-Type", "x.y"), ("ce-SpecVersion", "1.0"),
            ("content-type", "text/plain; charset=utf-8"), ("CE-MyExt", "v"), ("X-Other", "ignored"),
        ]
        let event = try CloudEvent(binaryModeHeaders: headers, body: Array("hi".utf8))
        #expect(event.id == "42")
        #expect(event.source == "kafka")
        #expect(event.type == "x.y")
        #expect(event.specVersion == "1.0")
        #expect(event.dataContentType == "text/plain; charset=utf-8")
        #expect(event.data == .text("hi"))
        #expect(event.extensions.keys == ["myext"])
    }

    @Test func typesTheBodyByContentType() throws {
        func data(_ contentType: String?, _ body: [UInt8]) throws -> CloudEventData {
            var headers: [(name: String, value: String)] = [
                ("ce-id", "1"), ("ce-source", "s"), ("ce-type", "t"), ("ce-specversion", "1.0"),
            ]
            if let contentType { headers.append(("Content-Type", contentType)) }
            return try CloudEvent(binaryModeHeaders: headers, body: body).data
        }
        #expect(try data("application/json", Array("[1]".utf8)) == .json(Array("[1]".utf8)))
        #expect(try data("application/json", Array("nope".utf8)) == .text("nope"))
        #expect(try data("application/octet-stream", [0xFF, 0x00]) == .binary([0xFF, 0x00]))
        #expect(try data("image/png", SpecExamples.pngSignature) == .binary(SpecExamples.pngSignature))
        #expect(try data("text/plain", [0xFF]) == .binary([0xFF]))
        #expect(try data(nil, Array("{}".utf8)) == .json(Array("{}".utf8)))
        #expect(try data(nil, Array("raw".utf8)) == .binary(Array("raw".utf8)))
        #expect(try data("application/json", []) == CloudEventData.none)
    }

    @Test func missingRequiredHeaderThrows() {
        let headers: [(name: String, value: String)] = [("ce-id", "1"), ("ce-source", "s"), ("ce-specversion", "1.0")]
        #expect(throws: CloudEventDecodingError(reason: "missing required header 'ce-type'")) {
            try CloudEvent(binaryModeHeaders: headers, body: [])
        }
    }
}
