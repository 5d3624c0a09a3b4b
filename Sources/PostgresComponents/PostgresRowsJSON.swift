import CloudEvents
import PostgresClient

/// The `query` answer: a JSON array with one array per row, the fields in column order, as
/// Dapr answers (`[[1,"a"],[2,"b"]]`; `[]` for no rows).
///
/// | value | JSON |
/// |---|---|
/// | integer | number |
/// | `float4`/`float8` | number; `NaN`, `Infinity`, `-Infinity` as strings (JSON has no such numbers) |
/// | `numeric` | number with the server's exact digits (`12.50`); `NaN`/`Infinity` as strings |
/// | bool | `true` / `false` |
/// | timestamp, timestamptz, date | RFC 3339 string in UTC (`2024-03-01T10:00:00Z`) |
/// | json, jsonb | the JSON value itself (compacted) |
/// | bytea | base64 string |
/// | array | array |
/// | NULL | `null` |
/// | anything else | its text as a string |
enum PostgresRowsJSON {
    static func encode(_ rows: [[PostgresValue]]) -> [UInt8] {
        var buffer: [UInt8] = []
        buffer.reserveCapacity(16 + rows.count * 32)
        buffer.append(UInt8(ascii: "["))
        for (index, row) in rows.enumerated() {
            if index > 0 { buffer.append(UInt8(ascii: ",")) }
            writeArray(row, into: &buffer)
        }
        buffer.append(UInt8(ascii: "]"))
        return buffer
    }

    static func write(_ value: PostgresValue, into buffer: inout [UInt8]) {
        switch value {
        case .null:
            buffer.append(contentsOf: "null".utf8)
        case .bool(let flag):
            buffer.append(contentsOf: (flag ? "true" : "false").utf8)
        case .integer(let number):
            buffer.append(contentsOf: String(number).utf8)
        case .double(let number):
            if number.isFinite {
                var text = number.description
                if text.hasSuffix(".0") { text.removeLast(2) }
                buffer.append(contentsOf: text.utf8)
            } else {
                JSONText.appendString(number.isNaN ? "NaN" : number > 0 ? "Infinity" : "-Infinity", to: &buffer)
            }
        case .numeric(let text):
            if Double(text)?.isFinite == true, !text.contains(where: { $0.isLetter }) {
                buffer.append(contentsOf: text.utf8)
            } else {
                JSONText.appendString(text, to: &buffer)
            }
        case .string(let text):
            JSONText.appendString(text, to: &buffer)
        case .timestamp(let instant):
            JSONText.appendString(instant.iso8601, to: &buffer)
        case .json(let text):
            if let parsed = try? JSONValue(parsing: text) {
                parsed.write(into: &buffer)
            } else {
                JSONText.appendString(text, to: &buffer)
            }
        case .bytes(let bytes):
            buffer.append(UInt8(ascii: "\""))
            Base64.encode(bytes, into: &buffer)
            buffer.append(UInt8(ascii: "\""))
        case .array(let elements):
            writeArray(elements, into: &buffer)
        }
    }

    private static func writeArray(_ values: [PostgresValue], into buffer: inout [UInt8]) {
        buffer.append(UInt8(ascii: "["))
        for (index, value) in values.enumerated() {
            if index > 0 { buffer.append(UInt8(ascii: ",")) }
            write(value, into: &buffer)
        }
        buffer.append(UInt8(ascii: "]"))
    }
}
