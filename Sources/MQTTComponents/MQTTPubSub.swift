import Logging
import MQTTClient
import OutriggerCore
import Synchronization

/// `pubsub.mqtt3`: MQTT 3.1.1 on libmosquitto, on the wire as daprd's component of the same
/// type: a message is the published bytes as they are (the CloudEvent JSON, or the app's bytes
/// with `rawPayload`), on the topic named as it is; subscriptions may use `+` and `#`, and
/// `$share/<group>/<topic>` where the broker has shared subscriptions.
///
/// - **Publish**: QoS `qos` (default 1) with `retain` (publish metadata `retain` overrides),
///   returned once the broker sent its PUBACK. Fails at once, retriable, while disconnected.
///   After a reconnect (a broker restart drops every connection), a publish waits until this
///   component's subscriptions matching its topic are granted again by the broker it
///   publishes to, at most 10 s, then fails retriable unsent (``LiveSubscriptions``): a
///   restarted mosquitto 2.0.11 resumes sessions without their `$share/…` subscriptions.
/// - **Subscribe**: each subscription has its own connection and persistent session
///   (client id `<consumerID>-sub-<hash of group and topic>-<n>`), so one slow handler never
///   holds up another topic. A message is acknowledged (PUBACK) only after the handler
///   returned. MQTT 3.1.1 has no negative acknowledgement and libmosquitto 2.0.11 no manual
///   one: a handler that throws makes the component drop that subscription's connection
///   before its PUBACK is written and reconnect at once, and the broker sends the message
///   again on the resumed session. Messages of one subscription are handled one at a time, in
///   order.
/// - **sharedSubscriptions** (Outrigger's addition, default false): subscriptions become
///   `$share/<consumerGroup>/<topic>`, so the subscribers of one consumer group (replicas of
///   an app, each with its own `consumerID`) share the messages instead of each getting all.
///
/// Metadata: ``MQTTSettings``; what it can and cannot promise: docs/components/pubsub.mqtt3.md.
public final class MQTTPubSub: PubSub, PingableComponent, HealthReporting {
    /// `pubsub.mqtt3`.
    public static let descriptor = ComponentDescriptor(
        type: "pubsub.mqtt3",
        summary: "MQTT 3.1.1 (QoS 0-2, persistent sessions, PUBACK after the app answered, wildcards and $share groups), on libmosquitto"
    ) { metadata in
        try await MQTTPubSub.start(metadata: metadata)
    }

    /// The component's metadata, checked.
    public let settings: MQTTSettings
    /// Subscriptions use `$share/<consumerGroup>/<topic>`.
    public let sharedSubscriptions: Bool
    private let name: String
    private let tlsFiles: MQTTTLSFiles?
    private let publisher: MQTTPublisher
    private let slots = SessionSlots()
    private let subscriptions = LiveSubscriptions()
    private let clock: AnyClock
    private let logger: Logger

    /// Reads and checks the metadata without connecting; ``start(metadata:clock:)`` also connects.
    public init(metadata: ComponentMetadata, clock: AnyClock = .continuous) throws {
        settings = try MQTTSettings(metadata)
        sharedSubscriptions = try metadata.bool("sharedSubscriptions", default: false)
        name = metadata.name
        self.clock = clock
        var logger = Logger(label: "outrigger.pubsub.mqtt3")
        logger[metadataKey: "component"] = "\(metadata.name)"
        self.logger = logger
        tlsFiles = settings.useTLS ? try MQTTTLSFiles(caCert: settings.caCert, clientCert: settings.clientCert, clientKey: settings.clientKey) : nil
        publisher = MQTTPublisher(
            name: metadata.name, configuration: settings.configuration(clientID: "\(settings.consumerID)-pub", tls: tlsFiles),
            address: settings.address, clock: clock, logger: logger, subscriptions: subscriptions)
        if !settings.useTLS, settings.caCert != nil || settings.clientCert != nil {
            logger.warning("caCert/clientCert/clientKey are set but url is not ssl://; they are not used")
        }
    }

    /// Builds the component and connects its publisher, so an unreachable broker or refused
    /// credentials fail start-up naming `url`.
    public static func start(metadata: ComponentMetadata, clock: AnyClock = .continuous) async throws -> MQTTPubSub {
        let pubsub = try MQTTPubSub(metadata: metadata, clock: clock)
        do {
            try await pubsub.publisher.start(component: metadata.name)
        } catch {
            pubsub.tlsFiles?.remove()
            throw error
        }
        return pubsub
    }

    /// `SUBSCRIBE_WILDCARDS`, as Dapr's mqtt3 (no TTL: MQTT 3.1.1 has no message expiry).
    public var features: Set<PubSubFeature> { [.subscribeWildcards] }

    /// The publisher connection's health.
    public var health: ConnectionHealth { publisher.supervisor.health }

    /// An UNSUBSCRIBE round trip on the publisher connection.
    public func ping() async throws {
        try await publisher.ping()
    }

    /// Publishes `message.data` as it is (see the type's documentation).
    public func publish(_ message: OutgoingMessage) async throws {
        guard !message.topic.isEmpty else { throw ComponentError(.terminal, "mqtt: topic name is empty") }
        var retain = settings.retain
        if let value = message.metadata.first(where: { $0.key.lowercased() == "retain" })?.value, !value.isEmpty {
            guard let parsed = Bool(value.lowercased()) else {
                throw ComponentError(.terminal, "mqtt: publish metadata retain must be true or false, got '\(value)'")
            }
            retain = parsed
        }
        try await publisher.publish(topic: message.topic, payload: message.data, qos: settings.qos, retain: retain)
    }

    /// Connects the subscription's own session and subscribes before returning.
    ///
    /// Subscription metadata `unsubscribeOnClose: "true"` (as in Dapr) unsubscribes when the
    /// subscription stops; otherwise the persistent session keeps collecting messages for the
    /// next subscriber of the same topic and group.
    public func subscribe(_ request: SubscribeRequest, handler: @escaping MessageHandler) async throws -> Subscription {
        guard !request.topic.isEmpty else { throw ComponentError(.terminal, "mqtt: topic name is empty") }
        let filter = sharedSubscriptions && !request.topic.hasPrefix("$share/") ? "$share/\(request.consumerGroup)/\(request.topic)" : request.topic
        let key = "\(request.consumerGroup)\u{0}\(filter)"
        let slot = slots.acquire(key)
        let clientID = "\(settings.consumerID)-sub-\(SessionSlots.hash(key))-\(slot)"
        let consumer = TopicConsumer(
            name: "\(name) \(filter)", configuration: settings.configuration(clientID: clientID, tls: tlsFiles),
            filter: filter, qos: settings.qos, clock: clock, logger: logger)
        do {
            try await consumer.start()
        } catch {
            slots.release(key, slot: slot)
            throw ComponentError(.retriable, "mqtt: error subscribing to '\(filter)' at \(settings.address): \(error)")
        }
        let unsubscribe = request.metadata.first { $0.key.lowercased() == "unsubscribeonclose" }?.value.lowercased() == "true"
        let (slots, subscriptions) = (slots, subscriptions)
        let token = subscriptions.add(consumer)
        return consumer.consume(unsubscribeOnClose: unsubscribe || settings.cleanSession, handler: { message in
            try await handler(IncomingMessage(topic: message.topic, data: message.payload, metadata: ["retained": message.retained ? "true" : "false"]))
        }, closed: {
            subscriptions.remove(token)
            slots.release(key, slot: slot)
        })
    }

    /// Closes the publisher; call after the subscriptions finished.
    public func close() async throws {
        await publisher.supervisor.close()
        tlsFiles?.remove()
    }
}
