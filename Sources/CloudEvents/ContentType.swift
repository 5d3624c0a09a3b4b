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

    /// `application/json` or any `+json` type other than the CloudEvents ones,
    /// whose bodies are envelopes rather than data.
    public static func isJSON(_ contentType: String) -> Bool {
        let type = mediaType(contentType)
        if type == "application/json" { return true }
        return type.hasSuffix("+json") && type != cloudEventJSON && type != cloudEventBatchJSON
    }

    /// `application/cloudevents+json`.
    public static func isCloudEvent(_ contentType: String) -> Bool {
        mediaType(contentType) == cloudEventJSON
    }

    /// `application/cloudevents-batch+json`.
    public static func isCloudEventBatch(_ contentType: String) -> Bool {
        mediaType(contentType) == cloudEventBatchJSON
    }

    /// `application/octet-stream`.
    public static func isBinary(_ contentType: String) -> Bool {
        mediaType(contentType) == octetStream
    }

    /// Dapr's `IsStringContentType`: any `text/*` type or `application/xml`.
    public static func isText(_ contentType: String) -> Bool {
        let type = mediaType(contentType)
        return type.hasPrefix("text/") || type == "application/xml"
    }
}
