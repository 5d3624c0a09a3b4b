/// JSON text exactly as Go's `encoding/json` writes a `map[string]string`, byte for byte, so
/// entries written by Outrigger are identical to daprd's.
enum GoJSON {
    /// `{"a":"1","b":"2"}`: keys sorted by their UTF-8 bytes, no whitespace.
    static func object(_ map: [String: String]) -> [UInt8] {
        var out: [UInt8] = [UInt8(ascii: "{")]
        for (index, key) in map.keys.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }).enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            appendString(key, to: &out)
            out.append(UInt8(ascii: ":"))
            appendString(map[key] ?? "", to: &out)
        }
        out.append(UInt8(ascii: "}"))
        return out
    }

    /// A string literal with Go's escaping: `"` `\` as `\"` `\\`; `\b \f \n \r \t`; other
    /// control characters, `<`, `>`, `&`, U+2028 and U+2029 as `\u00XX` / `\u20XX`.
    static func appendString(_ text: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += Array(#"\""#.utf8)
            case "\\": out += Array(#"\\"#.utf8)
            case "\u{08}": out += Array(#"\b"#.utf8)
            case "\u{0C}": out += Array(#"\f"#.utf8)
            case "\n": out += Array(#"\n"#.utf8)
            case "\r": out += Array(#"\r"#.utf8)
            case "\t": out += Array(#"\t"#.utf8)
            case "<", ">", "&", "\u{2028}", "\u{2029}":
                appendEscape(scalar.value, to: &out)
            default:
                if scalar.value < 0x20 {
                    appendEscape(scalar.value, to: &out)
                } else {
                    out += Array(String(scalar).utf8)
                }
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    private static func appendEscape(_ value: UInt32, to out: inout [UInt8]) {
        let digits = Array("0123456789abcdef".utf8)
        out += Array(#"\u"#.utf8)
        for shift in stride(from: 12, through: 0, by: -4) { out.append(digits[Int((value >> UInt32(shift)) & 0xF)]) }
    }
}
