/// Operations on raw JSON text that do not need a value tree.
///
/// These let the sidecar check, slice and emit JSON while leaving payloads as
/// bytes, which is cheaper than parsing and re-serializing them.
public enum JSONText {
    /// True when bytes are exactly one valid JSON document.
    public static func isValid(_ bytes: some Collection<UInt8>) -> Bool {
        if let valid = bytes.withContiguousStorageIfAvailable(JSONParser.validateDocument) { return valid }
        return Array(bytes).withUnsafeBufferPointer(JSONParser.validateDocument)
    }

    /// For a JSON object document: each member's key and the byte range of its raw value text inside `bytes` (the array is indexed from 0). Throws if not an object.
    ///
    /// Repeated keys are all listed, in document order. Ranges exclude the
    /// whitespace around each value.
    public static func objectMembers(_ bytes: [UInt8]) throws(JSONParseError) -> [(key: String, value: Range<Int>)] {
        try bytes.withUnsafeBufferPointer { (buffer) throws(JSONParseError) in
            try JSONParser.objectMembers(buffer)
        }
    }

    /// For a JSON array document: the byte range of each element's raw text inside `bytes`. Throws if not an array.
    public static func arrayElements(_ bytes: [UInt8]) throws(JSONParseError) -> [Range<Int>] {
        try bytes.withUnsafeBufferPointer { (buffer) throws(JSONParseError) in
            try JSONParser.arrayElements(buffer)
        }
    }

    /// `bytes` without leading and trailing JSON whitespace (space, tab, CR, LF).
    public static func trimmingWhitespace(_ bytes: [UInt8]) -> ArraySlice<UInt8> {
        trimmingWhitespace(bytes[...])
    }

    /// `bytes` without leading and trailing JSON whitespace (space, tab, CR, LF).
    public static func trimmingWhitespace(_ bytes: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D }
        guard let first = bytes.firstIndex(where: { !isSpace($0) }),
              let last = bytes.lastIndex(where: { !isSpace($0) }) else { return [] }
        return bytes[first...last]
    }
}
