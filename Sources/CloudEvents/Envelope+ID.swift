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
    ///
    /// One per published message (bulk publishes make hundreds per request), so the 16 random
    /// bytes become hex four at a time (``hex(_:)``) rather than digit by digit.
    public static func appendNewID(to buffer: inout [UInt8]) {
        var (low, high) = FastRandom.nextPair()
        // The bytes in memory order are `low`'s, then `high`'s, each least significant first.
        low = low & ~(0xF0 << 48) | (0x40 << 48)  // byte 6: version 4
        high = high & ~0xC0 | 0x80  // byte 8: the RFC 4122 variant
        // 8-4-4-4-12 hex digits: bytes 0-3, 4-5, 6-7, 8-9, 10-15.
        let first = hex(UInt32(truncatingIfNeeded: low))
        let second = hex(UInt32(truncatingIfNeeded: low >> 32))
        let third = hex(UInt32(truncatingIfNeeded: high))
        let fourth = hex(UInt32(truncatingIfNeeded: high >> 32))
        var text: (UInt64, UInt64, UInt64, UInt64, UInt32) = (0, 0, 0, 0, 0)
        withUnsafeMutableBytes(of: &text) { out in
            out.storeBytes(of: first.littleEndian, toByteOffset: 0, as: UInt64.self)
            out[8] = UInt8(ascii: "-")
            out.storeBytes(of: UInt32(truncatingIfNeeded: second).littleEndian, toByteOffset: 9, as: UInt32.self)
            out[13] = UInt8(ascii: "-")
            out.storeBytes(of: UInt32(truncatingIfNeeded: second >> 32).littleEndian, toByteOffset: 14, as: UInt32.self)
            out[18] = UInt8(ascii: "-")
            out.storeBytes(of: UInt32(truncatingIfNeeded: third).littleEndian, toByteOffset: 19, as: UInt32.self)
            out[23] = UInt8(ascii: "-")
            out.storeBytes(of: UInt32(truncatingIfNeeded: third >> 32).littleEndian, toByteOffset: 24, as: UInt32.self)
            out.storeBytes(of: fourth.littleEndian, toByteOffset: 28, as: UInt64.self)
            buffer.append(contentsOf: out)
        }
    }

    /// The eight lowercase hex digits of `bytes`' four bytes, least significant byte first
    /// (as they lie in memory), each byte's high digit before its low one; the first digit is
    /// the result's least significant byte.
    static func hex(_ bytes: UInt32) -> UInt64 {
        // Each byte into a 16-bit lane of its own, then its two digits into that lane's bytes.
        var lanes = UInt64(bytes)
        lanes = (lanes | lanes << 16) & 0x0000_FFFF_0000_FFFF
        lanes = (lanes | lanes << 8) & 0x00FF_00FF_00FF_00FF
        let digits = (lanes >> 4) & 0x000F_000F_000F_000F | (lanes & 0x000F_000F_000F_000F) << 8
        // '0' + d, and 39 more ('a' - '0' - 10) where d >= 10: d + 6 carries into bit 4 exactly then.
        let letters = ((digits &+ 0x0606_0606_0606_0606) >> 4) & 0x0101_0101_0101_0101
        return digits &+ 0x3030_3030_3030_3030 &+ letters &* 39
    }
}
