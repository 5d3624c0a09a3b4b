import NATSClient
import OutriggerCore

/// The metadata of a `pubsub.jetstream` component, with Dapr's names and defaults (see
/// docs/components/pubsub.jetstream.md for every field).
struct JetStreamSettings: Sendable {
    var connection: NATSConnectionOptions
    /// The stream to bind to (created, or extended by the topic's subject, when needed);
    /// `nil`: the stream that captures the topic's subject.
    var streamName: String?
    var durableName: String?
    var queueGroupName: String?
    var deliverPolicy: ConsumerConfiguration.DeliverPolicy
    var ackPolicy: ConsumerConfiguration.AckPolicy
    var ackWait: Duration?
    var maxDeliver: Int?
    var backOff: [Duration]
    var maxAckPending: Int?
    var replicas: Int?
    var memoryStorage: Bool
    /// `single` (one message at a time per subscription) or `nil` (the subscription's
    /// `maxConcurrency`).
    var singleConcurrency: Bool
    /// Push-consumer options a pull consumer has no use for; read so that they are checked.
    var ignoredPushOptions: [String]

    init(_ metadata: ComponentMetadata) throws(ComponentConfigurationError) {
        let invalid = { (field: String, reason: String) in ComponentConfigurationError(component: metadata.name, field: field, reason: reason) }
        func optional(_ field: String) -> String? {
            guard let value = metadata[field]?.trimmingCharacters(in: " "), !value.isEmpty else { return nil }
            return String(value)
        }
        let url = try metadata.required("natsURL")
        let jwt = optional("jwt")
        let seed = optional("seedKey")
        let token = optional("token")
        var credentials = NATSConnectionOptions.Credentials.none
        switch (jwt, seed) {
        case (let jwt?, let seed?): credentials = .userJWT(jwt: jwt, seed: seed)
        case (_?, nil): throw invalid("seedKey", "is required when jwt is set")
        case (nil, _?): throw invalid("jwt", "is required when seedKey is set")
        case (nil, nil): if let token { credentials = .token(token) }
        }
        let certificate = optional("tls_client_cert")
        let key = optional("tls_client_key")
        if certificate != nil && key == nil { throw invalid("tls_client_key", "is required when tls_client_cert is set") }
        if certificate == nil && key != nil { throw invalid("tls_client_cert", "is required when tls_client_key is set") }
        connection = NATSConnectionOptions(
            url: url, name: metadata.string("name", default: "dapr.io - pubsub.jetstream"), credentials: credentials,
            tlsClientCertificateFile: certificate, tlsClientKeyFile: key, domain: optional("domain"), apiPrefix: optional("apiPrefix"))

        streamName = optional("streamName")
        durableName = optional("durableName")
        queueGroupName = optional("queueGroupName")
        for field in ["streamName", "durableName", "queueGroupName"] {
            if let value = optional(field), value.contains(where: { ".*> \t".contains($0) }) {
                throw invalid(field, "must not contain '.', '*', '>' or whitespace, got '\(value)'")
            }
        }
        deliverPolicy = try Self.deliverPolicy(metadata)
        switch optional("ackPolicy")?.lowercased() {
        case nil, "explicit": ackPolicy = .explicit
        case "all": ackPolicy = .all
        case "none": ackPolicy = .none
        case let other?: throw invalid("ackPolicy", "must be one of explicit, all, none, got '\(other)'")
        }
        let wait = try metadata.duration("ackWait", default: .zero)
        guard wait >= .zero else { throw invalid("ackWait", "must not be negative") }
        ackWait = wait > .zero ? wait : nil
        let deliver = try metadata.int("maxDeliver", default: 0, in: -1...Int(Int32.max))
        maxDeliver = deliver != 0 ? deliver : nil
        backOff = try Self.durations(metadata, "backOff")
        let pending = try metadata.int("maxAckPending", default: 0, in: -1...Int(Int32.max))
        maxAckPending = pending != 0 ? pending : nil
        let replicaCount = try metadata.int("replicas", default: 0, in: 0...5)
        replicas = replicaCount > 0 ? replicaCount : nil
        memoryStorage = try metadata.bool("memoryStorage", default: false)
        switch optional("concurrency")?.lowercased() {
        case nil, "parallel": singleConcurrency = false
        case "single": singleConcurrency = true
        case let other?: throw invalid("concurrency", "must be single or parallel, got '\(other)'")
        }
        var ignored: [String] = []
        if try metadata.bool("flowControl", default: false) { ignored.append("flowControl") }
        if try metadata.duration("heartbeat", default: .zero) > .zero { ignored.append("heartbeat") }
        if try metadata.int("rateLimit", default: 0, in: 0...Int.max) > 0 { ignored.append("rateLimit") }
        ignoredPushOptions = ignored
    }

    /// `deliverPolicy` (all, last, new, sequence, time) with `startSequence` / `startTime`,
    /// and NATS Streaming's `deliverAll` / `deliverNew` as other ways to say all / new.
    private static func deliverPolicy(_ metadata: ComponentMetadata) throws(ComponentConfigurationError) -> ConsumerConfiguration.DeliverPolicy {
        let invalid = { (field: String, reason: String) in ComponentConfigurationError(component: metadata.name, field: field, reason: reason) }
        let sequenceText = metadata["startSequence"].map { String($0.trimmingCharacters(in: " ")) } ?? ""
        let sequence = sequenceText.isEmpty ? 0 : UInt64(sequenceText)
        guard let sequence else { throw invalid("startSequence", "must be a non-negative integer, got '\(sequenceText)'") }
        let timeText = metadata["startTime"].map { String($0.trimmingCharacters(in: " ")) } ?? ""
        let startTime = timeText.isEmpty ? 0 : Int64(timeText)
        guard let startTime, startTime >= 0 else { throw invalid("startTime", "must be Unix seconds, got '\(timeText)'") }
        let all = try metadata.bool("deliverAll", default: false)
        let new = try metadata.bool("deliverNew", default: false)
        if all && new { throw invalid("deliverNew", "cannot be true together with deliverAll") }
        let policy = metadata["deliverPolicy"].map { String($0.trimmingCharacters(in: " ")).lowercased() } ?? ""
        switch policy {
        case "":
            if new { return .new }
            if all { return .all }
            if sequence > 0 { return .startSequence(sequence) }
            if startTime > 0 { return .startTime(nanosecondsSinceEpoch: startTime * 1_000_000_000) }
            return .all
        case "all": return .all
        case "last": return .last
        case "new": return .new
        case "sequence":
            guard sequence > 0 else { throw invalid("startSequence", "is required (above 0) with deliverPolicy sequence") }
            return .startSequence(sequence)
        case "time":
            guard startTime > 0 else { throw invalid("startTime", "is required with deliverPolicy time") }
            return .startTime(nanosecondsSinceEpoch: startTime * 1_000_000_000)
        default:
            throw invalid("deliverPolicy", "must be one of all, last, new, sequence, time, got '\(policy)'")
        }
    }

    /// A list of Go durations: `50ms, 1s, 10s` or `[50ms, 1s, 10s]`.
    private static func durations(_ metadata: ComponentMetadata, _ field: String) throws(ComponentConfigurationError) -> [Duration] {
        guard var text = metadata[field].map({ String($0.trimmingCharacters(in: " ")) }), !text.isEmpty else { return [] }
        if text.hasPrefix("[") && text.hasSuffix("]") { text = String(text.dropFirst().dropLast()) }
        var result: [Duration] = []
        for part in text.split(separator: ",") {
            let item = String(String(String(part).trimmingCharacters(in: " ")).trimmingCharacters(in: Character("\"")))
            guard !item.isEmpty else { continue }
            guard let duration = try? GoDuration.parse(item), duration > .zero else {
                throw ComponentConfigurationError(
                    component: metadata.name, field: field, reason: "must be a list of positive durations like '50ms, 1s, 10s', got '\(item)'")
            }
            result.append(duration)
        }
        return result
    }

    /// The durable consumer a subscription of `topic` for `consumerGroup` reads: `durableName`
    /// when set (shared by every subscriber, as with Dapr), else `queueGroupName` or the
    /// consumer group (the app id) joined with the topic, so that the app's instances compete.
    func consumerName(topic: String, consumerGroup: String) -> String {
        if let durableName { return durableName }
        return Self.sanitized("\(queueGroupName ?? consumerGroup)-\(topic)")
    }

    /// `name` with the characters a consumer name cannot have replaced by `_`.
    static func sanitized(_ name: String) -> String {
        String(name.map { ".*> \t/\\".contains($0) ? "_" : $0 })
    }

    /// The consumer for `topic` and `consumerGroup`, configured from the metadata.
    func consumer(topic: String, consumerGroup: String) -> ConsumerConfiguration {
        ConsumerConfiguration(
            durableName: consumerName(topic: topic, consumerGroup: consumerGroup), description: "outrigger pubsub.jetstream: \(topic)",
            filterSubject: topic, deliverPolicy: deliverPolicy, ackPolicy: ackPolicy, ackWait: ackWait, maxDeliver: maxDeliver,
            backOff: backOff, maxAckPending: maxAckPending, replicas: replicas, memoryStorage: memoryStorage)
    }
}
