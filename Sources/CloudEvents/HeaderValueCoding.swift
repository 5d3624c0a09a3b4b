/// Percent-encoding of `ce-` header values per the CloudEvents HTTP binding
/// (§3.1.3.2): space, `"`, `%` and anything outside printable ASCII are encoded
/// so non-ASCII attribute values survive HTTP header transport.
enum HeaderValueCoding {
    static func encode(_ value: String) -> String {
        let utf8 = value.utf8
        guard utf8.contains(where: needsEncoding) else { return value }
        var out: [UInt8] = []
        out.reserveCapacity(utf8.count * 3)
        for byte in utf8 {
            if needsEncoding(byte) {
                out.append(UInt8(ascii: "%"))
                out.append(hexUpper(byte >> 4))
                out.append(hexUpper(byte & 0xF))
            } else {
                out.append(byte)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Decodes `%XX` sequences; a value that does not decode to valid UTF-8 is
    /// kept as received, since some senders put a literal `%` in headers.
    static func decode(_ value: String) -> String {
        let utf8 = Array(value.utf8)
        guard utf8.contains(UInt8(ascii: "%")) else { return value }
        var out: [UInt8] = []
        out.reserveCapacity(utf8.count)
        var i = 0
        while i < utf8.count {
            if utf8[i] == UInt8(ascii: "%"), i + 2 < utf8.count,
               let high = JSONParser.hexDigit(utf8[i + 1]), let low = JSONParser.hexDigit(utf8[i + 2]) {
                out.append(high << 4 | low)
                i += 3
            } else {
                out.append(utf8[i])
                i += 1
            }
        }
        return String(validating: out, as: UTF8.self) ?? value
    }

    private static func needsEncoding(_ byte: UInt8) -> Bool {
        byte <= 0x20 || byte >= 0x7F || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "%")
    }

    private static func hexUpper(_ nibble: UInt8) -> UInt8 {
        nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "A") + nibble - 10
    }
}
