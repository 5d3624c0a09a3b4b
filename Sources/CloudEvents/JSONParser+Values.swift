extension JSONParser {
    /// Parses the value at the cursor (after optional whitespace) into a tree.
    mutating func parseValue() throws(JSONParseError) -> JSONValue {
        switch try peekSignificant(expecting: "a value") {
        case UInt8(ascii: "{"): return .object(try parseObject())
        case UInt8(ascii: "["): return .array(try parseArray())
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            let range = try scanNumber()
            return .number(String(decoding: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self))
        case UInt8(ascii: "t"):
            try expectLiteral("true")
            return .bool(true)
        case UInt8(ascii: "f"):
            try expectLiteral("false")
            return .bool(false)
        case UInt8(ascii: "n"):
            try expectLiteral("null")
            return .null
        default:
            throw unexpected(expecting: "a value")
        }
    }

    private mutating func parseArray() throws(JSONParseError) -> [JSONValue] {
        try enterContainer()
        defer { depth -= 1 }
        index += 1
        var elements: [JSONValue] = []
        if try peekSignificant(expecting: "a value or ']'") == UInt8(ascii: "]") {
            index += 1
            return elements
        }
        while true {
            elements.append(try parseValue())
            if try closeOrContinue(closing: UInt8(ascii: "]")) { return elements }
        }
    }

    private mutating func parseObject() throws(JSONParseError) -> JSONObject {
        try enterContainer()
        defer { depth -= 1 }
        index += 1
        var members: [(key: String, value: JSONValue)] = []
        if try peekSignificant(expecting: "a string key or '}'") == UInt8(ascii: "}") {
            index += 1
            return JSONObject()
        }
        while true {
            let key = try parseMemberKey()
            members.append((key, try parseValue()))
            if try closeOrContinue(closing: UInt8(ascii: "}")) { break }
        }
        return Self.hasDuplicateKeys(members) ? JSONObject(members) : JSONObject(uniqueMembers: members)
    }

    /// Reads `"key" :` and leaves the cursor before the member's value.
    mutating func parseMemberKey() throws(JSONParseError) -> String {
        guard try peekSignificant(expecting: "a string key") == UInt8(ascii: "\"") else {
            throw unexpected(expecting: "a string key")
        }
        let key = try parseString()
        guard try peekSignificant(expecting: "':'") == UInt8(ascii: ":") else {
            throw unexpected(expecting: "':' after the key")
        }
        index += 1
        return key
    }

    /// After a container element: consumes `,` (returning false) or the closing
    /// bracket (returning true). A comma directly before the bracket is rejected
    /// here because RFC 8259 has no trailing commas.
    ///
    /// It runs after every element of every container, so the texts of its errors are made
    /// only when one is thrown.
    mutating func closeOrContinue(closing: UInt8) throws(JSONParseError) -> Bool {
        let isArray = closing == UInt8(ascii: "]")
        let byte = try peekSignificant(expecting: isArray ? "',' or ']'" : "',' or '}'")
        if byte == closing {
            index += 1
            return true
        }
        guard byte == UInt8(ascii: ",") else { throw unexpected(expecting: isArray ? "',' or ']'" : "',' or '}'") }
        let comma = index
        index += 1
        if try peekSignificant(expecting: isArray ? "a value" : "a string key") == closing {
            throw error("trailing comma before '\(Character(Unicode.Scalar(closing)))'", at: comma)
        }
        return false
    }

    /// Duplicate keys are rare, so the common case keeps document order cheaply
    /// and only a real duplicate pays for ``JSONObject/init(_:)``'s last-wins merge.
    static func hasDuplicateKeys(_ members: [(key: String, value: JSONValue)]) -> Bool {
        if members.count < 2 { return false }
        if members.count <= 8 {
            for i in 1..<members.count {
                for j in 0..<i where members[j].key == members[i].key { return true }
            }
            return false
        }
        var seen = Set<String>(minimumCapacity: members.count)
        for member in members where !seen.insert(member.key).inserted { return true }
        return false
    }
}
