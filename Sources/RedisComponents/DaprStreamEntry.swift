import CloudEvents
import OutriggerCore
import RedisClient

/// The stream entry layout of daprd's Redis pub/sub, so that daprd and Outrigger can publish
/// to and consume from the same stream.
///
/// - `data`: the message bytes as published (the CloudEvent JSON, or the raw payload).
/// - `metadata`: the publish request metadata as a JSON object of strings, written the way Go's
///   `encoding/json` writes a `map[string]string`: keys sorted, no spaces, `<`, `>` and `&`
///   escaped as `\u003c` etc. daprd writes `{}` for a publish without metadata over HTTP and
///   leaves the field out over gRPC; both read back as no metadata.
///
/// On delivery the metadata becomes ``IncomingMessage/metadata``; a field that is missing or
/// not a JSON object of strings gives no metadata (daprd logs and goes on alike).
enum DaprStreamEntry {
    static let dataField = "data"
    static let metadataField = "metadata"

    /// The fields of the entry that carries `message`.
    static func fields(for message: OutgoingMessage) -> [RedisStreamField] {
        [RedisStreamField(dataField, message.data), RedisStreamField(metadataField, GoJSON.object(message.metadata))]
    }

    /// The message an entry of `stream` carries.
    static func message(from entry: RedisStreamEntry, stream: String) -> IncomingMessage {
        IncomingMessage(topic: stream, data: entry[dataField] ?? [], metadata: metadata(entry[metadataField]))
    }

    static func metadata(_ bytes: [UInt8]?) -> [String: String] {
        guard let bytes, !bytes.isEmpty, let object = (try? JSONValue(parsing: bytes))?.objectValue else { return [:] }
        var metadata: [String: String] = [:]
        for (key, value) in object {
            if let text = value.stringValue { metadata[key] = text }
        }
        return metadata
    }
}
