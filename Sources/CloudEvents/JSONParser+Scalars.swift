extension JSONParser {
    /// Validates a number against the RFC 8259 grammar and returns its text range.
    ///
    /// The text is kept rather than converted so big integers and exact decimals
    /// survive a round trip through the sidecar unchanged.
    mutating func scanNumber() throws(JSONParseError) -> Range<Int> {
        let start = index
        if bytes[index] == UInt8(ascii: "-") { index += 1 }
        guard index < end else { throw error("unexpected end of input in number") }
        switch bytes[index] {
        case UInt8(ascii: "0"):
            index += 1
            if index < end && Self.isDigit(bytes[index]) {
                throw error("leading zeros are not allowed", at: index - 1)
            }
        case UInt8(ascii: "1")...UInt8(ascii: "9"):
            skipDigits()
        default:
            throw unexpected(expecting: "a digit")
        }
        if index < end && bytes[index] == UInt8(ascii: ".") {
            index += 1
            try requireDigits(in: "fraction")
        }
        if index < end && bytes[index] | 0x20 == UInt8(ascii: "e") {
            index += 1
            if index < end && (bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-")) { index += 1 }
            try requireDigits(in: "exponent")
        }
        return start..<index
    }

    private mutating func requireDigits(in part: String) throws(JSONParseError) {
        guard index < end && Self.isDigit(bytes[index]) else { throw unexpected(expecting: "a digit in the \(part)") }
        skipDigits()
    }

    private mutating func skipDigits() {
        while index < end && Self.isDigit(bytes[index]) { index += 1 }
    }

    static func isDigit(_ byte: UInt8) -> Bool {
        byte &- UInt8(ascii: "0") < 10
    }

    /// Consumes `true`, `false` or `null`, whose first byte the caller has seen.
    mutating func expectLiteral(_ word: StaticString) throws(JSONParseError) {
        let count = word.utf8CodeUnitCount
        let start = word.utf8Start
        for offset in 0..<count where index + offset >= end || bytes[index + offset] != start[offset] {
            throw error("invalid literal, expected '\(word)'")
        }
        index += count
    }
}
