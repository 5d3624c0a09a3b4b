import KafkaClient
import OutriggerCore

/// The record layout of daprd's Kafka components, so that daprd and Outrigger share topics in
/// both directions and a plain Kafka producer's records reach the app.
///
/// - **Produce**: the value is the published bytes as they are (the CloudEvent JSON, or the raw
///   payload); `partitionKey` (or `__key`) becomes the record key, `partitionNumber` the
///   partition; every metadata entry, those included, also becomes a header, as daprd writes.
/// - **Consume**: the value is delivered as it is (a record without a value as `null`, like
///   daprd); metadata gets `__key` (when the record has one), `__offset`, `__topic`,
///   `__partition`, `__timestamp` (Unix milliseconds) and every header as text, a later
///   header overriding an earlier one of the same name. With `escapeHeaders` the key and
///   header values are URL-query-escaped.
enum DaprKafkaRecord {
    static let partitionKey = "partitionKey"
    static let keyMetadata = "__key"
    static let partitionNumber = "partitionNumber"

    /// A publish metadata value that cannot be a partition number.
    struct InvalidPartitionNumber: Error, CustomStringConvertible {
        var value: String
        var description: String { "invalid partitionNumber metadata value '\(value)': must be a non-negative 32-bit integer" }
    }

    /// The record that carries `data` with `metadata` to `topic`.
    static func record(topic: String, data: [UInt8], metadata: [String: String]) throws(InvalidPartitionNumber) -> KafkaProducerRecord {
        var record = KafkaProducerRecord(topic: topic, value: data)
        // Sorted, so that a record's headers do not depend on dictionary order.
        for (name, value) in metadata.sorted(by: { $0.key < $1.key }) {
            switch name {
            case partitionKey, keyMetadata:
                record.key = Array(value.utf8)
            case partitionNumber:
                guard let number = Int32(value), number >= 0 else { throw InvalidPartitionNumber(value: value) }
                record.partition = number
            default:
                break
            }
            record.headers.append(KafkaHeader(name: name, value: Array(value.utf8)))
        }
        return record
    }

    /// The metadata delivered with `record`.
    static func metadata(of record: KafkaRecord, escapeHeaders: Bool) -> [String: String] {
        func text(_ bytes: [UInt8]) -> String {
            let value = String(decoding: bytes, as: UTF8.self)
            return escapeHeaders ? GoQueryEscape.escape(value) : value
        }
        var metadata: [String: String] = [
            "__offset": String(record.offset),
            "__topic": record.topic,
            "__partition": String(record.partition),
        ]
        if let key = record.key { metadata[keyMetadata] = text(key) }
        if let timestamp = record.timestamp { metadata["__timestamp"] = String(timestamp) }
        for header in record.headers { metadata[header.name] = text(header.value ?? []) }
        return metadata
    }

    /// The delivered bytes: the value, or `null` for a record without one.
    static func data(of record: KafkaRecord) -> [UInt8] {
        record.value ?? Array("null".utf8)
    }
}
