import Testing
import CloudEvents

@Suite struct JSONMalformedTests {
    /// Each input is invalid per RFC 8259; the offset is where the parser must point.
    static let cases: [(text: String, offset: Int, reasonContains: String)] = [
        ("", 0, "end of input"),
        ("   ", 3, "end of input"),
        ("[1,2,]", 4, "trailing comma"),
        (#"{"a":1,}"#, 6, "trailing comma"),
        ("[1 2]", 3, "expected ',' or ']'"),
        (#"{"a" 1}"#, 5, "':'"),
        ("{a:1}", 1, "string key"),
        ("{\"a\":1", 6, "end of input"),
        ("[1,", 3, "end of input"),
        ("[1, ", 4, "end of input"),
        ("[1, ]", 2, "trailing comma"),
        (#"{"a": }"#, 6, "expected a value"),
        ("[1,  ]", 2, "trailing comma"),
        ("01", 0, "leading zeros"),
        ("-01", 1, "leading zeros"),
        ("1.", 2, "fraction"),
        (".5", 0, "expected a value"),
        ("1e", 2, "exponent"),
        ("1e+", 3, "exponent"),
        ("-", 1, "end of input"),
        ("+1", 0, "expected a value"),
        ("-a", 1, "digit"),
        ("NaN", 0, "expected a value"),
        (#""abc"#, 0, "unterminated string"),
        (#""a\x""#, 2, "invalid escape"),
        (#""\u12G4""#, 1, "four hex digits"),
        (#""\u12""#, 1, "four hex digits"),
        (#""\ud800""#, 1, "lone high surrogate"),
        (#""\ud800\u0041""#, 1, "lone high surrogate"),
        (#""\udc00""#, 1, "lone low surrogate"),
        ("\"tab\there\"", 4, "control character"),
        ("\"line\nbreak\"", 5, "control character"),
        ("tru", 0, "expected 'true'"),
        ("nul", 0, "expected 'null'"),
        ("True", 0, "expected a value"),
        ("{} {}", 3, "after the JSON value"),
        ("1 2", 2, "after the JSON value"),
        ("null x", 5, "after the JSON value"),
        ("[]]", 2, "after the JSON value"),
        ("'single'", 0, "expected a value"),
    ]

    @Test(arguments: cases)
    func rejectsMalformedInput(_ sample: (text: String, offset: Int, reasonContains: String)) {
        let bytes = Array(sample.text.utf8)
        #expect(!JSONText.isValid(bytes))
        do {
            let value = try JSONValue(parsing: bytes)
            Issue.record("parsed \(sample.text) as \(value)")
        } catch {
            #expect(error.offset == sample.offset, "\(sample.text): \(error)")
            #expect(error.reason.contains(sample.reasonContains), "\(sample.text): \(error)")
        }
    }

    @Test(arguments: [
        [0x22, 0xFF, 0x22],                    // never valid in UTF-8
        [0x22, 0xC0, 0xAF, 0x22],              // overlong '/'
        [0x22, 0xED, 0xA0, 0x80, 0x22],        // encoded surrogate
        [0x22, 0xF4, 0x90, 0x80, 0x80, 0x22],  // above U+10FFFF
        [0x22, 0xE2, 0x82, 0x22],              // truncated sequence
        [0x22, 0x80, 0x22],                    // stray continuation byte
    ] as [[UInt8]])
    func rejectsInvalidUTF8(_ bytes: [UInt8]) {
        #expect(!JSONText.isValid(bytes))
        #expect(throws: JSONParseError.self) { try JSONValue(parsing: bytes) }
    }

    @Test func truncatedDocumentsNeverParse() throws {
        let document = Array(#"{"a":[1,-2.5e3,true,null,"x\u00e9\"y"],"b":{"c":"d"}}"#.utf8)
        #expect(JSONText.isValid(document))
        for length in 0..<document.count {
            #expect(!JSONText.isValid(document[..<length]), "prefix of \(length) bytes")
            #expect(throws: JSONParseError.self) { try JSONValue(parsing: document[..<length]) }
        }
    }
}
