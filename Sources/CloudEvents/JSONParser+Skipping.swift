extension JSONParser {
    /// Validates the value at the cursor without building it, so checking or
    /// slicing a large payload allocates nothing for its contents.
    mutating func skipValue() throws(JSONParseError) {
        switch try peekSignificant(expecting: "a value") {
        case UInt8(ascii: "{"):
            _ = try scanObject(collecting: false)
        case UInt8(ascii: "["):
            _ = try scanArray(collecting: false)
        case UInt8(ascii: "\""):
            _ = try scanString()
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            _ = try scanNumber()
        case UInt8(ascii: "t"): try expectLiteral("true")
        case UInt8(ascii: "f"): try expectLiteral("false")
        case UInt8(ascii: "n"): try expectLiteral("null")
        default: throw unexpected(expecting: "a value")
        }
    }

    /// The top-level object's keys with the byte range of each raw value.
    mutating func scanObjectMembers() throws(JSONParseError) -> [(key: String, value: Range<Int>)] {
        guard try peekSignificant(expecting: "a JSON object") == UInt8(ascii: "{") else {
            throw unexpected(expecting: "a JSON object")
        }
        return try scanObject(collecting: true)
    }

    /// The top-level array's element ranges.
    mutating func scanArrayElements() throws(JSONParseError) -> [Range<Int>] {
        guard try peekSignificant(expecting: "a JSON array") == UInt8(ascii: "[") else {
            throw unexpected(expecting: "a JSON array")
        }
        return try scanArray(collecting: true)
    }

    private mutating func scanObject(collecting: Bool) throws(JSONParseError) -> [(key: String, value: Range<Int>)] {
        try enterContainer()
        defer { depth -= 1 }
        index += 1
        var members: [(key: String, value: Range<Int>)] = []
        if try peekSignificant(expecting: "a string key or '}'") == UInt8(ascii: "}") {
            index += 1
            return members
        }
        while true {
            if collecting {
                let key = try parseMemberKey()
                let start = try valueStart()
                try skipValue()
                members.append((key, start..<index))
            } else {
                try skipMemberKey()
                try skipValue()
            }
            if try closeOrContinue(closing: UInt8(ascii: "}")) { return members }
        }
    }

    private mutating func scanArray(collecting: Bool) throws(JSONParseError) -> [Range<Int>] {
        try enterContainer()
        defer { depth -= 1 }
        index += 1
        var elements: [Range<Int>] = []
        if try peekSignificant(expecting: "a value or ']'") == UInt8(ascii: "]") {
            index += 1
            return elements
        }
        while true {
            let start = try valueStart()
            try skipValue()
            if collecting { elements.append(start..<index) }
            if try closeOrContinue(closing: UInt8(ascii: "]")) { return elements }
        }
    }

    private mutating func valueStart() throws(JSONParseError) -> Int {
        _ = try peekSignificant(expecting: "a value")
        return index
    }

    /// Like ``parseMemberKey()`` but leaves the key undecoded.
    private mutating func skipMemberKey() throws(JSONParseError) {
        guard try peekSignificant(expecting: "a string key") == UInt8(ascii: "\"") else {
            throw unexpected(expecting: "a string key")
        }
        _ = try scanString()
        guard try peekSignificant(expecting: "':'") == UInt8(ascii: ":") else {
            throw unexpected(expecting: "':' after the key")
        }
        index += 1
    }
}
