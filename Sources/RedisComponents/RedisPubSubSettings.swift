import OutriggerCore

/// The stream metadata of a `pubsub.redis` component, with Dapr's names and defaults.
///
/// | field | default | meaning |
/// |---|---|---|
/// | `consumerID` | the subscription's consumer group (the app id) | the consumer group, and the consumer name within it |
/// | `processingTimeout` | `60s` | how long an entry stays pending before it is delivered again; `0` disables redelivery; a bare number is milliseconds |
/// | `redeliverInterval` | `15s` | how often pending entries are looked for; `0` disables redelivery; a bare number is milliseconds |
/// | `queueDepth` | `100` | the most entries one read asks for |
/// | `concurrency` | `10` | handlers running at once per subscription (at most the subscription's `maxConcurrency`) |
/// | `maxLenApprox` | unlimited | `XADD ... MAXLEN ~ n` |
/// | `streamTTL` | none | `XADD ... MINID ~ (now - streamTTL)`; Go duration, `Nd` days, or a bare number of seconds; ignored when `maxLenApprox` is set |
struct RedisPubSubSettings: Sendable {
    var connection: RedisConnectionSettings
    /// `nil`: the subscription's consumer group.
    var consumerID: String?
    var processingTimeout: Duration
    var redeliverInterval: Duration
    var queueDepth: Int
    var concurrency: Int
    var maxLenApprox: Int
    var streamTTL: Duration

    /// Whether failed and abandoned entries are ever delivered again.
    var redeliveryEnabled: Bool { processingTimeout > .zero && redeliverInterval > .zero }

    init(_ metadata: ComponentMetadata) throws(ComponentConfigurationError) {
        func invalid(_ field: String, _ reason: String) -> ComponentConfigurationError {
            ComponentConfigurationError(component: metadata.name, field: field, reason: reason)
        }
        connection = try RedisConnectionSettings(metadata)
        consumerID = metadata["consumerID"].flatMap { $0.isEmpty ? nil : $0 }
        // For historical reasons Dapr reads a bare number here as milliseconds.
        processingTimeout = try metadata.duration("processingTimeout", default: .seconds(60), bareUnit: .milliseconds(1))
        redeliverInterval = try metadata.duration("redeliverInterval", default: .seconds(15), bareUnit: .milliseconds(1))
        guard processingTimeout >= .zero else { throw invalid("processingTimeout", "must not be negative") }
        guard redeliverInterval >= .zero else { throw invalid("redeliverInterval", "must not be negative") }
        queueDepth = try metadata.int("queueDepth", default: 100, in: 1...100_000)
        concurrency = try metadata.int("concurrency", default: 10, in: 1...100_000)
        maxLenApprox = try metadata.int("maxLenApprox", default: 0, in: 0...Int(Int64.max))
        if let days = try Self.days(metadata, "streamTTL") {
            streamTTL = days
        } else {
            streamTTL = try metadata.duration("streamTTL", default: .zero)
        }
        guard streamTTL >= .zero else { throw invalid("streamTTL", "must not be negative") }
    }

    /// As with Dapr, `maxLenApprox` wins when both ways of trimming are set (logged at start).
    var trimsBothWays: Bool { maxLenApprox > 0 && streamTTL > .zero }

    /// `30d`: whole days, which Dapr's documentation uses for `streamTTL`.
    private static func days(_ metadata: ComponentMetadata, _ field: String) throws(ComponentConfigurationError) -> Duration? {
        guard let text = metadata[field], text.hasSuffix("d"), let days = Int(text.dropLast()) else { return nil }
        guard days >= 0 else { throw ComponentConfigurationError(component: metadata.name, field: field, reason: "must not be negative") }
        return .seconds(days * 86_400)
    }
}
