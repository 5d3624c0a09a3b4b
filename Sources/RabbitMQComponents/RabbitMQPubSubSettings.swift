import OutriggerCore

/// The metadata of a `pubsub.rabbitmq` component beyond the connection, with Dapr's names and
/// defaults (as daprd's component applies them).
///
/// | field | default | meaning |
/// |---|---|---|
/// | `consumerID` | the subscription's consumer group (the app id) | queue name prefix: `<consumerID>-<topic>` |
/// | `durable` | `true` | exchanges and queues survive a broker restart |
/// | `deletedWhenUnused` | `true` | exchanges and queues are auto-delete |
/// | `autoAck` | `false` | acknowledge on receipt: a failed message is not delivered again |
/// | `requeueInFailure` | `false` | accepted; a failed message is always requeued unless `enableDeadLetter` (see the docs) |
/// | `deliveryMode` | `0` | 0/1 transient, 2 persistent |
/// | `prefetchCount` | `0` | `basic.qos` per subscription; 0 = the subscription's concurrency |
/// | `publisherConfirm` | `true` (Dapr: `false`) | each publish returns once the broker confirmed it |
/// | `enableDeadLetter` | `false` | declare `dlx-<queue>` / `dlq-<queue>`; messages the pipeline gave up on go there |
/// | `maxLen`, `maxLenBytes` | — | `x-max-length`, `x-max-length-bytes` of every queue declared |
/// | `exchangeKind` | `fanout` | `fanout`, `topic`, `direct` or `headers` |
/// | `ttlInSeconds` | — | default per-message TTL (message `expiration`) |
/// | `reconnectWait` / `reconnectWaitSeconds` | `3s` | accepted; reconnects follow Outrigger's backoff (100 ms doubling to 10 s) |
/// | `concurrency` | `parallel` | `single` runs one handler at a time per subscription |
/// | `publishMessagePropertiesToMetadata` | `false` | message id, correlation id, type, content type and headers as `metadata.*` of delivered messages |
struct RabbitMQPubSubSettings: Sendable {
    static let exchangeKinds: Set<String> = ["fanout", "topic", "direct", "headers"]

    var connection: RabbitMQConnectionSettings
    var consumerID: String?
    var durable: Bool
    var deleteWhenUnused: Bool
    var autoAck: Bool
    var requeueInFailure: Bool
    var deliveryMode: UInt8
    var prefetchCount: Int
    var publisherConfirm: Bool
    var enableDeadLetter: Bool
    var maxLen: Int64
    var maxLenBytes: Int64
    var exchangeKind: String
    var defaultTTL: Duration?
    var singleConcurrency: Bool
    var publishMessagePropertiesToMetadata: Bool

    init(_ metadata: ComponentMetadata) throws(ComponentConfigurationError) {
        func invalid(_ field: String, _ reason: String) -> ComponentConfigurationError {
            ComponentConfigurationError(component: metadata.name, field: field, reason: reason)
        }
        connection = try RabbitMQConnectionSettings(metadata)
        consumerID = metadata["consumerID"].flatMap { $0.isEmpty ? nil : $0 }
        durable = try metadata.bool("durable", default: true)
        deleteWhenUnused = try metadata.bool("deletedWhenUnused", default: true)
        autoAck = try metadata.bool("autoAck", default: false)
        requeueInFailure = try metadata.bool("requeueInFailure", default: false)
        deliveryMode = UInt8(try metadata.int("deliveryMode", default: 0, in: 0...2))
        prefetchCount = try metadata.int("prefetchCount", default: 0, in: 0...255)
        publisherConfirm = try metadata.bool("publisherConfirm", default: true)
        enableDeadLetter = try metadata.bool("enableDeadLetter", default: false)
        maxLen = Int64(try metadata.int("maxLen", default: 0, in: 0...Int(Int64.max)))
        maxLenBytes = Int64(try metadata.int("maxLenBytes", default: 0, in: 0...Int(Int64.max)))
        exchangeKind = metadata.string("exchangeKind", default: "fanout").lowercased()
        guard Self.exchangeKinds.contains(exchangeKind) else {
            throw invalid("exchangeKind", "must be fanout, topic, direct or headers, got '\(exchangeKind)'")
        }
        if let seconds = metadata["ttlInSeconds"], !seconds.isEmpty {
            let value = try metadata.int("ttlInSeconds", default: 0, in: 0...Int(Int32.max))
            defaultTTL = value > 0 ? .seconds(value) : nil
            _ = seconds
        }
        for field in ["reconnectWait", "reconnectWaitSeconds"] {
            let wait = try metadata.duration(field, default: .seconds(3))
            guard wait >= .zero else { throw invalid(field, "must not be negative") }
        }
        let concurrency = metadata.string("concurrency", default: "parallel").lowercased()
        guard concurrency == "parallel" || concurrency == "single" else {
            throw invalid("concurrency", "must be single or parallel, got '\(concurrency)'")
        }
        singleConcurrency = concurrency == "single"
        publishMessagePropertiesToMetadata = try metadata.bool("publishMessagePropertiesToMetadata", default: false)
    }
}
