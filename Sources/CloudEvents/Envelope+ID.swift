extension Envelope {
    /// A random (version 4) UUID in lowercase, e.g. `"3f2a…-4…"`, like Go's
    /// `uuid.New().String()`.
    public static func newID() -> String {
        var bytes = [UInt8](repeating: 0, count: 16)
        for half in 0..<2 {
            let random = FastRandom.next()
            for offset in 0..<8 { bytes[half * 8 + offset] = UInt8(truncatingIfNeeded: random >> (offset * 8)) }
        }
        bytes[6] = bytes[6] & 0x0F | 0x40  // version 4
        bytes[8] = bytes[8] & 0x3F | 0x80  // RFC 4122 variant
        var text: [UInt8] = []
        text.reserveCapacity(36)
        for (position, byte) in bytes.enumerated() {
            if position == 4 || position == 6 || position == 8 || position == 10 { text.append(UInt8(ascii: "-")) }
            text.append(JSONText.hexDigit(byte >> 4))
            text.append(JSONText.hexDigit(byte & 0xF))
        }
        return String(decoding: text, as: UTF8.self)
    }
}
