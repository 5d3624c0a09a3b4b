extension CloudEvent {
    /// The event in structured mode (`application/cloudevents+json`), compact.
    ///
    /// Members are written in the order specversion, id, source, type,
    /// datacontenttype, dataschema, subject, time, extensions, then data.
    public func structuredBytes() -> [UInt8] {
        var buffer: [UInt8] = []
        buffer.reserveCapacity(estimatedStructuredCount)
        writeStructured(into: &buffer)
        return buffer
    }

    /// Appends the structured-mode JSON of the event to `buffer`.
    ///
    /// `.json` data is copied verbatim rather than re-serialized, which is what
    /// keeps publishing a large JSON payload a single memcpy.
    public func writeStructured(into buffer: inout [UInt8]) {
        buffer.append(contentsOf: "{\"specversion\":".utf8)
        JSONText.appendString(specVersion, to: &buffer)
        Self.appendMember(",\"id\":", id, to: &buffer)
        Self.appendMember(",\"source\":", source, to: &buffer)
        Self.appendMember(",\"type\":", type, to: &buffer)
        if let dataContentType { Self.appendMember(",\"datacontenttype\":", dataContentType, to: &buffer) }
        if let dataSchema { Self.appendMember(",\"dataschema\":", dataSchema, to: &buffer) }
        if let subject { Self.appendMember(",\"subject\":", subject, to: &buffer) }
        if let time { Self.appendMember(",\"time\":", time, to: &buffer) }
        for (key, value) in extensions.members where !Self.isReservedAttribute(key) {
            buffer.append(UInt8(ascii: ","))
            JSONText.appendString(key, to: &buffer)
            buffer.append(UInt8(ascii: ":"))
            value.write(into: &buffer)
        }
        switch data {
        case .none:
            break
        case .json(let raw):
            // Empty text is not a JSON value; omitting data keeps the output valid.
            if !raw.isEmpty {
                buffer.append(contentsOf: ",\"data\":".utf8)
                buffer.append(contentsOf: raw)
            }
        case .text(let text):
            Self.appendMember(",\"data\":", text, to: &buffer)
        case .binary(let bytes):
            buffer.append(contentsOf: ",\"data_base64\":\"".utf8)
            Base64.encode(bytes, into: &buffer)
            buffer.append(UInt8(ascii: "\""))
        }
        buffer.append(UInt8(ascii: "}"))
    }

    private static func appendMember(_ prefix: StaticString, _ value: String, to buffer: inout [UInt8]) {
        buffer.append(contentsOf: UnsafeBufferPointer(start: prefix.utf8Start, count: prefix.utf8CodeUnitCount))
        JSONText.appendString(value, to: &buffer)
    }

    /// A slight overestimate of the output size, so the buffer is allocated once
    /// for typical events (escaping is rare in attribute values).
    var estimatedStructuredCount: Int {
        var count = 128 + id.utf8.count + source.utf8.count + type.utf8.count
        count += (dataContentType?.utf8.count ?? 0) + (dataSchema?.utf8.count ?? 0)
        count += (subject?.utf8.count ?? 0) + (time?.utf8.count ?? 0)
        for (key, value) in extensions.members {
            count += key.utf8.count + 6 + (value.stringValue?.utf8.count ?? 32)
        }
        switch data {
        case .none: break
        case .json(let raw): count += raw.count
        case .text(let text): count += text.utf8.count + 16
        case .binary(let bytes): count += Base64.encodedCount(bytes.count)
        }
        return count
    }
}
