import CloudEvents

/// The body of `POST /v1.0-alpha1/publish/bulk/{pubsub}/{topic}`:
/// `[{"entryId", "event", "contentType", "metadata"}]`.
///
/// `event` is taken as raw JSON text when the entry's content type is JSON or a CloudEvent (or
/// when it is not a JSON string); a JSON string `event` with any other content type publishes the
/// string's bytes, as Dapr does. Without `contentType`, a string `event` is `text/plain` and any
/// other `application/json`. Unknown members are checked as JSON and ignored.
///
/// One pass over the body: each entry's data is a slice of `body` (no copy, except a string
/// `event` with escapes, which is decoded), equal content types share one string, and an entry
/// without `metadata` shares the request's dictionary.
public enum BulkPublishBody {
    /// The entries of `body`, each with `metadata` (the request's) under its own; throws
    /// ``BulkPublishBodyError`` (Dapr answers 400 `ERR_PUBSUB_EVENTS_SER`) when the body is not
    /// JSON or not an array of entries.
    public static func parse(_ body: [UInt8], metadata: [String: String]) throws(BulkPublishBodyError) -> [Publisher.BulkEntry] {
        let result = body.withUnsafeBufferPointer { buffer in
            Result { () throws(BulkPublishBodyError) in
                var reader = BulkEntryReader(body: body, buffer: buffer, metadata: metadata)
                return try reader.entries()
            }
        }
        return try result.get()
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

/// The cursor and per-body caches of one ``BulkPublishBody/parse(_:metadata:)``.
private struct BulkEntryReader {
    let body: [UInt8]
    let buffer: UnsafeBufferPointer<UInt8>
    let metadata: [String: String]
    var reader: JSONReader
    /// The last `contentType` read: its raw text, its string, and whether it is a JSON or
    /// CloudEvent type (the two under which a string `event` stays JSON).
    var lastContentType: (raw: Range<Int>, text: String, keepsStrings: Bool)?

    init(body: [UInt8], buffer: UnsafeBufferPointer<UInt8>, metadata: [String: String]) {
        self.body = body
        self.buffer = buffer
        self.metadata = metadata
        reader = JSONReader(buffer)
    }

    mutating func entries() throws(BulkPublishBodyError) -> [Publisher.BulkEntry] {
        var entries: [Publisher.BulkEntry] = []
        do {
            if try reader.openArray() {
                repeat {
                    entries.append(try entry(index: entries.count))
                } while try !reader.closeOrContinueArray()
            }
            try reader.expectEnd()
        } catch let error as BulkPublishBodyError {
            throw error
        } catch {
            throw BulkPublishBodyError(message: "the body must be a JSON array of entries: \(error)")
        }
        return entries
    }

    /// Reads one entry; a JSON syntax error is thrown as `JSONParseError`, a well-formed entry
    /// of the wrong shape as `BulkPublishBodyError`.
    private mutating func entry(index: Int) throws -> Publisher.BulkEntry {
        func fail(_ text: String) -> BulkPublishBodyError { BulkPublishBodyError(message: "entry \(index): \(text)") }
        guard try reader.peek() == UInt8(ascii: "{") else { throw fail("must be a JSON object") }
        var entryID = ""
        var event: Range<Int>?
        var contentType: String?
        var keepsStrings = false
        var entryMetadata = metadata
        if try reader.openObject() {
            repeat {
                let key = try reader.readKey()
                switch member(key) {
                case .entryID:
                    guard let text = try reader.readStringContent() else { throw fail("'entryId' must be a string") }
                    entryID = reader.string(text)
                case .event:
                    event = try reader.skipValue()
                case .contentType:
                    guard let text = try reader.readStringContent() else { throw fail("'contentType' must be a string") }
                    (contentType, keepsStrings) = self.contentType(text)
                case .metadata:
                    guard try reader.peek() == UInt8(ascii: "{") else { throw fail("'metadata' must be an object") }
                    let range = try reader.skipValue()
                    guard case .object(let object) = try JSONValue(parsing: body[range]) else { throw fail("'metadata' must be an object") }
                    for (name, value) in object { entryMetadata[name] = value.stringValue ?? value.jsonText }
                case nil:
                    _ = try reader.skipValue()
                }
            } while try !reader.closeOrContinueObject()
        }
        guard let event else { throw fail("'event' is required") }
        if buffer[event.lowerBound] == UInt8(ascii: "\""), !keepsStrings {
            let content = event.lowerBound + 1..<event.upperBound - 1
            let escaped = body[content].contains(UInt8(ascii: "\\"))
            let data = escaped ? Array(reader.string((content, true)).utf8)[...] : body[content]
            return Publisher.BulkEntry(entryID: entryID, data: data, contentType: contentType ?? "text/plain", metadata: entryMetadata)
        }
        var entry = Publisher.BulkEntry(entryID: entryID, data: body[event], contentType: contentType ?? ContentType.json, metadata: entryMetadata)
        entry.dataIsJSONValue = true
        return entry
    }

    private enum Member { case entryID, event, contentType, metadata }

    private func member(_ key: (content: Range<Int>, escaped: Bool)) -> Member? {
        if key.escaped {
            switch reader.string(key) {
            case "entryId": return .entryID
            case "event": return .event
            case "contentType": return .contentType
            case "metadata": return .metadata
            default: return nil
            }
        }
        if reader.bytes(key.content, equal: "event") { return .event }
        if reader.bytes(key.content, equal: "entryId") { return .entryID }
        if reader.bytes(key.content, equal: "contentType") { return .contentType }
        if reader.bytes(key.content, equal: "metadata") { return .metadata }
        return nil
    }

    /// The content type (nil when empty) and whether a string `event` stays JSON under it; the
    /// string of the previous entry when the raw text is the same.
    private mutating func contentType(_ text: (content: Range<Int>, escaped: Bool)) -> (String?, Bool) {
        guard !text.content.isEmpty else { return (nil, false) }
        if let last = lastContentType, !text.escaped, body[last.raw].elementsEqual(body[text.content]) {
            return (last.text, last.keepsStrings)
        }
        let string = reader.string(text)
        let keepsStrings = ContentType.isJSON(string) || ContentType.isCloudEvent(string)
        if !text.escaped { lastContentType = (text.content, string, keepsStrings) }
        return (string, keepsStrings)
    }
}
