@testable import CloudEvents
import OutriggerTesting
import Testing

@Suite("Media-type comparison without a lowercased copy")
struct MediaTypeComparisonTests {
    static let types = [ContentType.cloudEventJSON, ContentType.cloudEventBatchJSON, ContentType.json, ContentType.octetStream]

    @Test("hasMediaType agrees with mediaType(_:) == type on 20,000 generated content types")
    func agreesWithMediaType() {
        // Pieces that exercise case, parameters, surrounding blanks, prefixes and non-ASCII.
        let pieces = ["application/", "APPLICATION/", "Application/", "json", "JSON", "cloudevents+json", "CloudEvents+JSON",
                      "cloudevents-batch+json", "octet-stream", "OCTET-Stream", " ", "\t", ";", "; charset=utf-8", "x",
                      "é", "İ", "\u{212A}", "+", "/", ""]
        var generator = SplitMix64(seed: 0x6D65_6469_6174_7970)
        var disagreements: [String] = []
        for _ in 0..<20_000 {
            let count = Int.random(in: 1...5, using: &generator)
            let contentType = (0..<count).map { _ in pieces.randomElement(using: &generator)! }.joined()
            for type in Self.types where ContentType.hasMediaType(contentType, type) != (ContentType.mediaType(contentType) == type) {
                disagreements.append("\(contentType.debugDescription) vs \(type)")
            }
        }
        #expect(disagreements.isEmpty, "\(disagreements.prefix(10))")
    }

    @Test("the exact types, in any case, with blanks and parameters, match; near misses do not", arguments: [
        ("application/cloudevents+json", ContentType.cloudEventJSON, true),
        ("  Application/CloudEvents+JSON ; charset=utf-8", ContentType.cloudEventJSON, true),
        ("\tapplication/octet-stream\t", ContentType.octetStream, true),
        ("application/cloudevents+jsonx", ContentType.cloudEventJSON, false),
        ("application/cloudevents+jso", ContentType.cloudEventJSON, false),
        ("application/cloudevents-batch+json", ContentType.cloudEventJSON, false),
        ("", ContentType.json, false),
        (";application/json", ContentType.json, false),
    ])
    func examples(_ sample: (contentType: String, type: String, expected: Bool)) {
        #expect(ContentType.hasMediaType(sample.contentType, sample.type) == sample.expected)
    }
}
