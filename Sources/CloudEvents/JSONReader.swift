/// A forward-only reader over JSON text: one pass, in place, nothing built that the caller does
/// not ask for.
///
/// It accepts exactly the grammar of ``JSONValue/init(parsing:)`` (the same cursor underneath),
/// so a document read with it is valid JSON. Containers are walked with `open…`/`closeOrContinue…`:
///
/// ```swift
/// try bytes.withUnsafeBufferPointer { buffer in
///     var reader = JSONReader(buffer)
///     if try reader.openArray() {
///         repeat {
///             let element = try reader.skipValue()   // the element's byte range
///         } while try !reader.closeOrContinueArray()
///     }
///     try reader.expectEnd()
/// }
/// ```
///
/// The buffer must outlive the reader (use it inside `withUnsafeBufferPointer`). Offsets, in
/// errors and ranges, are indexes into the buffer.
public struct JSONReader {
    private var parser: JSONParser

    /// A reader at the start of `buffer`.
    public init(_ buffer: UnsafeBufferPointer<UInt8>) {
        parser = JSONParser(buffer)
    }

    /// The byte offset of the cursor.
    public var offset: Int { parser.index }

    /// The next significant byte (after whitespace), not consumed; an error at the end of input.
    public mutating func peek() throws(JSONParseError) -> UInt8 {
        try parser.peekSignificant(expecting: "a value")
    }

    /// Consumes `[`; false (and the `]` consumed too) when the array is empty.
    public mutating func openArray() throws(JSONParseError) -> Bool {
        try open("[", close: "]", expecting: "a JSON array", next: "a value or ']'")
    }

    /// After an element: consumes `,` (false: another element follows) or `]` (true).
    public mutating func closeOrContinueArray() throws(JSONParseError) -> Bool {
        try closeOrContinue(UInt8(ascii: "]"))
    }

    /// Consumes `{`; false (and the `}` consumed too) when the object is empty.
    public mutating func openObject() throws(JSONParseError) -> Bool {
        try open("{", close: "}", expecting: "a JSON object", next: "a string key or '}'")
    }

    /// After a member's value: consumes `,` (false: another member follows) or `}` (true).
    public mutating func closeOrContinueObject() throws(JSONParseError) -> Bool {
        try closeOrContinue(UInt8(ascii: "}"))
    }

    /// Reads a member's key and its `:`; the key is the range between its quotes, and
    /// `escaped` says whether it holds escapes (then decode it with ``string(_:)``).
    public mutating func readKey() throws(JSONParseError) -> (content: Range<Int>, escaped: Bool) {
        guard try parser.peekSignificant(expecting: "a string key") == UInt8(ascii: "\"") else {
            throw parser.unexpected(expecting: "a string key")
        }
        let key = try parser.scanString()
        guard try parser.peekSignificant(expecting: "':'") == UInt8(ascii: ":") else {
            throw parser.unexpected(expecting: "':' after the key")
        }
        parser.index += 1
        return key
    }

    /// Reads a string value: the range between its quotes and whether it holds escapes; nil
    /// (nothing consumed) when the next value is not a string.
    public mutating func readStringContent() throws(JSONParseError) -> (content: Range<Int>, escaped: Bool)? {
        guard try parser.peekSignificant(expecting: "a value") == UInt8(ascii: "\"") else { return nil }
        return try parser.scanString()
    }

    /// The text of a string read by ``readKey()`` or ``readStringContent()``.
    public func string(_ string: (content: Range<Int>, escaped: Bool)) -> String {
        let raw = UnsafeBufferPointer(rebasing: parser.bytes[string.content])
        return string.escaped ? JSONParser.unescape(raw) : String(decoding: raw, as: UTF8.self)
    }

    /// True when the unescaped text `range` holds is exactly `literal` (ASCII, no escapes).
    public func bytes(_ range: Range<Int>, equal literal: StaticString) -> Bool {
        let count = literal.utf8CodeUnitCount
        guard range.count == count, let base = parser.bytes.baseAddress else { return false }
        return UnsafeRawPointer(literal.utf8Start).withMemoryRebound(to: UInt8.self, capacity: count) { start in
            var offset = 0
            // Eight bytes at a time: the member names compared here are mostly 5 to 11 bytes.
            while offset &+ 8 <= count {
                let left = UnsafeRawPointer(base + (range.lowerBound &+ offset)).loadUnaligned(as: UInt64.self)
                let right = UnsafeRawPointer(start + offset).loadUnaligned(as: UInt64.self)
                guard left == right else { return false }
                offset &+= 8
            }
            while offset < count {
                guard base[range.lowerBound &+ offset] == start[offset] else { return false }
                offset &+= 1
            }
            return true
        }
    }

    /// Validates the next value and returns its range (whitespace around it excluded).
    public mutating func skipValue() throws(JSONParseError) -> Range<Int> {
        _ = try parser.peekSignificant(expecting: "a value")
        let start = parser.index
        try parser.skipValue()
        return start..<parser.index
    }

    /// Succeeds only when nothing but whitespace is left.
    public mutating func expectEnd() throws(JSONParseError) {
        try parser.expectEnd()
    }

    private mutating func open(_ opening: Unicode.Scalar, close: Unicode.Scalar, expecting: String, next: String) throws(JSONParseError) -> Bool {
        guard try parser.peekSignificant(expecting: expecting) == UInt8(ascii: opening) else {
            throw parser.unexpected(expecting: expecting)
        }
        try parser.enterContainer()
        parser.index += 1
        if try parser.peekSignificant(expecting: next) == UInt8(ascii: close) {
            parser.index += 1
            parser.depth -= 1
            return false
        }
        return true
    }

    private mutating func closeOrContinue(_ closing: UInt8) throws(JSONParseError) -> Bool {
        let closed = try parser.closeOrContinue(closing: closing)
        if closed { parser.depth -= 1 }
        return closed
    }
}
