import Testing
import CloudEvents

@Suite struct CloudEventBatchTests {
    @Test func decodesSpecBatchExample() throws {
        let events = try CloudEvent.decodeBatch(Array(SpecExamples.batch.utf8))
        #expect(events.map(\.id) == ["c0ffee-0001", "R-77", "snap-998"])
        #expect(events[0].data == .json(Array(SpecExamples.withJSONDataPayload.utf8)))
        #expect(events[1].data == .text("<report pages=\"3\"/>"))
        #expect(events[2].data == .binary(SpecExamples.pngSignature))
    }

    @Test func roundTripsThroughBatchBytes() throws {
        let events = try CloudEvent.decodeBatch(Array(SpecExamples.batch.utf8))
        let bytes = CloudEvent.batchBytes(events)
        #expect(bytes.first == UInt8(ascii: "["))
        #expect(try JSONText.arrayElements(bytes).count == 3)
        #expect(try CloudEvent.decodeBatch(bytes) == events)
        let single = try CloudEvent.decodeBatch(CloudEvent.batchBytes([events[1]]))
        #expect(single == [events[1]])
    }

    @Test func emptyBatch() throws {
        #expect(CloudEvent.batchBytes([]) == Array("[]".utf8))
        #expect(try CloudEvent.decodeBatch(Array(" [ ] ".utf8)).isEmpty)
    }

    @Test func errorsNameTheFailingEvent() {
        let text = "[" + SpecExamples.withStringData + #", {"id":"x","source":"s","type":"t"}]"#
        #expect(throws: CloudEventDecodingError(reason: "event 1: missing required attribute 'specversion'")) {
            try CloudEvent.decodeBatch(Array(text.utf8))
        }
        #expect(throws: CloudEventDecodingError.self) { try CloudEvent.decodeBatch(Array("[1]".utf8)) }
        #expect(throws: CloudEventDecodingError.self) { try CloudEvent.decodeBatch(Array(SpecExamples.withJSONData.utf8)) }
        #expect(throws: CloudEventDecodingError.self) { try CloudEvent.decodeBatch(Array("[{},".utf8)) }
    }
}
