extension Envelope {
    /// A random (version 4) UUID in lowercase, e.g. `"3f2a…-4…"`, like Go's
    /// `uuid.New().String()`.
    public static func newID() -> String {
        var text: [UInt8] = []
        text.reserveCapacity(36)
        appendNewID(to: &text)
        return String(decoding: text, as: UTF8.self)
    }

    /// Appends the 36 bytes of a new ``newID()`` to `buffer`, with no string in between.
    public static func appendNewID(to buffer: inout [UInt8]) {
        let random = (FastRandom.next(), FastRandom.next())
        for position in 0..<16 {
            var byte = UInt8(truncatingIfNeeded: (position < 8 ? random.0 : random.1) >> ((position & 7) * 8))
            if position == 6 { byte = byte & 0x0F | 0x40 }  // version 4
            if position == 8 { byte = byte & 0x3F | 0x80 }  // RFC 4122 variant
            if position == 4 || position == 6 || position == 8 || position == 10 { buffer.append(UInt8(ascii: "-")) }
            buffer.append(JSONText.hexDigit(byte >> 4))
            buffer.append(JSONText.hexDigit(byte & 0xF))
        }
    }
}
