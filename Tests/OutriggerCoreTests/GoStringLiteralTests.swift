import OutriggerCore
import Testing

private func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

/// Go's `strconv.Unquote`, which several bindings apply to their request data as daprd's do.
@Suite("Go string literals")
struct GoStringLiteralTests {
    @Test("Go string literals unquote with Go's escapes")
    func unquote() {
        #expect(GoStringLiteral.unquote(bytes(#""a\nb\t\"c\"\\""#)) == bytes("a\nb\t\"c\"\\"))
        #expect(GoStringLiteral.unquote(bytes(#""\u00e9\U0001F600\x41\101""#)) == bytes("é😀AA"))
        #expect(GoStringLiteral.unquote(bytes("\"héllo\"")) == bytes("héllo"))
        #expect(GoStringLiteral.unquote(bytes("`raw \\n text`")) == bytes("raw \\n text"))
        #expect(GoStringLiteral.unquote(bytes("'x'")) == bytes("x"))
        #expect(GoStringLiteral.unquote(bytes(#""""#)) == [])
    }

    @Test("anything that is not exactly one Go literal is left alone")
    func notLiterals() {
        for text in ["plain", #""open"#, #""a"b""#, #""\/""#, #""\'""#, "'xy'", "\"two\nlines\"", #""\q""#, #""\xZZ""#, #""\400""#, #""\uD800""#, "`a`b`"] {
            #expect(GoStringLiteral.unquote(bytes(text)) == nil, "\(text)")
        }
    }

    @Test("a Go-quoted body is unquoted like strconv.Unquote; anything else is kept")
    func goUnquote() {
        #expect(GoStringLiteral.unquote(Array(#""<p>a\nb \"c\" \u00e9\x41\101</p>""#.utf8)) == Array("<p>a\nb \"c\" éAA</p>".utf8))
        #expect(GoStringLiteral.unquote(Array("`raw \\n`".utf8)) == Array("raw \\n".utf8))
        #expect(GoStringLiteral.unquote(Array(#""unterminated"#.utf8)) == nil)
        #expect(GoStringLiteral.unquote(Array(#""bad \q escape""#.utf8)) == nil)
        #expect(GoStringLiteral.unquote(Array(#""inner " quote""#.utf8)) == nil)
        #expect(GoStringLiteral.unquote(Array("<p>plain</p>".utf8)) == nil)
    }
}
