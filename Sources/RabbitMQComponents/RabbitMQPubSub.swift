import AMQPClient
import Logging
import OutriggerCore
import Synchronization

/// `pubsub.rabbitmq`: AMQP 0-9-1 on rabbitmq-c, with exchanges, queues and message properties
/// as daprd's component declares and reads them (see ``DaprAMQPMessage`` and
/// ``SubscriptionOptions``), so daprd and Outrigger share exchanges in both directions.
///
/// - **Publish** declares the topic's exchange (once per connection) and publishes to it as a
///   `mandatory` message. With `publisherConfirm` (default on) it returns when the broker's
///   confirm for that very message arrives; a message no queue takes (returned) or one the
///   broker refuses (nacked) fails its caller.
/// - **Subscribe** declares exchange, queue and bindings on a channel of its own and consumes
///   with manual acknowledgement through a ``ConsumerDriver`` (``QueueConsumer``): the prefetch
///   is the subscription's concurrency, acknowledgements go in batches (`multiple`), a failed
///   message is requeued — or dead-lettered by the broker when `enableDeadLetter` is on and
///   the pipeline gave up on it.
/// - **Connection loss** (a broker restart): one ``Supervisor`` reconnects forever; every
///   subscription declares and consumes again on the new connection, and whatever was not
///   acknowledged comes back from the broker.
public final class RabbitMQPubSub: PubSub, PingableComponent, HealthReporting {
    /// `pubsub.rabbitmq`.
    public static let descriptor = ComponentDescriptor(
        type: "pubsub.rabbitmq",
        summary: "RabbitMQ (AMQP 0-9-1 on rabbitmq-c): publisher confirms, batched acks, native dead-lettering, recovery after broker restarts"
    ) { metadata in
        try await RabbitMQPubSub.start(metadata: metadata)
    }

    private let name: String
    private let settings: RabbitMQPubSubSettings
    private let supervisor: Supervisor<RabbitMQLink>
    private let clock: AnyClock
    private let logger: Logger
    private let closed = Mutex(false)

    /// Reads and checks the metadata without connecting; ``start(metadata:clock:)`` also connects.
    public init(metadata: ComponentMetadata, clock: AnyClock = .continuous) throws {
        settings = try RabbitMQPubSubSettings(metadata)
        name = metadata.name
        self.clock = clock
        var logger = Logger(label: "outrigger.pubsub.rabbitmq")
        logger[metadataKey: "component"] = "\(metadata.name)"
        self.logger = logger
        supervisor = RabbitMQLink.supervisor(
            name: metadata.name, configuration: settings.connection.configuration, confirms: settings.publisherConfirm, logger: logger)
    }

    /// Builds the component and makes its first connection, so an unreachable broker or
    /// refused credentials fail start-up with an error naming the field.
    public static func start(metadata: ComponentMetadata, clock: AnyClock = .continuous) async throws -> RabbitMQPubSub {
        let pubsub = try RabbitMQPubSub(metadata: metadata, clock: clock)
        let field: String
        if let value = metadata["connectionString"], !value.isEmpty {
            field = "connectionString"
        } else if let value = metadata["host"], !value.isEmpty {
            field = "host"
        } else {
            field = "hostname"
        }
        try await RabbitMQLink.start(pubsub.supervisor, component: metadata.name, field: field, address: pubsub.settings.connection.configuration.address)
        return pubsub
    }

    /// Per-message TTL (`ttlInSeconds`) is honoured by the broker.
    public var features: Set<PubSubFeature> { [.messageTTL] }

    /// The supervisor's view of the connection.
    public var health: ConnectionHealth { supervisor.health }

    /// Opens and closes a channel: one broker round trip.
    public func ping() async throws {
        let lease = try await connected()
        do {
            let channel = try await lease.connection.connection.openChannel()
            await channel.close()
        } catch {
            throw failure(error, lease, topic: "")
        }
    }

    /// Publishes to the topic's exchange (see the type's documentation).
    public func publish(_ message: OutgoingMessage) async throws {
        let lease = try await connected()
        let link = lease.connection
        let (routingKey, properties) = DaprAMQPMessage.publishing(message, deliveryMode: settings.deliveryMode, defaultTTL: settings.defaultTTL)
        do {
            try await link.ensureExchange(message.topic, kind: settings.exchangeKind, durable: settings.durable, autoDelete: settings.deleteWhenUnused)
            try await link.publisher.publish(exchange: message.topic, routingKey: routingKey, body: message.data, properties: properties, mandatory: true)
        } catch {
            throw failure(error, lease, topic: message.topic)
        }
    }

    /// Publishes every message at once, so their confirms arrive together; a failure is
    /// reported for its index only.
    public func bulkPublish(_ messages: [OutgoingMessage]) async throws -> [BulkPublishFailure] {
        await withTaskGroup(of: BulkPublishFailure?.self) { group in
            for (index, message) in messages.enumerated() {
                group.addTask {
                    do {
                        try await self.publish(message)
                        return nil
                    } catch {
                        return BulkPublishFailure(index: index, error: error)
                    }
                }
            }
            var failures: [BulkPublishFailure] = []
            for await failure in group { if let failure { failures.append(failure) } }
            return failures.sorted { $0.index < $1.index }
        }
    }

    /// Declares and consumes the subscription's queue; returns once a publish would reach it.
    public func subscribe(_ request: SubscribeRequest, handler: @escaping MessageHandler) async throws -> Subscription {
        let lease = try await connected()
        let options: SubscriptionOptions
        do {
            options = try SubscriptionOptions(
                topic: request.topic, metadata: request.metadata, consumer: settings.consumerID ?? request.consumerGroup, settings: settings)
        } catch {
            throw ComponentError(.terminal, "rabbitmq pub/sub: subscription to \(request.topic): \(error)")
        }
        let concurrency = settings.singleConcurrency ? 1 : request.maxConcurrency
        let prefetch = settings.prefetchCount > 0 ? min(settings.prefetchCount, concurrency) : concurrency
        let settings = settings
        let consumer = QueueConsumer(
            queue: options.queue, prefetch: prefetch, autoAck: settings.autoAck, deadLetterFailures: settings.enableDeadLetter,
            supervisor: supervisor, clock: clock, logger: logger
        ) { channel in
            try await Self.declare(options, settings: settings, on: channel)
        }
        do {
            try await consumer.attach(lease.connection)
        } catch {
            throw failure(error, lease, topic: request.topic)
        }
        let topic = request.topic
        let withProperties = settings.publishMessagePropertiesToMetadata
        return consumer.deliver(concurrency: concurrency) { delivery in
            try await handler(DaprAMQPMessage.incoming(delivery, topic: topic, withProperties: withProperties))
        }
    }

    /// Closes the connection; call after the subscriptions finished.
    public func close() async throws {
        closed.withLock { $0 = true }
        await supervisor.close()
    }

    // MARK: -

    /// The declarations of one subscription (see ``SubscriptionOptions``).
    static func declare(_ options: SubscriptionOptions, settings: RabbitMQPubSubSettings, on channel: AMQPChannel) async throws {
        try await channel.declareExchange(options.topic, kind: settings.exchangeKind, durable: settings.durable, autoDelete: settings.deleteWhenUnused)
        if let deadLetter = options.deadLetter {
            try await channel.declareExchange(deadLetter.exchange, kind: "fanout", durable: true, autoDelete: settings.deleteWhenUnused)
            try await channel.declareQueue(deadLetter.queue, durable: true, exclusive: false, autoDelete: settings.deleteWhenUnused, arguments: deadLetter.arguments)
            try await channel.bindQueue(deadLetter.queue, exchange: deadLetter.exchange, routingKey: "")
        }
        try await channel.declareQueue(options.queue, durable: settings.durable, exclusive: false, autoDelete: settings.deleteWhenUnused, arguments: options.queueArguments)
        for key in options.routingKeys {
            try await channel.bindQueue(options.queue, exchange: options.topic, routingKey: key)
        }
    }

    /// The current connection, failing at once while there is none.
    private func connected() async throws -> Supervisor<RabbitMQLink>.Lease {
        guard !closed.withLock({ $0 }) else { throw ComponentError(.terminal, "component is closed") }
        let health = supervisor.health
        guard health == .connected else {
            throw ComponentError(.retriable, "rabbitmq pub/sub: not connected to \(settings.connection.configuration.address): \(health)")
        }
        let lease = try await supervisor.lease()
        guard lease.connection.isUsable else {
            let error = lease.connection.connection.failure ?? .closed
            supervisor.connectionLost(lease, error: error)
            throw ComponentError(.retriable, "rabbitmq pub/sub: connection lost, reconnecting: \(error)")
        }
        return lease
    }

    /// The component error for a failed operation; a broken connection (or a publishing
    /// channel the broker closed) is reported to the supervisor first.
    private func failure(_ error: any Error, _ lease: Supervisor<RabbitMQLink>.Lease, topic: String) -> ComponentError {
        guard let error = error as? AMQPError else { return ComponentError(.retriable, "rabbitmq pub/sub: \(error)") }
        var kind = ComponentError.Kind.retriable
        switch error {
        case .channelClosed(let code, _):
            // 403 access refused, 406 precondition failed (an exchange of another kind): trying
            // again cannot help. 404: the exchange went away; declare it again next time.
            if code == 403 || code == 406 { kind = .terminal }
            if code == 404 { lease.connection.forgetExchange(topic) }
        case .accessRefused:
            kind = .terminal
        default:
            break
        }
        // `.closed` on a usable connection: the publishing channel was closed by the broker.
        if !lease.connection.isUsable || error == .closed {
            supervisor.connectionLost(lease, error: error)
        }
        return ComponentError(kind, "rabbitmq pub/sub: \(error)")
    }
}
