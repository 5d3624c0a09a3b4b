import Testing
@testable import JetStreamComponents

@Suite("Nats-Msg-Id from the CloudEvent")
struct CloudEventIDTests {
    @Test("a structured CloudEvent's id is the message id")
    func structured() {
        #expect(CloudEventID.of(Array(#" {"specversion":"1.0","id":"abc-1","type":"t","source":"s"}"#.utf8)) == "abc-1")
    }

    @Test("the id is found after members holding nested objects, arrays and strings that look like keys")
    func afterNestedMembers() {
        let body = #"{"data":{"id":"inner","list":[1,{"x":"]"}]},"note":"\"id\": \"fake\"","n":-1.5e3,"ok":true,"id" : "outer"}"#
        #expect(CloudEventID.of(Array(body.utf8)) == "outer")
    }

    @Test("an id with escapes is read with the full parser")
    func escaped() {
        #expect(CloudEventID.of(Array(#"{"id":"a\"b"}"#.utf8)) == "a\"b")
    }

    @Test("raw bytes and JSON without an id have none")
    func none() {
        #expect(CloudEventID.of(Array("plain text".utf8)) == nil)
        #expect(CloudEventID.of(Array(#"{"data":{"id":"inner"}}"#.utf8)) == nil)
        #expect(CloudEventID.of(Array(#"[1,2]"#.utf8)) == nil)
        #expect(CloudEventID.of(Array(#"{"id":""}"#.utf8)) == nil)
        #expect(CloudEventID.of([]) == nil)
    }

    @Test("on the event's own topic (or without a topic attribute) the message id is the CloudEvent's id")
    func ownTopic() {
        #expect(CloudEventID.messageID(of: Array(#"{"id":"e-1","topic":"orders"}"#.utf8), subject: "orders") == "e-1")
        #expect(CloudEventID.messageID(of: Array(#"{"id":"e-1"}"#.utf8), subject: "orders") == "e-1")
    }

    @Test("on another subject (a dead-lettered copy) the message id names the subject, so the stream keeps both")
    func otherSubject() {
        let copy = Array(#"{"id":"e-1","data":{"topic":"inner"},"topic":"orders","deadlettertopic":"orders"}"#.utf8)
        #expect(CloudEventID.messageID(of: copy, subject: "orders-dead") == "e-1@orders-dead")
        #expect(CloudEventID.messageID(of: Array("raw".utf8), subject: "orders-dead") == nil)
    }
}
