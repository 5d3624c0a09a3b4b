extension JSONValue {
    /// Compact JSON text of the value.
    public func serialized() -> [UInt8] {
        var buffer: [UInt8] = []
        buffer.reserveCapacity(64)
        write(into: &buffer)
        return buffer
    }

    /// Appends the compact JSON text of the value to `buffer`.
    ///
    /// A `.number` is written as its stored literal text, so it must hold a valid
    /// JSON number (values from the parser and from literals always do).
    public func write(into buffer: inout [UInt8]) {
        switch self {
        case .null:
            buffer.append(contentsOf: "null".utf8)
        case .bool(let value):
            buffer.append(contentsOf: value ? "true".utf8 : "false".utf8)
        case .number(let text):
            buffer.append(contentsOf: text.utf8)
        case .string(let text):
            JSONText.appendString(text, to: &buffer)
        case .array(let elements):
            buffer.append(UInt8(ascii: "["))
            for (position, element) in elements.enumerated() {
                if position > 0 { buffer.append(UInt8(ascii: ",")) }
                element.write(into: &buffer)
            }
            buffer.append(UInt8(ascii: "]"))
        case .object(let object):
            object.write(into: &buffer)
        }
    }

    /// The compact JSON text as a `String`, for logs and tests.
    public var jsonText: String {
        String(decoding: serialized(), as: UTF8.self)
    }
}

extension JSONObject {
    /// Appends the object's compact JSON text, members in order.
    public func write(into buffer: inout [UInt8]) {
        buffer.append(UInt8(ascii: "{"))
        for (position, member) in members.enumerated() {
            if position > 0 { buffer.append(UInt8(ascii: ",")) }
            JSONText.appendString(member.key, to: &buffer)
            buffer.append(UInt8(ascii: ":"))
            member.value.write(into: &buffer)
        }
        buffer.append(UInt8(ascii: "}"))
    }
}
