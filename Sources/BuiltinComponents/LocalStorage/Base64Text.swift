/// Standard base64 (RFC 4648, `+/`, padded), read as Go's `base64.StdEncoding.DecodeString`
/// reads it: `\r` and `\n` anywhere are ignored, padding is required, and bits left over in
/// the last character need not be zero. Dapr's local storage binding stores the decoded bytes
/// of a `create` whose data reads as base64. Stricter than CloudEvents' `Base64` (which also
/// takes unpadded text, as `data_base64` may be): only what Go's StdEncoding accepts counts as
/// base64 here, so text that Dapr would store as it is is not decoded by accident.
enum Base64Text {
    /// The decoded bytes, or `nil` when `text` is not base64 (empty text decodes to nothing).
    static func decode(_ text: [UInt8]) -> [UInt8]? {
        let characters = text.filter { $0 != UInt8(ascii: "\r") && $0 != UInt8(ascii: "\n") }
        guard characters.count % 4 == 0 else { return nil }
        var output: [UInt8] = []
        output.reserveCapacity(characters.count / 4 * 3)
        var index = 0
        while index < characters.count {
            let quantum = characters[index..<(index + 4)]
            let isLast = index + 4 == characters.count
            let padding = quantum.reversed().prefix(while: { $0 == UInt8(ascii: "=") }).count
            guard padding <= 2, padding == 0 || isLast else { return nil }
            var bits: UInt32 = 0
            for character in quantum.prefix(4 - padding) {
                guard let value = value(of: character) else { return nil }
                bits = bits << 6 | UInt32(value)
            }
            bits <<= UInt32(6 * padding)
            let bytes = [UInt8(bits >> 16 & 0xFF), UInt8(bits >> 8 & 0xFF), UInt8(bits & 0xFF)]
            output += bytes.prefix(3 - padding)
            index += 4
        }
        return output
    }

    private static func value(of character: UInt8) -> UInt8? {
        switch character {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): character - UInt8(ascii: "A")
        case UInt8(ascii: "a")...UInt8(ascii: "z"): character - UInt8(ascii: "a") + 26
        case UInt8(ascii: "0")...UInt8(ascii: "9"): character - UInt8(ascii: "0") + 52
        case UInt8(ascii: "+"): 62
        case UInt8(ascii: "/"): 63
        default: nil
        }
    }
}
