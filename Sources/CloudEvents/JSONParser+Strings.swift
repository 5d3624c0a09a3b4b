extension JSONParser {
    /// Parses the string literal at the cursor (which must be on its `"`).
    mutating func parseString() throws(JSONParseError) -> String {
        let (content, escaped) = try scanString()
        let raw = UnsafeBufferPointer(rebasing: bytes[content])
        // The scan already proved the bytes are valid UTF-8, so decoding never repairs.
        return escaped ? Self.unescape(raw) : String(decoding: raw, as: UTF8.self)
    }

    /// Validates a string literal and returns the range between its quotes.
    ///
    /// Validation is complete here (escapes, surrogate pairing, UTF-8), so both the
    /// building and the skipping paths reject exactly the same strings.
    mutating func scanString() throws(JSONParseError) -> (content: Range<Int>, escaped: Bool) {
        let opening = index
        index += 1
        var escaped = false
        while index < end {
            skipPlainASCII()
            guard index < end else { break }
            switch bytes[index] {
            case UInt8(ascii: "\""):
                index += 1
                return (opening + 1..<index - 1, escaped)
            case UInt8(ascii: "\\"):
                escaped = true
                try scanEscape()
            case 0..<0x20:
                throw error("unescaped control character \(Self.describe(bytes[index])) in string")
            case 0x80...:
                try scanUTF8Sequence()
            default:
                index += 1
            }
        }
        throw error("unterminated string", at: opening)
    }

    /// Moves past printable ASCII other than `"` and `\\` (the bulk of most strings) 8 bytes at
    /// a time, stopping at the first byte that needs a look, so the byte-by-byte checks run only
    /// on the bytes they are for (and on a string's last 7 bytes of input).
    private mutating func skipPlainASCII() {
        guard let base = bytes.baseAddress else { return }
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        while index &+ 8 <= end {
            let word = UInt64(littleEndian: UnsafeRawPointer(base + index).loadUnaligned(as: UInt64.self))
            // Per byte (exact as to whether any byte matches): below 0x20, a quote, a backslash,
            // or 0x80 and above.
            let control = (word &- (ones &* 0x20)) & ~word
            let quotes = word ^ (ones &* 0x22)
            let quote = (quotes &- ones) & ~quotes
            let backslashes = word ^ (ones &* 0x5C)
            let backslash = (backslashes &- ones) & ~backslashes
            let special = (control | quote | backslash | word) & highs
            guard special == 0 else {
                // The lowest flagged byte is a true match (a borrow can flag only bytes above
                // one); the load is little-endian, so it is the first in memory.
                index &+= special.trailingZeroBitCount &>> 3
                return
            }
            index &+= 8
        }
    }

    private mutating func scanEscape() throws(JSONParseError) {
        let start = index
        guard index + 1 < end else { throw error("unterminated string") }
        switch bytes[index + 1] {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"),
             UInt8(ascii: "b"), UInt8(ascii: "f"), UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
            index += 2
        case UInt8(ascii: "u"):
            guard let unit = hex4(at: index + 2) else {
                throw error("invalid \\u escape, expected four hex digits", at: start)
            }
            index += 6
            switch unit {
            case 0xD800..<0xDC00:
                // Swift strings cannot hold unpaired surrogates, so a high half must
                // be followed immediately by an escaped low half.
                guard index + 1 < end, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u"),
                      let low = hex4(at: index + 2), (0xDC00..<0xE000).contains(low) else {
                    throw error("lone high surrogate in \\u escape", at: start)
                }
                index += 6
            case 0xDC00..<0xE000:
                throw error("lone low surrogate in \\u escape", at: start)
            default:
                break
            }
        default:
            throw error("invalid escape sequence '\\\(Character(Unicode.Scalar(bytes[index + 1])))'", at: start)
        }
    }

    /// Accepts one well-formed UTF-8 sequence (Unicode Table 3-7): no overlong
    /// forms, no encoded surrogates, nothing above U+10FFFF.
    private mutating func scanUTF8Sequence() throws(JSONParseError) {
        let lead = bytes[index]
        let length: Int
        var low: UInt8 = 0x80
        var high: UInt8 = 0xBF
        switch lead {
        case 0xC2...0xDF: length = 2
        case 0xE0: length = 3; low = 0xA0
        case 0xE1...0xEC, 0xEE...0xEF: length = 3
        case 0xED: length = 3; high = 0x9F
        case 0xF0: length = 4; low = 0x90
        case 0xF1...0xF3: length = 4
        case 0xF4: length = 4; high = 0x8F
        default: throw error("invalid UTF-8 lead \(Self.describe(lead))")
        }
        guard index + length <= end, (low...high).contains(bytes[index + 1]) else {
            throw error("invalid UTF-8 sequence")
        }
        for offset in 2..<length where bytes[index + offset] & 0xC0 != 0x80 {
            throw error("invalid UTF-8 sequence")
        }
        index += length
    }

    func hex4(at position: Int) -> UInt32? {
        guard position + 4 <= end else { return nil }
        var value: UInt32 = 0
        for offset in 0..<4 {
            guard let digit = Self.hexDigit(bytes[position + offset]) else { return nil }
            value = value << 4 | UInt32(digit)
        }
        return value
    }

    static func hexDigit(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}
