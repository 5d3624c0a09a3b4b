import Testing
import CloudEvents

@Suite struct ContentTypeTests {
    @Test(arguments: [
        ("application/json", true), ("Application/JSON", true), ("application/json; charset=utf-8", true),
        ("application/vnd.api+json", true), ("application/ld+json;profile=x", true),
        ("application/cloudevents+json", false), ("application/cloudevents-batch+json", false),
        ("text/plain", false), ("application/jsonx", false), ("", false), ("application/json-seq", false),
    ])
    func isJSON(_ sample: (contentType: String, expected: Bool)) {
        #expect(ContentType.isJSON(sample.contentType) == sample.expected)
    }

    @Test func isCloudEventIgnoresCaseAndParameters() {
        #expect(ContentType.isCloudEvent("application/cloudevents+json"))
        #expect(ContentType.isCloudEvent("Application/CloudEvents+JSON; charset=UTF-8"))
        #expect(!ContentType.isCloudEvent("application/cloudevents-batch+json"))
        #expect(!ContentType.isCloudEvent("application/json"))
        #expect(ContentType.isCloudEventBatch("application/cloudevents-batch+json;charset=utf-8"))
        #expect(ContentType.cloudEventJSON == "application/cloudevents+json")
    }

    @Test func isBinaryAndIsText() {
        #expect(ContentType.isBinary("application/octet-stream"))
        #expect(ContentType.isBinary("APPLICATION/OCTET-STREAM; foo=bar"))
        #expect(!ContentType.isBinary("application/octet-streamy"))
        #expect(ContentType.isText("text/html"))
        #expect(ContentType.isText("application/xml"))
        #expect(!ContentType.isText("application/json"))
        #expect(ContentType.mediaType("  Text/Plain ; charset=utf-8") == "text/plain")
    }
}
