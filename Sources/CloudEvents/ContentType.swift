/// Media-type checks with Dapr's semantics: case-insensitive, parameters after
/// `;` ignored.
public enum ContentType {
    /// Structured-mode CloudEvent.
    public static let cloudEventJSON = "application/cloudevents+json"
    /// Batch-mode CloudEvents (a JSON array of structured events).
    public static let cloudEventBatchJSON = "application/cloudevents-batch+json"
    /// Plain JSON.
    public static let json = "application/json"
    /// Opaque bytes.
    public static let octetStream = "application/octet-stream"

    /// The bare media type: lowercased, parameters and surrounding spaces removed.
    public static func mediaType(_ contentType: String) -> String {
        var essence = Substring(contentType.lowercased().prefix { $0 != ";" })
        while essence.first == " " || essence.first == "\t" { essence.removeFirst() }
        while essence.last == " " || essence.last == "\t" { essence.removeLast() }
        return String(essence)
    }

    /// Whether the bare media type of `contentType` is `type` (given in lower case): what
    /// `mediaType(contentType) == type` says, without building the lowercased copy (every
    /// publish asks this a few times).
    static func hasMediaType(_ contentType: String, _ type: String) -> Bool {
        let bytes = contentType.utf8
        var start = bytes.startIndex
        var end = bytes.firstIndex(of: UInt8(ascii: ";")) ?? bytes.endIndex
        while start < end, bytes[start] == UInt8(ascii: " ") || bytes[start] == UInt8(ascii: "\t") { start = bytes.index(after: start) }
        while start < end {
            let last = bytes[bytes.index(before: end)]
            guard last == UInt8(ascii: " ") || last == UInt8(ascii: "\t") else { break }
            end = bytes.index(before: end)
        }
        var expected = type.utf8.makeIterator()
        var index = start
        while index < end {
            var byte = bytes[index]
            // Only ASCII letters fold here; a non-ASCII byte never equals an expected ASCII one.
            if byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") { byte += 32 }
            guard let wanted = expected.next(), wanted == byte else { return false }
            index = bytes.index(after: index)
        }
        return expected.next() == nil
    }

    /// `application/json` or any `+json` type other than the CloudEvents ones,
    /// whose bodies are envelopes rather than data.
    public static func isJSON(_ contentType: String) -> Bool {
        if hasMediaType(contentType, json) { return true }
        let type = mediaType(contentType)
        return type.hasSuffix("+json") && type != cloudEventJSON && type != cloudEventBatchJSON
    }

    /// `application/cloudevents+json`.
    public static func isCloudEvent(_ contentType: String) -> Bool {
        hasMediaType(contentType, cloudEventJSON)
    }

    /// `application/cloudevents-batch+json`.
    public static func isCloudEventBatch(_ contentType: String) -> Bool {
        hasMediaType(contentType, cloudEventBatchJSON)
    }

    /// `application/octet-stream`.
    public static func isBinary(_ contentType: String) -> Bool {
        hasMediaType(contentType, octetStream)
    }

    /// Dapr's `IsStringContentType`: any `text/*` type or `application/xml`.
    public static func isText(_ contentType: String) -> Bool {
        let type = mediaType(contentType)
        return type.hasPrefix("text/") || type == "application/xml"
    }
}
