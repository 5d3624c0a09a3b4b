extension CloudEvent {
    /// Structured mode (`application/cloudevents+json`). Requires a JSON object with string `id`, `source`, `type`, `specversion`.
    ///
    /// A `data` member is kept as raw JSON bytes (`.json`), except a JSON string,
    /// which becomes `.text`; `data_base64` is decoded to `.binary`. Other
    /// members become ``extensions`` in document order. A `null` attribute
    /// counts as absent, as the JSON format specifies.
    public init(structured bytes: [UInt8]) throws(CloudEventDecodingError) {
        try self.init(structured: bytes, lenient: false)
    }

    /// Structured mode with optional leniency for events published by apps.
    ///
    /// When `lenient` is true, missing `id`, `source`, `type` and `specversion`
    /// are left empty for the caller to fill (see ``Envelope/fromPublished(_:topic:pubsubName:traceParent:traceState:now:)``),
    /// number and boolean attribute values are taken as their text, and `data`
    /// wins over a conflicting `data_base64` instead of being an error.
    public init(structured bytes: [UInt8], lenient: Bool) throws(CloudEventDecodingError) {
        self = try bytes.withUnsafeBufferPointer { (buffer) throws(CloudEventDecodingError) in
            try Self.decodeStructured(buffer, range: nil, lenient: lenient).event
        }
    }
}

extension CloudEvent {
    /// Required or defaulted attributes a document left out, so a lenient
    /// caller can tell "absent" from "present but empty".
    struct MissingAttributes: OptionSet {
        let rawValue: UInt8
        static let id = MissingAttributes(rawValue: 1 << 0)
        static let source = MissingAttributes(rawValue: 1 << 1)
        static let type = MissingAttributes(rawValue: 1 << 2)
        static let specVersion = MissingAttributes(rawValue: 1 << 3)
        static let time = MissingAttributes(rawValue: 1 << 4)
    }

    static func decodeStructured(
        _ buffer: UnsafeBufferPointer<UInt8>, range: Range<Int>?, lenient: Bool
    ) throws(CloudEventDecodingError) -> (event: CloudEvent, missing: MissingAttributes) {
        var reader = StructuredReader(buffer: buffer, lenient: lenient)
        let members: [(key: String, value: Range<Int>)]
        do {
            members = try JSONParser.objectMembers(buffer, range: range)
        } catch {
            throw CloudEventDecodingError(reason: error.description)
        }
        for member in members { try reader.read(member.key, at: member.value) }
        return try reader.finish()
    }
}
