import CloudEvents

/// The body of `POST /v1.0-alpha1/publish/bulk/{pubsub}/{topic}`:
/// `[{"entryId", "event", "contentType", "metadata"}]`.
///
/// `event` is taken as raw JSON text when the entry's content type is JSON or a CloudEvent (or
/// when it is not a JSON string); a JSON string `event` with any other content type publishes the
/// string's bytes, as Dapr does.
public enum BulkPublishBody {
    /// The entries of `body`; throws ``BulkPublishBodyError`` (Dapr answers 400
    /// `ERR_PUBSUB_EVENTS_SER`) when it is not an array of entries.
    public static func parse(_ body: [UInt8], pubsubName: String, topic: String, metadata: [String: String], traceParent: String, traceState: String) throws(BulkPublishBodyError) -> [Publisher.BulkEntry] {
        let elements: [Range<Int>]
        do {
            elements = try JSONText.arrayElements(body)
        } catch {
            throw BulkPublishBodyError(message: "the body must be a JSON array of entries: \(error)")
        }
        var entries: [Publisher.BulkEntry] = []
        entries.reserveCapacity(elements.count)
        for (index, range) in elements.enumerated() {
            let entry = Array(body[range])
            func fail(_ text: String) -> BulkPublishBodyError {
                BulkPublishBodyError(message: "entry \(index): \(text)")
            }
            guard let members = try? JSONText.objectMembers(entry) else { throw fail("must be a JSON object") }
            var entryID = ""
            var event: ArraySlice<UInt8>?
            var contentType: String?
            var entryMetadata = metadata
            for (key, valueRange) in members {
                let raw = entry[valueRange]
                switch key {
                case "entryId":
                    guard case .string(let text)? = try? JSONValue(parsing: raw) else { throw fail("'entryId' must be a string") }
                    entryID = text
                case "event":
                    event = raw
                case "contentType":
                    guard case .string(let text)? = try? JSONValue(parsing: raw) else { throw fail("'contentType' must be a string") }
                    contentType = text.isEmpty ? nil : text
                case "metadata":
                    guard case .object(let object)? = try? JSONValue(parsing: raw) else { throw fail("'metadata' must be an object") }
                    for (name, value) in object { entryMetadata[name] = value.stringValue ?? value.jsonText }
                default:
                    continue
                }
            }
            guard let event else { throw fail("'event' is required") }
            let data: [UInt8]
            if event.first == UInt8(ascii: "\""), !(contentType.map { ContentType.isJSON($0) || ContentType.isCloudEvent($0) } ?? false),
               case .string(let text)? = try? JSONValue(parsing: event)
            {
                data = Array(text.utf8)
                if contentType == nil { contentType = "text/plain" }
            } else {
                data = Array(event)
                if contentType == nil { contentType = "application/json" }
            }
            entries.append(Publisher.BulkEntry(
                entryID: entryID,
                request: Publisher.Request(
                    pubsubName: pubsubName, topic: topic, data: data, contentType: contentType,
                    metadata: entryMetadata, traceParent: traceParent, traceState: traceState)))
        }
        return entries
    }
}

/// A bulk-publish body that is not an array of entries; the message says where and why.
public struct BulkPublishBodyError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String

    public init(message: String) {
        self.message = message
    }

    public var description: String { message }
}
