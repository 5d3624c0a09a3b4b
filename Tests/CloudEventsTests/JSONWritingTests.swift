import Testing
import CloudEvents

@Suite struct JSONWritingTests {
    private func text(_ value: JSONValue) -> String {
        String(decoding: value.serialized(), as: UTF8.self)
    }

    @Test func writesCompactText() {
        let value: JSONValue = ["b": [1, 2.5, true, false, .null], "a": ["nested": "x"], "empty": [:], "list": []]
        #expect(text(value) == #"{"b":[1,2.5,true,false,null],"a":{"nested":"x"},"empty":{},"list":[]}"#)
    }

    @Test func escapesQuotesBackslashesAndControlCharacters() {
        let value = JSONValue.string("say \"hi\" \\ \n\r\t\u{8}\u{C}\u{0}\u{1F} / é 😀")
        #expect(text(value) == #""say \"hi\" \\ \n\r\t\b\f\u0000\u001f / é 😀""#)
    }

    @Test func numbersKeepTheirLiteralText() throws {
        let value = try JSONValue(parsing: "[1.50, -0, 1E+2, 12345678901234567890123]")
        #expect(text(value) == "[1.50,-0,1E+2,12345678901234567890123]")
        #expect(value == .array([.number("1.50"), .number("-0"), .number("1E+2"), .number("12345678901234567890123")]))
        #expect(JSONValue.number("1.50").doubleValue == 1.5)
    }

    @Test func nonFiniteDoublesBecomeNull() {
        #expect(JSONValue(Double.infinity) == .null)
        #expect(JSONValue(Double.nan) == .null)
        #expect(JSONValue(0.25) == .number("0.25"))
        #expect(JSONValue(-42) == .number("-42"))
    }

    @Test(arguments: [
        #"{"a":[1,{"b":null}],"c":"\u00e9\t\"","d":-1.5e-7,"e":true}"#,
        #"[[],[[]],{},"",0,"\ud83d\ude80"]"#,
        #"  {"spaced" : [ 1 , 2 ] }  "#,
        #""just a string""#,
        "-0.0",
    ])
    func roundTripsThroughParseAndWrite(_ document: String) throws {
        let value = try JSONValue(parsing: document)
        let written = value.serialized()
        #expect(JSONText.isValid(written))
        #expect(try JSONValue(parsing: written) == value)
        #expect(written == value.serialized())
    }

    @Test func writeAppendsToExistingBuffer() {
        var buffer = Array("prefix:".utf8)
        JSONValue.array(["x"]).write(into: &buffer)
        #expect(String(decoding: buffer, as: UTF8.self) == #"prefix:["x"]"#)
    }
}
