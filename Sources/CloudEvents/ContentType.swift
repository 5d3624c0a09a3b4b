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
        // On the string's contiguous UTF-8 (every String read from a request is native): index
        // arithmetic on a String.UTF8View was a measurable share of a publish.
        var contentType = contentType
        var type = type
        return type.withUTF8 { expected in contentType.withUTF8 { bytes in
            var start = 0
            var end = bytes.firstIndex(of: UInt8(ascii: ";")) ?? bytes.count
            while start < end, bytes[start] == UInt8(ascii: " ") || bytes[start] == UInt8(ascii: "\t") { start += 1 }
            while start < end, bytes[end - 1] == UInt8(ascii: " ") || bytes[end - 1] == UInt8(ascii: "\t") { end -= 1 }
            guard end - start == expected.count else { return false }
            for offset in 0..<(end - start) {
                var byte = bytes[start + offset]
                // Only ASCII letters fold here; a non-ASCII byte never equals an expected ASCII one.
                if byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") { byte += 32 }
                guard byte == expected[offset] else { return false }
            }
            return true
        } }
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
