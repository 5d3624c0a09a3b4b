/// Standard base64 (RFC 4648 §4, with padding), as CloudEvents uses for `data_base64`.
///
/// Hand-written so the module needs no Foundation and can write straight into
/// an output buffer without an intermediate `String`.
public enum Base64 {
    /// The padded base64 text of `bytes`.
    public static func encode(_ bytes: some Collection<UInt8>) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(encodedCount(bytes.count))
        encode(bytes, into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends the padded base64 text of `bytes` to `buffer`.
    public static func encode(_ bytes: some Collection<UInt8>, into buffer: inout [UInt8]) {
        if bytes.withContiguousStorageIfAvailable({ encode($0, into: &buffer) }) == nil {
            Array(bytes).withUnsafeBufferPointer { encode($0, into: &buffer) }
        }
    }

    /// Length of the padded encoding of `count` bytes.
    public static func encodedCount(_ count: Int) -> Int {
        (count + 2) / 3 * 4
    }

    /// The bytes encoded by `text`, or `nil` if it is not base64.
    ///
    /// Padding may be omitted and line breaks are ignored, as Go's decoder (which
    /// Dapr uses) tolerates them; any other character is rejected.
    public static func decode(_ text: String) -> [UInt8]? {
        decode(utf8: Array(text.utf8))
    }

    /// Like ``decode(_:)`` for base64 text given as UTF-8 bytes.
    public static func decode(utf8 text: [UInt8]) -> [UInt8]? {
        var out: [UInt8] = []
        out.reserveCapacity(text.count / 4 * 3 + 2)
        var accumulator: UInt32 = 0
        var pending = 0
        var symbols = 0
        var padding = 0
        for char in text {
            if char == 0x0A || char == 0x0D { continue }
            if char == UInt8(ascii: "=") {
                padding += 1
                continue
            }
            guard padding == 0, let value = sextet(char) else { return nil }
            symbols += 1
            accumulator = accumulator << 6 | UInt32(value)
            pending += 1
            if pending == 4 {
                out.append(UInt8(truncatingIfNeeded: accumulator >> 16))
                out.append(UInt8(truncatingIfNeeded: accumulator >> 8))
                out.append(UInt8(truncatingIfNeeded: accumulator))
                accumulator = 0
                pending = 0
            }
        }
        if padding > 0 && (padding > 2 || (symbols + padding) % 4 != 0) { return nil }
        switch pending {
        case 0: break
        case 2: out.append(UInt8(truncatingIfNeeded: accumulator >> 4))
        case 3:
            out.append(UInt8(truncatingIfNeeded: accumulator >> 10))
            out.append(UInt8(truncatingIfNeeded: accumulator >> 2))
        default: return nil
        }
        return out
    }

    private static func encode(_ bytes: UnsafeBufferPointer<UInt8>, into buffer: inout [UInt8]) {
        var i = 0
        while i + 3 <= bytes.count {
            let group = UInt32(bytes[i]) << 16 | UInt32(bytes[i + 1]) << 8 | UInt32(bytes[i + 2])
            buffer.append(symbol(group >> 18))
            buffer.append(symbol(group >> 12))
            buffer.append(symbol(group >> 6))
            buffer.append(symbol(group))
            i += 3
        }
        let rest = bytes.count - i
        guard rest > 0 else { return }
        let group = UInt32(bytes[i]) << 16 | (rest == 2 ? UInt32(bytes[i + 1]) << 8 : 0)
        buffer.append(symbol(group >> 18))
        buffer.append(symbol(group >> 12))
        buffer.append(rest == 2 ? symbol(group >> 6) : UInt8(ascii: "="))
        buffer.append(UInt8(ascii: "="))
    }

    private static func symbol(_ bits: UInt32) -> UInt8 {
        let value = UInt8(truncatingIfNeeded: bits & 0x3F)
        switch value {
        case 0..<26: return UInt8(ascii: "A") + value
        case 26..<52: return UInt8(ascii: "a") + value - 26
        case 52..<62: return UInt8(ascii: "0") + value - 52
        case 62: return UInt8(ascii: "+")
        default: return UInt8(ascii: "/")
        }
    }

    private static func sextet(_ char: UInt8) -> UInt8? {
        switch char {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): return char - UInt8(ascii: "A")
        case UInt8(ascii: "a")...UInt8(ascii: "z"): return char - UInt8(ascii: "a") + 26
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return char - UInt8(ascii: "0") + 52
        case UInt8(ascii: "+"): return 62
        case UInt8(ascii: "/"): return 63
        default: return nil
        }
    }
}
