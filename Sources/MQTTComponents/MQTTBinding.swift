import Logging
import MQTTClient
import OutriggerCore
import Synchronization

/// `bindings.mqtt3`: publishes to and reads from one MQTT topic, as daprd's binding of the same
/// type (client ids `<consumerID>-producer` and `<consumerID>-consumer`, QoS 1).
///
/// - Output `create`: publishes the request data to request metadata `topic`, or the
///   component's `topic`, with `retain`; returns once the broker sent its PUBACK.
/// - Input: subscribes `topic` (wildcards allowed) on a persistent session and delivers each
///   message with event metadata `topic` (the topic it was published to). The PUBACK goes only
///   after the handler returned; a failed event (after the sidecar's retries) drops the
///   connection before the PUBACK, and the broker delivers it again on reconnect.
public final class MQTTBinding: InputBinding, OutputBinding, PingableComponent, HealthReporting {
    /// `bindings.mqtt3`.
    public static let descriptor = ComponentDescriptor(
        type: "bindings.mqtt3",
        summary: "Publishes to and reads from an MQTT 3.1.1 topic (QoS 1, PUBACK after the app answered), on libmosquitto"
    ) { metadata in
        try await MQTTBinding.start(metadata: metadata)
    }

    /// `create`, as Dapr.
    public let operations = ["create"]

    /// The binding's metadata, checked.
    public let settings: MQTTSettings
    /// The topic published to by default and read from.
    public let topic: String
    private let name: String
    private let tlsFiles: MQTTTLSFiles?
    private let publisher: MQTTPublisher
    private let reading = Mutex(false)
    private let clock: AnyClock
    private let logger: Logger

    /// Reads and checks the metadata without connecting; ``start(metadata:clock:)`` also connects.
    public init(metadata: ComponentMetadata, clock: AnyClock = .continuous) throws {
        settings = try MQTTSettings(metadata, qosConfigurable: false)
        topic = try metadata.required("topic")
        name = metadata.name
        self.clock = clock
        var logger = Logger(label: "outrigger.bindings.mqtt3")
        logger[metadataKey: "component"] = "\(metadata.name)"
        self.logger = logger
        if metadata["qos"].map({ !$0.isEmpty }) == true {
            logger.warning("metadata qos is ignored by bindings.mqtt3, as by Dapr: the binding always uses QoS 1")
        }
        tlsFiles = settings.useTLS ? try MQTTTLSFiles(caCert: settings.caCert, clientCert: settings.clientCert, clientKey: settings.clientKey) : nil
        publisher = MQTTPublisher(
            name: metadata.name, configuration: settings.configuration(clientID: "\(settings.consumerID)-producer", tls: tlsFiles),
            address: settings.address, clock: clock, logger: logger)
    }

    /// Builds the binding and connects its producer, so an unreachable broker or refused
    /// credentials fail start-up naming `url`.
    public static func start(metadata: ComponentMetadata, clock: AnyClock = .continuous) async throws -> MQTTBinding {
        let binding = try MQTTBinding(metadata: metadata, clock: clock)
        do {
            try await binding.publisher.start(component: metadata.name)
        } catch {
            binding.tlsFiles?.remove()
            throw error
        }
        return binding
    }

    /// The producer connection's health.
    public var health: ConnectionHealth { publisher.supervisor.health }

    /// An UNSUBSCRIBE round trip on the producer connection.
    public func ping() async throws {
        try await publisher.ping()
    }

    /// `create`: publishes the data (see the type's documentation).
    public func invoke(_ request: BindingRequest) async throws -> BindingResponse {
        let target = request.metadata["topic"].flatMap { $0.isEmpty ? nil : $0 } ?? topic
        try await publisher.publish(topic: target, payload: request.data, qos: 1, retain: settings.retain)
        return BindingResponse()
    }

    /// Subscribes `topic` on the `<consumerID>-consumer` session; one read at a time.
    public func read(handler: @escaping BindingHandler) async throws -> Subscription {
        guard reading.withLock({ busy in
            defer { busy = true }
            return !busy
        }) else {
            throw ComponentError(.terminal, "mqtt binding: the subscription to '\(topic)' is already active")
        }
        let consumer = TopicConsumer(
            name: "\(name) \(topic)", configuration: settings.configuration(clientID: "\(settings.consumerID)-consumer", tls: tlsFiles),
            filter: topic, qos: 1, clock: clock, logger: logger)
        do {
            try await consumer.start()
        } catch {
            reading.withLock { $0 = false }
            throw ComponentError(.retriable, "mqtt binding: error subscribing to '\(topic)' at \(settings.address): \(error)")
        }
        return consumer.consume(unsubscribeOnClose: settings.cleanSession, handler: { message in
            try await handler(BindingEvent(data: message.payload, metadata: ["topic": message.topic]))
        }, closed: { self.reading.withLock { $0 = false } })
    }

    /// Closes the producer; call after the read finished.
    public func close() async throws {
        await publisher.supervisor.close()
        tlsFiles?.remove()
    }
}
