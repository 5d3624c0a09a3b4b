import Testing
@testable import CloudEvents

@Suite struct JSONParsingTests {
    private func parse(_ text: String) throws(JSONParseError) -> JSONValue {
        try JSONValue(parsing: Array(text.utf8))
    }

    @Test func parsesScalars() throws {
        #expect(try parse("null") == .null)
        #expect(try parse("true") == .bool(true))
        #expect(try parse(" false\n") == .bool(false))
        #expect(try parse("\"hi\"") == .string("hi"))
        #expect(try parse("0") == .number("0"))
    }

    @Test(arguments: ["0", "-0", "12", "-12", "1.5", "-0.25", "1e10", "1E+2", "2.5e-3", "123456789012345678901234567890"])
    func keepsNumberLiteralText(_ literal: String) throws {
        #expect(try parse(literal) == .number(literal))
    }

    @Test func parsesNestedContainersInOrder() throws {
        let value = try parse(#" { "b" : [1, {"x": null}, []], "a": {}, "c": "d" } "#)
        guard case .object(let object) = value else {
            Issue.record("expected an object")
            return
        }
        #expect(object.keys == ["b", "a", "c"])
        #expect(object["b"] == .array([.number("1"), .object(["x": .null]), .array([])]))
        #expect(object["a"] == .object(JSONObject()))
        #expect(value["c"] == .string("d"))
    }

    /// A single space after `,` and `:` is stepped over without the general whitespace loop;
    /// every other run of whitespace takes the loop. Both read the same values.
    @Test func whitespaceAroundSeparators() throws {
        let numbers: JSONValue = .array([.number("1"), .number("2"), .number("3"), .number("4"), .number("5")])
        #expect(try parse("[1, 2,  3,\n4, \t5]") == numbers)
        #expect(try parse("[1,2,3,4,5]") == numbers)
        #expect(try parse(#"{"a": 1, "b" : "x","c":  {"d": []} }"#)
            == .object(["a": .number("1"), "b": .string("x"), "c": .object(["d": .array([])])]))
    }

    /// Member names compared without decoding: equal, unequal in the first eight bytes or past
    /// them, and of another length.
    @Test func readerComparesRawNames() throws {
        let text = Array(#"{"contentType": 1, "contentTypx": 2, "dontentType": 3, "content": 4, "event": 5}"#.utf8)
        try text.withUnsafeBufferPointer { buffer in
            var reader = JSONReader(buffer)
            var matches: [Bool] = []
            if try reader.openObject() {
                repeat {
                    let key = try reader.readKey()
                    matches.append(reader.bytes(key.content, equal: "contentType"))
                    _ = try reader.skipValue()
                } while try !reader.closeOrContinueObject()
            }
            #expect(matches == [true, false, false, false, false])
        }
    }

    /// The string scanner skips 8 bytes at a time and jumps to the first byte that needs a look:
    /// each kind of such byte at each position of a word, after 0 to 19 plain bytes.
    @Test(arguments: [(#"\""#, "\""), ("\\\\", "\\"), ("é", "é"), ("\\u0041", "A")])
    func findsTheFirstSpecialByteAtAnyOffset(_ special: (literal: String, decoded: String)) throws {
        for before in 0..<20 {
            let plain = String(repeating: "a", count: before)
            let text = #"{"k": ""# + plain + special.literal + #"bcdefghijk", "n": 1}"#
            let value = try parse(text)
            #expect(value["k"] == .string(plain + special.decoded + "bcdefghijk"), "\(text)")
            #expect(value["n"] == .number("1"), "\(text)")
        }
    }

    @Test func rejectsAControlCharacterAtAnyOffset() {
        for before in 0..<20 {
            let text = #"{"k": ""# + String(repeating: "a", count: before) + "\u{1}" + #"bcdefghijk"}"#
            let error = #expect(throws: JSONParseError.self, "\(before) plain bytes before it") { try parse(text) }
            #expect(error?.offset == 7 + before, "\(error.map { "\($0)" } ?? "no error")")
        }
    }

    @Test func decodesSimpleEscapes() throws {
        let value = try parse(#""q\" b\\ s\/ \b\f\n\r\t""#)
        #expect(value == .string("q\" b\\ s/ \u{8}\u{C}\n\r\t"))
    }

    @Test func decodesUnicodeEscapesAndSurrogatePairs() throws {
        #expect(try parse(#""\u0041\u00e9\u20AC""#) == .string("Aé€"))
        #expect(try parse(#""\ud83d\ude00!""#) == .string("😀!"))
        #expect(try parse(#""\u0000""#) == .string("\u{0}"))
    }

    @Test func keepsRawUTF8() throws {
        #expect(try parse("\"héllo 世界 🚀\"") == .string("héllo 世界 🚀"))
    }

    @Test func duplicateKeysKeepLastValueAtFirstPosition() throws {
        let value = try parse(#"{"a":1,"b":2,"a":3}"#)
        #expect(value.objectValue?.keys == ["a", "b"])
        #expect(value["a"] == .number("3"))
        var many = "{"
        for i in 0..<20 { many += "\"k\(i)\":\(i)," }
        many += "\"k5\":\"last\"}"
        let big = try parse(many)
        #expect(big.objectValue?.count == 20)
        #expect(big["k5"] == .string("last"))
    }

    @Test func acceptsNestingUpToTheLimit() throws {
        let depth = JSONParser.maxDepth
        let text = String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
        #expect(throws: Never.self) { try parse(text) }
        #expect(JSONText.isValid(Array(text.utf8)))
    }

    @Test func rejectsNestingBeyondTheLimit() {
        let depth = JSONParser.maxDepth + 1
        let text = String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
        #expect(throws: JSONParseError.self) { try parse(text) }
        #expect(!JSONText.isValid(Array(text.utf8)))
        let deep = String(repeating: "{\"a\":", count: 100_000)
        #expect(throws: JSONParseError.self) { try parse(deep) }
    }

    @Test func parsesFromNonContiguousCollectionsAndStrings() throws {
        let bytes = Array("[1,\"x\"]".utf8)
        let lazy = bytes.lazy.map { $0 }
        #expect(try JSONValue(parsing: lazy) == .array([.number("1"), .string("x")]))
        #expect(try JSONValue(parsing: "{\"k\":true}") == .object(["k": .bool(true)]))
        let fromRaw = try bytes.withUnsafeBytes { try JSONValue(parsing: $0) }
        #expect(fromRaw == .array([1, "x"]))
    }

    @Test func errorsCarryOffsetAndReason() {
        #expect(throws: JSONParseError(offset: 5, reason: "trailing comma before ']'")) {
            try parse("[1, 2, ]")
        }
        #expect(throws: JSONParseError(offset: 1, reason: "leading zeros are not allowed")) {
            try parse("[01]")
        }
        do {
            _ = try parse(#"{"a": tru}"#)
            Issue.record("expected a parse error")
        } catch {
            #expect(error.offset == 6)
            #expect(error.description == "invalid JSON at byte 6: invalid literal, expected 'true'")
        }
    }
}
