/// Reads and writes PostgreSQL's array text form: `{1,2,NULL}`, `{{"a b","c\"d"},{e,f}}`,
/// with an optional dimension prefix such as `[0:1]=` (dropped when reading).
enum PostgresArrayText {
    /// The nested ``PostgresValue/array(_:)`` of `text`, each element decoded as `element`;
    /// `nil` if `text` is not an array literal.
    static func parse(_ text: String, element: UInt32, isoDateStyle: Bool) -> PostgresValue? {
        var bytes = Array(text.utf8)[...]
        if bytes.first == UInt8(ascii: "[") {
            guard let equals = bytes.firstIndex(of: UInt8(ascii: "=")) else { return nil }
            bytes = bytes[(equals + 1)...]
        }
        var reader = Reader(bytes: bytes, position: bytes.startIndex, element: element, isoDateStyle: isoDateStyle)
        guard let value = reader.array(), reader.position == bytes.endIndex else { return nil }
        return value
    }

    /// The array literal for `elements`: every element double-quoted (valid for any element
    /// type), `NULL` for ``PostgresParameter/null``, nested lists as sub-arrays.
    static func literal(_ elements: [PostgresParameter]) -> String {
        var text = "{"
        for (position, element) in elements.enumerated() {
            if position > 0 { text += "," }
            switch element {
            case .null:
                text += "NULL"
            case .text(let value):
                text += "\""
                for character in value.unicodeScalars {
                    if character == "\"" || character == "\\" { text += "\\" }
                    text.unicodeScalars.append(character)
                }
                text += "\""
            case .list(let nested, _):
                text += literal(nested)
            }
        }
        return text + "}"
    }

    private struct Reader {
        let bytes: ArraySlice<UInt8>
        var position: Int
        let element: UInt32
        let isoDateStyle: Bool

        mutating func array() -> PostgresValue? {
            guard peek() == UInt8(ascii: "{") else { return nil }
            position += 1
            var values: [PostgresValue] = []
            if peek() == UInt8(ascii: "}") {
                position += 1
                return .array(values)
            }
            while true {
                guard let value = item() else { return nil }
                values.append(value)
                switch peek() {
                case UInt8(ascii: ","):
                    position += 1
                case UInt8(ascii: "}"):
                    position += 1
                    return .array(values)
                default:
                    return nil
                }
            }
        }

        private mutating func item() -> PostgresValue? {
            switch peek() {
            case UInt8(ascii: "{"):
                return array()
            case UInt8(ascii: "\""):
                position += 1
                var text: [UInt8] = []
                while let byte = peek() {
                    position += 1
                    if byte == UInt8(ascii: "\"") {
                        return PostgresValue.decode(text: String(decoding: text, as: UTF8.self), typeOID: element, isoDateStyle: isoDateStyle)
                    }
                    if byte == UInt8(ascii: "\\") {
                        guard let escaped = peek() else { return nil }
                        position += 1
                        text.append(escaped)
                    } else {
                        text.append(byte)
                    }
                }
                return nil
            default:
                let start = position
                while let byte = peek(), byte != UInt8(ascii: ","), byte != UInt8(ascii: "}") { position += 1 }
                guard position > start else { return nil }
                let text = String(decoding: bytes[start..<position], as: UTF8.self)
                if text.uppercased() == "NULL" { return .null }
                return PostgresValue.decode(text: text, typeOID: element, isoDateStyle: isoDateStyle)
            }
        }

        private func peek() -> UInt8? { position < bytes.endIndex ? bytes[position] : nil }
    }
}
