import CloudEvents
import OutriggerTesting
import Testing

/// Seeded variations of the envelopes `make fuzz` starts from (fuzz/corpus/FuzzCloudEvent): the
/// fuzzer's properties, checked on a few hundred inputs in every test run.
@Suite("CloudEvents codec on hostile input")
struct CloudEventHostileInputTests {
    @Test("every variation of a real envelope decodes or throws a CloudEventDecodingError with a reason")
    func decodesOrRejects() {
        var mutator = InputMutator(seed: 0xC10D_E7E5, seeds: InputMutator.corpus("FuzzCloudEvent"))
        for _ in 0..<400 {
            let input = mutator.next()
            for lenient in [false, true] {
                do {
                    _ = try CloudEvent(structured: input, lenient: lenient)
                } catch {
                    #expect(!error.reason.isEmpty)
                }
            }
            do {
                _ = try CloudEvent.decodeBatch(input)
            } catch {
                #expect(!error.reason.isEmpty)
            }
        }
    }

    @Test("an event decoded from a variation writes bytes that decode again")
    func roundTrips() {
        var mutator = InputMutator(seed: 0x5EED_0002, seeds: InputMutator.corpus("FuzzCloudEvent"))
        for _ in 0..<400 {
            let input = mutator.next()
            guard let event = try? Envelope.fromPublished(input, topic: "t", pubsubName: "p", traceParent: "", traceState: "")
            else { continue }
            let written = event.structuredBytes()
            #expect((try? CloudEvent(structured: written)) != nil, "\(String(decoding: written, as: UTF8.self))")
        }
    }

    @Test("JSON nested deeper than the parser's limit is a decoding error, not a stack overflow")
    func deepNesting() {
        let deep = Array(repeating: UInt8(ascii: "["), count: 100_000) + Array(repeating: UInt8(ascii: "]"), count: 100_000)
        #expect(throws: JSONParseError.self) { try JSONValue(parsing: deep) }
        let object = Array(#"{"specversion":"1.0","id":"1","source":"s","type":"t","data":"#.utf8) + deep + [UInt8(ascii: "}")]
        #expect(throws: CloudEventDecodingError.self) { try CloudEvent(structured: object) }
    }
}
