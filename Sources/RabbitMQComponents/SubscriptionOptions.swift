import AMQPClient
import OutriggerCore

/// What one subscription declares, from the component's settings and the subscription's
/// metadata, exactly as daprd's component declares it:
///
/// - exchange `<topic>` of `exchangeKind` (`durable`, auto-delete = `deletedWhenUnused`);
/// - with `enableDeadLetter`: exchange `dlx-<queue>` (fanout, durable) and queue `dlq-<queue>`
///   (durable, `x-queue-mode: lazy`) bound to it, and `x-dead-letter-exchange: dlx-<queue>`
///   on the queue;
/// - queue `queueName`, else `<consumerID>-<topic>`, with `x-max-length(-bytes)` from the
///   component (overridden by the subscription's `maxLen`/`maxLenBytes`), `x-max-priority`
///   from `maxPriority`, `x-queue-type` from `queueType` (`classic` or `quorum`; default
///   classic), `x-single-active-consumer` from `singleActiveConsumer`;
/// - one binding per comma-separated `routingKey` (one with the empty key when there is none).
struct SubscriptionOptions: Sendable {
    var topic: String
    var queue: String
    var queueArguments: AMQPTable
    var routingKeys: [String]
    var deadLetter: (exchange: String, queue: String, arguments: AMQPTable)?

    init(topic: String, metadata: [String: String], consumer: String, settings: RabbitMQPubSubSettings) throws(RequestMetadataError) {
        let metadata = RequestMetadata(metadata)
        self.topic = topic
        queue = metadata["queueName"] ?? "\(consumer)-\(topic)"
        var arguments: AMQPTable = []
        func set(_ key: String, _ value: AMQPFieldValue) {
            arguments.removeAll { $0.key == key }
            arguments.append((key, value))
        }
        if settings.enableDeadLetter {
            let exchange = "dlx-\(queue)"
            var deadArguments: AMQPTable = []
            if settings.maxLen > 0 { deadArguments.append(("x-max-length", .int64(settings.maxLen))) }
            if settings.maxLenBytes > 0 { deadArguments.append(("x-max-length-bytes", .int64(settings.maxLenBytes))) }
            deadArguments.append(("x-queue-mode", .string("lazy")))
            deadLetter = (exchange, "dlq-\(queue)", deadArguments)
            set("x-dead-letter-exchange", .string(exchange))
        }
        if settings.maxLen > 0 { set("x-max-length", .int64(settings.maxLen)) }
        if settings.maxLenBytes > 0 { set("x-max-length-bytes", .int64(settings.maxLenBytes)) }
        if let text = metadata["maxPriority"] {
            guard let value = UInt64(text) else { throw RequestMetadataError("maxPriority must be a whole number, got '\(text)'") }
            set("x-max-priority", .uint8(UInt8(clamping: value)))
        }
        let queueType = metadata["queueType"] ?? "classic"
        guard queueType == "classic" || queueType == "quorum" else {
            throw RequestMetadataError("invalid queue type \(queueType). Valid types are classic and quorum")
        }
        set("x-queue-type", .string(queueType))
        if let text = metadata["singleActiveConsumer"], ["true", "1", "yes", "on", "y"].contains(text.lowercased()) {
            set("x-single-active-consumer", .bool(true))
        }
        for (field, key) in [("maxLenBytes", "x-max-length-bytes"), ("maxLen", "x-max-length")] {
            guard let text = metadata[field] else { continue }
            guard let value = Int64(text), value >= 0 else { throw RequestMetadataError("\(field) must be a whole, non-negative number, got '\(text)'") }
            set(key, .int64(value))
        }
        queueArguments = arguments
        routingKeys = (metadata["routingKey"] ?? "").split(separator: ",", omittingEmptySubsequences: false).map(String.init)
    }
}
