import CloudEvents
import OutriggerDelivery
import Testing

/// What `BulkPublishBody.parse` makes of a bulk-publish body, and each body it refuses.
@Suite("Bulk-publish body")
struct BulkPublishBodyTests {
    func parse(_ body: String, metadata: [String: String] = [:]) throws -> [Publisher.BulkEntry] {
        try BulkPublishBody.parse(Array(body.utf8), metadata: metadata)
    }

    func text(_ bytes: ArraySlice<UInt8>) -> String { String(decoding: bytes, as: UTF8.self) }

    @Test("each entry's id, raw JSON event and content type, in order")
    func entries() throws {
        let entries = try parse(#" [ {"entryId": "1", "event": {"orderId": 7} , "contentType": "application/json"}, {"event": [1, 2], "entryId": "2"} ] "#)
        #expect(entries.map(\.entryID) == ["1", "2"])
        #expect(entries.map { text($0.data) } == [#"{"orderId": 7}"#, "[1, 2]"])
        #expect(entries.map(\.contentType) == ["application/json", "application/json"])
    }

    @Test("a string event under a non-JSON type publishes the string's bytes, escapes decoded; with no type it is text/plain")
    func stringEvents() throws {
        let entries = try parse(#"[{"entryId": "1", "event": "plain text"}, {"entryId": "2", "event": "a\"b\u00e9\n", "contentType": "text/csv"}]"#)
        #expect(entries.map { text($0.data) } == ["plain text", "a\"bé\n"])
        #expect(entries.map(\.contentType) == ["text/plain", "text/csv"])
    }

    @Test("a string event under a JSON or CloudEvent type stays a JSON string literal", arguments: [
        "application/json", "application/cloudevents+json", "Application/Problem+JSON; charset=utf-8",
    ])
    func stringEventStaysJSON(_ contentType: String) throws {
        let entries = try parse(#"[{"entryId": "1", "event": "x\ty", "contentType": "\#(contentType)"}]"#)
        #expect(text(entries[0].data) == #""x\ty""#)
        #expect(entries[0].contentType == contentType)
    }

    @Test("an empty contentType is no content type")
    func emptyContentType() throws {
        let entries = try parse(#"[{"entryId": "1", "event": "s", "contentType": ""}, {"entryId": "2", "event": 5, "contentType": ""}]"#)
        #expect(entries.map(\.contentType) == ["text/plain", "application/json"])
        #expect(entries.map { text($0.data) } == ["s", "5"])
    }

    @Test("entry metadata goes over the request's; values that are not strings become their JSON text; repeated metadata members add up")
    func metadata() throws {
        let entries = try parse(
            #"[{"entryId": "1", "event": 1, "metadata": {"a": "entry", "n": 5, "o": {"k": [true]}}, "metadata": {"b": "second"}}, {"entryId": "2", "event": 2}]"#,
            metadata: ["a": "request", "c": "request"])
        #expect(entries[0].metadata == ["a": "entry", "b": "second", "c": "request", "n": "5", "o": #"{"k":[true]}"#])
        #expect(entries[1].metadata == ["a": "request", "c": "request"])
    }

    @Test("member names with escapes are matched once decoded; unknown members are ignored; a repeated member's last value wins")
    func memberNames() throws {
        let entries = try parse(#"[{"entry\u0049d": "1", "ev\u0065nt": {"x": [1]}, "other": {"deep": [null]}, "event": "last", "contentType": "text/plain"}]"#)
        #expect(entries.map(\.entryID) == ["1"])
        #expect(text(entries[0].data) == "last")
    }

    @Test("an empty array has no entries")
    func empty() throws {
        #expect(try parse(" [ ] ").isEmpty)
    }

    struct Refusal: Sendable, CustomStringConvertible {
        var body: String
        /// Text the message must contain.
        var message: String
        var description: String { body }
    }

    @Test("each malformed body is refused with a message saying which entry and what is wrong", arguments: [
        Refusal(body: "", message: "the body must be a JSON array of entries: invalid JSON at byte 0"),
        Refusal(body: #"{"entryId": "1", "event": 1}"#, message: "the body must be a JSON array of entries: invalid JSON at byte 0: unexpected '{', expected a JSON array"),
        Refusal(body: #"[{"entryId": "1", "event": 1} {"entryId": "2", "event": 2}]"#, message: "the body must be a JSON array of entries: invalid JSON at byte 30: unexpected '{', expected ',' or ']'"),
        Refusal(body: #"[{"entryId": "1", "event": 1}"#, message: "the body must be a JSON array of entries: invalid JSON at byte 29: unexpected end of input"),
        Refusal(body: #"[{"entryId": "1", "event": 1},]"#, message: "trailing comma"),
        Refusal(body: #"[{"entryId": "1", "event": tru}]"#, message: "invalid literal"),
        Refusal(body: #"[{"entryId": "1", "event": 1}] x"#, message: "after the JSON value"),
        Refusal(body: #"[{"entryId": "1", "event": "\x"}]"#, message: "invalid escape"),
        Refusal(body: #"[{"entryId": "1", "event": 1}, 7]"#, message: "entry 1: must be a JSON object"),
        Refusal(body: #"[{"entryId": 1, "event": 1}]"#, message: "entry 0: 'entryId' must be a string"),
        Refusal(body: #"[{"entryId": "1", "event": 1, "contentType": ["a"]}]"#, message: "entry 0: 'contentType' must be a string"),
        Refusal(body: #"[{"entryId": "1", "event": 1, "metadata": "a=b"}]"#, message: "entry 0: 'metadata' must be an object"),
        Refusal(body: #"[{"entryId": "1", "event": 1}, {"entryId": "2"}]"#, message: "entry 1: 'event' is required"),
    ])
    func refused(_ refusal: Refusal) {
        #expect {
            _ = try parse(refusal.body)
        } throws: { error in
            (error as? BulkPublishBodyError)?.message.contains(refusal.message) == true
        }
    }

    @Test("invalid UTF-8 inside an event is refused")
    func invalidUTF8() {
        var body = Array(#"[{"entryId": "1", "event": "ab"}]"#.utf8)
        body.insert(0xC3, at: body.count - 4)
        #expect(throws: BulkPublishBodyError.self) { try BulkPublishBody.parse(body, metadata: [:]) }
    }

    @Test("nesting past the parser's depth limit is refused, not a crash")
    func deepNesting() {
        let body = #"[{"entryId": "1", "event": "# + String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000) + "}]"
        #expect(throws: BulkPublishBodyError.self) { try parse(body) }
    }

    @Test("an entry's data is a slice of the body, not a copy")
    func sharesTheBody() throws {
        let body = Array(#"[{"entryId": "1", "event": {"a": 1}}]"#.utf8)
        let entries = try BulkPublishBody.parse(body, metadata: [:])
        let sameStorage = entries[0].data.withUnsafeBufferPointer { slice in
            body.withUnsafeBufferPointer { whole in slice.baseAddress! >= whole.baseAddress! && slice.baseAddress! < whole.baseAddress! + whole.count }
        }
        #expect(sameStorage)
    }
}
