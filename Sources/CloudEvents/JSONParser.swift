/// A cursor over one contiguous run of bytes holding JSON text.
///
/// Every entry point (building values, validating, listing members) shares this
/// cursor so they accept exactly the same grammar. Offsets in errors are indexes
/// into `bytes`, so a sub-range parse (one event of a batch) still reports
/// positions in the caller's whole buffer.
struct JSONParser {
    /// Deep enough for any real payload, shallow enough that the recursive
    /// descent cannot exhaust a thread stack on hostile input.
    static let maxDepth = 512

    let bytes: UnsafeBufferPointer<UInt8>
    let end: Int
    var index: Int
    var depth = 0

    init(_ bytes: UnsafeBufferPointer<UInt8>, range: Range<Int>? = nil) {
        self.bytes = bytes
        let range = range ?? 0..<bytes.count
        index = range.lowerBound
        end = range.upperBound
    }

    mutating func skipWhitespace() {
        while index < end {
            switch bytes[index] {
            case 0x20, 0x09, 0x0A, 0x0D: index += 1
            default: return
            }
        }
    }

    /// The next significant byte, without consuming it; end of input is an error
    /// because every caller is in the middle of a value.
    @inline(__always)
    mutating func peekSignificant(expecting expected: @autoclosure () -> String) throws(JSONParseError) -> UInt8 {
        // Every byte above a space is significant: most calls end here, with no loop and no call.
        // So do those after the single space of `", "` and `": "` (what most JSON writers put
        // between members and after keys), which would otherwise each take the call below.
        if index < end {
            let byte = bytes[index]
            if byte > 0x20 { return byte }
            if byte == 0x20, index + 1 < end, bytes[index + 1] > 0x20 {
                index += 1
                return bytes[index]
            }
        }
        return try peekAfterWhitespace(expecting: expected())
    }

    private mutating func peekAfterWhitespace(expecting expected: String) throws(JSONParseError) -> UInt8 {
        skipWhitespace()
        guard index < end else { throw error("unexpected end of input, expected \(expected)") }
        return bytes[index]
    }

    /// Succeeds only when nothing but whitespace is left.
    mutating func expectEnd() throws(JSONParseError) {
        skipWhitespace()
        if index < end { throw error("unexpected \(describeCurrent()) after the JSON value") }
    }

    mutating func enterContainer() throws(JSONParseError) {
        depth += 1
        if depth > Self.maxDepth { throw error("nesting deeper than \(Self.maxDepth) levels") }
    }

    func error(_ reason: String, at offset: Int? = nil) -> JSONParseError {
        JSONParseError(offset: offset ?? index, reason: reason)
    }

    func unexpected(expecting expected: String) -> JSONParseError {
        guard index < end else { return error("unexpected end of input, expected \(expected)") }
        return error("unexpected \(describeCurrent()), expected \(expected)")
    }

    func describeCurrent() -> String {
        index < end ? Self.describe(bytes[index]) : "end of input"
    }

    /// Printable bytes are quoted so the message reads naturally; others are hex
    /// because echoing a control byte into a log line would garble it.
    static func describe(_ byte: UInt8) -> String {
        if byte >= 0x21 && byte < 0x7F { return "'\(Character(Unicode.Scalar(byte)))'" }
        let hex = String(byte, radix: 16, uppercase: true)
        return "byte 0x" + (hex.count == 1 ? "0" + hex : hex)
    }
}

extension JSONParser {
    static func parseDocument(_ bytes: UnsafeBufferPointer<UInt8>, range: Range<Int>? = nil) throws(JSONParseError) -> JSONValue {
        var parser = JSONParser(bytes, range: range)
        let value = try parser.parseValue()
        try parser.expectEnd()
        return value
    }

    static func validateDocument(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var parser = JSONParser(bytes)
        do {
            try parser.skipValue()
            try parser.expectEnd()
            return true
        } catch {
            return false
        }
    }

    static func objectMembers(_ bytes: UnsafeBufferPointer<UInt8>, range: Range<Int>? = nil) throws(JSONParseError) -> [(key: String, value: Range<Int>)] {
        var parser = JSONParser(bytes, range: range)
        let members = try parser.scanObjectMembers()
        try parser.expectEnd()
        return members
    }

    static func arrayElements(_ bytes: UnsafeBufferPointer<UInt8>, range: Range<Int>? = nil) throws(JSONParseError) -> [Range<Int>] {
        var parser = JSONParser(bytes, range: range)
        let elements = try parser.scanArrayElements()
        try parser.expectEnd()
        return elements
    }
}
