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
        var random = (FastRandom.next(), FastRandom.next())
        withUnsafeMutableBytes(of: &random) { bytes in
            bytes[6] = bytes[6] & 0x0F | 0x40  // version 4
            bytes[8] = bytes[8] & 0x3F | 0x80  // RFC 4122 variant
            // 8-4-4-4-12 hex digits: 36 bytes written in place, then appended at once.
            var text: (UInt64, UInt64, UInt64, UInt64, UInt32) = (0, 0, 0, 0, 0)
            withUnsafeMutableBytes(of: &text) { out in
                var position = 0
                for index in 0..<16 {
                    if index == 4 || index == 6 || index == 8 || index == 10 {
                        out[position] = UInt8(ascii: "-")
                        position += 1
                    }
                    out[position] = JSONText.hexDigit(bytes[index] >> 4)
                    out[position + 1] = JSONText.hexDigit(bytes[index] & 0xF)
                    position += 2
                }
                buffer.append(contentsOf: out)
            }
        }
    }
}
