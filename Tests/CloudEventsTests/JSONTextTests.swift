import Testing
import CloudEvents

@Suite struct JSONTextTests {
    @Test func isValidAcceptsExactlyOneDocument() {
        #expect(JSONText.isValid(Array(" {\"a\": [1, 2]}\n".utf8)))
        #expect(JSONText.isValid(Array("\"x\"".utf8)))
        #expect(!JSONText.isValid(Array("{\"a\":1} {}".utf8)))
        #expect(!JSONText.isValid([UInt8]()))
        #expect(!JSONText.isValid(Array("hello".utf8)))
        #expect(JSONText.isValid(Array("[1,2]".utf8).lazy.map { $0 }))
    }

    @Test func objectMembersReturnsRawValueRanges() throws {
        let bytes = Array(#" { "id" : "abc", "data" : { "k" : [1, 2] } , "n":-3 } "#.utf8)
        let members = try JSONText.objectMembers(bytes)
        #expect(members.map(\.key) == ["id", "data", "n"])
        let raw = members.map { String(decoding: bytes[$0.value], as: UTF8.self) }
        #expect(raw == [#""abc""#, #"{ "k" : [1, 2] }"#, "-3"])
    }

    @Test func objectMembersListsRepeatedKeysAndDecodesEscapedKeys() throws {
        let bytes = Array(#"{"a":1,"\u0061":2,"b\"c":3}"#.utf8)
        let members = try JSONText.objectMembers(bytes)
        #expect(members.map(\.key) == ["a", "a", "b\"c"])
        #expect(members.map(\.value) == [5..<6, 16..<17, 25..<26])
    }

    @Test func objectMembersRejectsNonObjectsAndInvalidText() {
        #expect(throws: JSONParseError(offset: 0, reason: "unexpected '[', expected a JSON object")) {
            try JSONText.objectMembers(Array("[1]".utf8))
        }
        #expect(throws: JSONParseError.self) { try JSONText.objectMembers(Array(#"{"a":01}"#.utf8)) }
        #expect(throws: JSONParseError.self) { try JSONText.objectMembers(Array(#"{"a":1} x"#.utf8)) }
        #expect(throws: JSONParseError.self) { try JSONText.objectMembers([]) }
    }

    @Test func arrayElementsReturnsRawRanges() throws {
        let bytes = Array(#"[ {"a":1} , "x", 3 ]"#.utf8)
        let elements = try JSONText.arrayElements(bytes)
        #expect(elements.map { String(decoding: bytes[$0], as: UTF8.self) } == [#"{"a":1}"#, #""x""#, "3"])
        #expect(try JSONText.arrayElements(Array("[]".utf8)).isEmpty)
        #expect(throws: JSONParseError.self) { try JSONText.arrayElements(Array("{}".utf8)) }
    }

    @Test func appendStringEscapesAndQuotes() {
        var buffer: [UInt8] = []
        JSONText.appendString("a\"b\\c\u{7}d", to: &buffer)
        #expect(String(decoding: buffer, as: UTF8.self) == #""a\"b\\c\u0007d""#)
        buffer.removeAll()
        JSONText.appendString("", to: &buffer)
        #expect(buffer == Array("\"\"".utf8))
        buffer.removeAll()
        JSONText.appendString("plain ascii and ümlaut", to: &buffer)
        #expect(String(decoding: buffer, as: UTF8.self) == "\"plain ascii and ümlaut\"")
    }

    @Test func trimmingWhitespaceOnlyRemovesJSONWhitespace() {
        #expect(Array(JSONText.trimmingWhitespace(Array(" \t\r\n{} \n".utf8))) == Array("{}".utf8))
        #expect(JSONText.trimmingWhitespace(Array("  ".utf8)).isEmpty)
        #expect(Array(JSONText.trimmingWhitespace(Array("\u{A0}x".utf8))) == Array("\u{A0}x".utf8))
    }
}
