import KafkaClient
import OutriggerCore

/// The metadata of `pubsub.kafka` and `bindings.kafka`, with Dapr's names and defaults, and how
/// each maps to librdkafka (docs/components/pubsub.kafka.md has the full table).
///
/// | field | default | librdkafka |
/// |---|---|---|
/// | `brokers` | required | `bootstrap.servers` |
/// | `consumerGroup` | `consumerID`, else the app id | `group.id` |
/// | `clientID` | `sarama` | `client.id` |
/// | `initialOffset` | `newest` | start of a partition the group has no offset for |
/// | `maxMessageBytes` | librdkafka's 1000000 | `message.max.bytes` |
/// | `compression` | `none` | `compression.codec` |
/// | `producerRequiredAcks` | `all` | `acks` (all / 1 / 0); `all` also turns on the idempotent producer |
/// | `producerRetryMax` | `5` | `message.send.max.retries` |
/// | — | — | `linger.ms` 0, `partitioner` fnv1a_random (Sarama's hash), `message.timeout.ms` 30000 |
/// | `sessionTimeout`, `heartbeatInterval` | `10s`, `3s` | `session.timeout.ms`, `heartbeat.interval.ms` |
/// | `consumerFetchMin`, `consumerFetchDefault` | `1`, `1048576` | `fetch.min.bytes`, `fetch.message.max.bytes` |
/// | `consumerFetchMaxWait` (Outrigger) | `500ms` | `fetch.wait.max.ms` |
/// | `channelBufferSize` | `256` | records read ahead per subscription |
/// | `consumerGroupRebalanceStrategy` | `range` | `partition.assignment.strategy` (`sticky` = `cooperative-sticky`) |
/// | `consumeRetryEnabled` | pub/sub `true`, binding `false` | failed events redelivered (true) or logged and skipped |
/// | `escapeHeaders` | `false` | delivered key and header values URL-query-escaped |
/// | `drainTimeout` (Outrigger) | `5s` | how long a revoked partition waits for its events in flight |
/// | `version` | accepted | librdkafka negotiates protocol versions itself |
///
/// Security: ``KafkaSecurity``.
struct KafkaSettings: Sendable {
    enum InitialOffset: String, Sendable { case newest, oldest }

    var brokers: [String]
    var consumerGroup: String?
    var clientID: String
    var initialOffset: InitialOffset
    var maxMessageBytes: Int
    var compression: String
    var requiredAcks: String
    var retryMax: Int
    var sessionTimeout: Duration
    var heartbeatInterval: Duration
    var fetchMin: Int
    var fetchDefault: Int
    var fetchMaxWait: Duration
    var readAhead: Int
    var rebalanceStrategy: String
    var consumeRetryEnabled: Bool
    var escapeHeaders: Bool
    var drainTimeout: Duration
    var security: KafkaSecurity

    init(_ metadata: ComponentMetadata, consumeRetryDefault: Bool) throws(ComponentConfigurationError) {
        func invalid(_ field: String, _ reason: String) -> ComponentConfigurationError {
            ComponentConfigurationError(component: metadata.name, field: field, reason: reason)
        }
        brokers = try metadata.required("brokers").split(separator: ",").map { String($0.filter { $0 != " " }) }.filter { !$0.isEmpty }
        guard !brokers.isEmpty else { throw invalid("brokers", "is required") }
        let group = metadata["consumerGroup"].flatMap { $0.isEmpty ? nil : $0 } ?? metadata["consumerID"].flatMap { $0.isEmpty ? nil : $0 }
        consumerGroup = group
        clientID = metadata.string("clientID", default: "sarama")
        let offset = metadata.string("initialOffset", default: "newest").lowercased()
        guard let initialOffset = InitialOffset(rawValue: offset) else { throw invalid("initialOffset", "must be newest or oldest, got '\(offset)'") }
        self.initialOffset = initialOffset
        maxMessageBytes = try metadata.int("maxMessageBytes", default: 0, in: 0...1_000_000_000)
        compression = metadata.string("compression", default: "none").lowercased()
        guard ["none", "gzip", "snappy", "lz4", "zstd"].contains(compression) else {
            throw invalid("compression", "must be none, gzip, snappy, lz4 or zstd, got '\(compression)'")
        }
        let acks = metadata.string("producerRequiredAcks", default: "all").lowercased()
        guard let mapped = ["all": "all", "local": "1", "none": "0"][acks] else {
            throw invalid("producerRequiredAcks", "must be all, local or none, got '\(acks)'")
        }
        requiredAcks = mapped
        retryMax = try metadata.int("producerRetryMax", default: 5, in: 0...1_000_000)
        sessionTimeout = try metadata.duration("sessionTimeout", default: .seconds(10))
        heartbeatInterval = try metadata.duration("heartbeatInterval", default: .seconds(3))
        guard sessionTimeout > .zero else { throw invalid("sessionTimeout", "must be positive") }
        guard heartbeatInterval > .zero, heartbeatInterval < sessionTimeout else { throw invalid("heartbeatInterval", "must be positive and below sessionTimeout") }
        fetchMin = try metadata.int("consumerFetchMin", default: 1, in: 1...Int(Int32.max))
        fetchDefault = try metadata.int("consumerFetchDefault", default: 1024 * 1024, in: 1...Int(Int32.max))
        fetchMaxWait = try metadata.duration("consumerFetchMaxWait", default: .milliseconds(500), bareUnit: .milliseconds(1))
        guard fetchMaxWait >= .zero else { throw invalid("consumerFetchMaxWait", "must not be negative") }
        readAhead = try metadata.int("channelBufferSize", default: 256, in: 1...1_000_000)
        switch metadata.string("consumerGroupRebalanceStrategy", default: "range").lowercased() {
        case "sticky": rebalanceStrategy = "cooperative-sticky"
        case "roundrobin": rebalanceStrategy = "roundrobin"
        default: rebalanceStrategy = "range"  // Dapr falls back to range for unknown names too
        }
        consumeRetryEnabled = try metadata.bool("consumeRetryEnabled", default: consumeRetryDefault)
        escapeHeaders = try metadata.bool("escapeHeaders", default: false)
        drainTimeout = try metadata.duration("drainTimeout", default: .seconds(5))
        if let version = metadata["version"], !version.isEmpty,
           !version.split(separator: ".").allSatisfy({ Int($0) != nil }) {
            throw invalid("version", "must be a Kafka version like 2.0.0.0, got '\(version)'")
        }
        security = try KafkaSecurity(metadata)
    }

    /// Properties producers and consumers share: brokers, client id, security.
    var commonConfiguration: KafkaConfiguration {
        var configuration = KafkaConfiguration()
        configuration["bootstrap.servers"] = brokers.joined(separator: ",")
        configuration["client.id"] = clientID
        for (key, value) in security.properties { configuration[key] = value }
        return configuration
    }

    /// The producer: batched, idempotent when every replica must acknowledge,
    /// partitioning keys with FNV-1a like daprd's Sarama producer so both put a key on the
    /// same partition.
    var producerConfiguration: KafkaConfiguration {
        var configuration = commonConfiguration
        configuration["acks"] = requiredAcks
        configuration["enable.idempotence"] = requiredAcks == "all" && retryMax > 0 ? "true" : "false"
        configuration["message.send.max.retries"] = String(retryMax)
        // Every publish waits for its own delivery report, so a linger would be added to each
        // call's latency (5 ms caps 50 concurrent callers at ~9,000/s). Without it librdkafka
        // still batches: records queued while a request is in flight go out together.
        configuration["linger.ms"] = "0"
        configuration["partitioner"] = "fnv1a_random"
        configuration["compression.codec"] = compression
        // Sarama waits 30 s per request at most; a publish fails rather than hanging for minutes.
        configuration["message.timeout.ms"] = "30000"
        if maxMessageBytes > 0 { configuration["message.max.bytes"] = String(max(maxMessageBytes, 1000)) }
        return configuration
    }

    /// A consumer of `group`.
    func consumerConfiguration(group: String) -> KafkaConfiguration {
        var configuration = commonConfiguration
        configuration["group.id"] = group
        configuration["session.timeout.ms"] = String(Self.milliseconds(sessionTimeout))
        configuration["heartbeat.interval.ms"] = String(Self.milliseconds(heartbeatInterval))
        configuration["partition.assignment.strategy"] = rebalanceStrategy
        configuration["fetch.min.bytes"] = String(fetchMin)
        configuration["fetch.message.max.bytes"] = String(fetchDefault)
        configuration["fetch.wait.max.ms"] = String(Self.milliseconds(fetchMaxWait))
        configuration["auto.offset.reset"] = initialOffset == .newest ? "latest" : "earliest"
        configuration["auto.commit.interval.ms"] = "1000"
        // Like Sarama, subscribing creates a missing topic where the brokers allow it.
        configuration["allow.auto.create.topics"] = "true"
        return configuration
    }

    var startPosition: KafkaConsumer.StartPosition { initialOffset == .newest ? .end : .beginning }

    static func milliseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }
}
