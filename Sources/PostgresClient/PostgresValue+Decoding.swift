extension PostgresValue {
    /// The typed value of `text`, a field in PostgreSQL's text output format, for a column of
    /// type `typeOID`. `isoDateStyle` says whether the session's `DateStyle` is `ISO`, the only
    /// style whose dates are read (others stay strings). Text that does not parse as its type
    /// claims stays ``string(_:)``.
    public static func decode(text: String, typeOID: UInt32, isoDateStyle: Bool = true) -> PostgresValue {
        switch typeOID {
        case PostgresTypeOID.bool:
            return text == "t" ? .bool(true) : text == "f" ? .bool(false) : .string(text)
        case PostgresTypeOID.int2, PostgresTypeOID.int4, PostgresTypeOID.int8, PostgresTypeOID.oid:
            return Int64(text).map(PostgresValue.integer) ?? .string(text)
        case PostgresTypeOID.float4, PostgresTypeOID.float8:
            return Double(text).map(PostgresValue.double) ?? .string(text)
        case PostgresTypeOID.numeric:
            return .numeric(text)
        case PostgresTypeOID.json, PostgresTypeOID.jsonb:
            return .json(text)
        case PostgresTypeOID.bytea:
            return decodeBytea(text).map(PostgresValue.bytes) ?? .string(text)
        case PostgresTypeOID.date, PostgresTypeOID.timestamp, PostgresTypeOID.timestamptz:
            guard isoDateStyle, let instant = ISOTimestampText.parse(text) else { return .string(text) }
            return .timestamp(instant)
        default:
            if let element = PostgresTypeOID.arrayElement[typeOID] {
                return PostgresArrayText.parse(text, element: element, isoDateStyle: isoDateStyle) ?? .string(text)
            }
            return .string(text)
        }
    }

    /// `bytea` output in either `bytea_output` format: `hex` (`\x0a1b`) or `escape`
    /// (printable bytes as they are, `\\` and `\ooo` octal escapes).
    static func decodeBytea(_ text: String) -> [UInt8]? {
        let utf8 = Array(text.utf8)
        if utf8.starts(with: [UInt8(ascii: "\\"), UInt8(ascii: "x")]) {
            let digits = utf8.dropFirst(2)
            guard digits.count % 2 == 0 else { return nil }
            var bytes: [UInt8] = []
            bytes.reserveCapacity(digits.count / 2)
            var index = digits.startIndex
            while index < digits.endIndex {
                guard let high = hexValue(digits[index]), let low = hexValue(digits[index + 1]) else { return nil }
                bytes.append(high << 4 | low)
                index += 2
            }
            return bytes
        }
        var bytes: [UInt8] = []
        var index = 0
        while index < utf8.count {
            let byte = utf8[index]
            guard byte == UInt8(ascii: "\\") else {
                bytes.append(byte)
                index += 1
                continue
            }
            if index + 1 < utf8.count, utf8[index + 1] == UInt8(ascii: "\\") {
                bytes.append(byte)
                index += 2
                continue
            }
            guard index + 3 < utf8.count else { return nil }
            let octal = utf8[(index + 1)...(index + 3)]
            guard octal.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "7")).contains($0) }) else { return nil }
            let value = octal.reduce(0) { $0 * 8 + Int($1 - UInt8(ascii: "0")) }
            guard value <= 255 else { return nil }
            bytes.append(UInt8(value))
            index += 4
        }
        return bytes
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
