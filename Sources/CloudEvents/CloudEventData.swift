/// The payload of a ``CloudEvent`` in the form it travels in.
///
/// Keeping JSON data as raw bytes lets the sidecar pass an app's payload through
/// without parsing and re-encoding it; the case also decides which member
/// (`data` or `data_base64`) a structured event uses.
public enum CloudEventData: Sendable, Hashable {
    /// No payload; neither `data` nor `data_base64` is written.
    case none
    /// Raw JSON text, written verbatim as the "data" member. Must be one valid JSON value.
    case json([UInt8])
    /// Written as a JSON string "data" member.
    case text(String)
    /// Written as "data_base64".
    case binary([UInt8])

    /// The payload bytes as an app receives them without an envelope: JSON text,
    /// the text's UTF-8, or the binary bytes; empty for `.none`.
    public var bytes: [UInt8] {
        switch self {
        case .none: return []
        case .json(let raw): return raw
        case .text(let text): return Array(text.utf8)
        case .binary(let bytes): return bytes
        }
    }

    /// The payload as a JSON value: JSON parsed (or kept as a string if it is not
    /// valid JSON), text as a string, binary as its base64 string; `nil` for `.none`.
    public var jsonValue: JSONValue? {
        switch self {
        case .none: return nil
        case .json(let raw): return (try? JSONValue(parsing: raw)) ?? .string(String(decoding: raw, as: UTF8.self))
        case .text(let text): return .string(text)
        case .binary(let bytes): return .string(Base64.encode(bytes))
        }
    }
}
