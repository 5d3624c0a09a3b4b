import AMQPClient
import Logging
import OutriggerCore
import Synchronization

/// `bindings.rabbitmq`: one queue, both ways, as daprd's binding of the same name.
///
/// - **Output** `create` publishes the request data to the default exchange with routing key
///   `queueName`, persistent, with publisher confirms: it returns once the broker has the
///   message, and fails when the queue does not exist (the message was returned). Request
///   metadata becomes message headers; `ttlInSeconds` the message's expiration, `priority`,
///   `contentType`, `messageID`, `correlationID` and `type` the properties of those names.
/// - **Input** consumes the queue (declared on every connection with the binding's
///   `durable`, `deleteWhenUnused`, `exclusive`, `ttlInSeconds`, `maxPriority`) through a
///   ``ConsumerDriver``: an event the app handled is acknowledged; one that failed (after the
///   sidecar's retries) is requeued, so the broker delivers it again.
/// - **Connection loss**: one ``Supervisor`` reconnects forever, declares the queue again and
///   resumes consuming.
public final class RabbitMQBinding: InputBinding, OutputBinding, PingableComponent, HealthReporting {
    /// `bindings.rabbitmq`.
    public static let descriptor = ComponentDescriptor(
        type: "bindings.rabbitmq",
        summary: "RabbitMQ queue (AMQP 0-9-1 on rabbitmq-c): create publishes with confirms; the input side consumes with acks"
    ) { metadata in
        try await RabbitMQBinding.start(metadata: metadata)
    }

    /// `create`, as Dapr.
    public let operations = ["create"]

    private let settings: RabbitMQBindingSettings
    private let supervisor: Supervisor<RabbitMQLink>
    private let clock: AnyClock
    private let logger: Logger

    /// Reads and checks the metadata without connecting; ``start(metadata:clock:)`` also connects.
    public init(metadata: ComponentMetadata, clock: AnyClock = .continuous) throws {
        let settings = try RabbitMQBindingSettings(metadata)
        self.settings = settings
        self.clock = clock
        var logger = Logger(label: "outrigger.bindings.rabbitmq")
        logger[metadataKey: "component"] = "\(metadata.name)"
        self.logger = logger
        supervisor = RabbitMQLink.supervisor(name: metadata.name, configuration: settings.configuration, confirms: true, logger: logger) { link in
            let channel = try await link.connection.openChannel()
            do {
                try await Self.declareQueue(settings, on: channel)
            } catch {
                await channel.close()
                throw error
            }
            await channel.close()
        }
    }

    /// Builds the binding, connects and declares the queue, so an unreachable broker, refused
    /// credentials or a queue declared otherwise fail start-up naming the field.
    public static func start(metadata: ComponentMetadata, clock: AnyClock = .continuous) async throws -> RabbitMQBinding {
        let binding = try RabbitMQBinding(metadata: metadata, clock: clock)
        try await RabbitMQLink.start(
            binding.supervisor, component: metadata.name, field: "host", declaredField: "queueName", address: binding.settings.configuration.address)
        return binding
    }

    /// The supervisor's view of the connection.
    public var health: ConnectionHealth { supervisor.health }

    /// Opens and closes a channel: one broker round trip.
    public func ping() async throws {
        let lease = try await connected()
        do {
            await (try await lease.connection.connection.openChannel()).close()
        } catch {
            throw failure(error, lease)
        }
    }

    /// `create` (the only listed operation): see the type's documentation.
    public func invoke(_ request: BindingRequest) async throws -> BindingResponse {
        let metadata = RequestMetadata(request.metadata)
        var properties = AMQPMessageProperties(contentType: metadata["contentType"] ?? settings.contentType, deliveryMode: 2)
        do {
            properties.expiration = try metadata.expiration()
            properties.priority = try metadata.priority()
        } catch {
            throw InvalidBindingRequest("rabbitmq binding: \(error)")
        }
        properties.messageID = metadata["messageID"]
        properties.correlationID = metadata["correlationID"]
        properties.type = metadata["type"]
        for (key, value) in request.metadata { properties.headers[key] = .string(value) }
        let lease = try await connected()
        do {
            try await lease.connection.publisher.publish(exchange: "", routingKey: settings.queueName, body: request.data, properties: properties, mandatory: true)
        } catch {
            throw failure(error, lease)
        }
        return BindingResponse()
    }

    /// Consumes the queue (see the type's documentation); returns once consuming.
    public func read(handler: @escaping BindingHandler) async throws -> Subscription {
        let lease = try await connected()
        let settings = settings
        let concurrency = max(settings.prefetchCount, 1)
        let consumer = QueueConsumer(
            queue: settings.queueName, prefetch: concurrency, autoAck: false, deadLetterFailures: false, supervisor: supervisor, clock: clock,
            logger: logger
        ) { channel in
            try await Self.declareQueue(settings, on: channel)
        }
        do {
            try await consumer.attach(lease.connection)
        } catch {
            throw failure(error, lease)
        }
        return consumer.deliver(concurrency: concurrency) { delivery in try await handler(Self.event(delivery)) }
    }

    /// Closes the connection; call after reading finished.
    public func close() async throws {
        await supervisor.close()
    }

    // MARK: -

    static func declareQueue(_ settings: RabbitMQBindingSettings, on channel: AMQPChannel) async throws {
        try await channel.declareQueue(
            settings.queueName, durable: settings.durable, exclusive: settings.exclusive, autoDelete: settings.deleteWhenUnused,
            arguments: settings.queueArguments)
    }

    /// The event of a delivery: the body, and the string headers as metadata (keys
    /// percent-encoded as daprd does, so they stay valid query parameters).
    static func event(_ delivery: AMQPDelivery) -> BindingEvent {
        var metadata: [String: String] = [:]
        for (key, value) in delivery.properties.headers {
            switch value {
            case .string(let text): metadata[GoQueryEscape.escape(key)] = text
            case .bytes(let bytes): metadata[GoQueryEscape.escape(key)] = String(decoding: bytes, as: UTF8.self)
            default: break
            }
        }
        return BindingEvent(data: delivery.body, metadata: metadata)
    }

    private func connected() async throws -> Supervisor<RabbitMQLink>.Lease {
        let health = supervisor.health
        guard health == .connected else {
            throw ComponentError(health == .closed ? .terminal : .retriable, "rabbitmq binding: not connected to \(settings.configuration.address): \(health)")
        }
        let lease = try await supervisor.lease()
        guard lease.connection.isUsable else {
            let error = lease.connection.connection.failure ?? .closed
            supervisor.connectionLost(lease, error: error)
            throw ComponentError(.retriable, "rabbitmq binding: connection lost, reconnecting: \(error)")
        }
        return lease
    }

    private func failure(_ error: any Error, _ lease: Supervisor<RabbitMQLink>.Lease) -> ComponentError {
        guard let error = error as? AMQPError else { return ComponentError(.retriable, "rabbitmq binding: \(error)") }
        if !lease.connection.isUsable || error == .closed { supervisor.connectionLost(lease, error: error) }
        var kind = ComponentError.Kind.retriable
        if case .channelClosed(let code, _) = error, code == 403 || code == 406 { kind = .terminal }
        if case .accessRefused = error { kind = .terminal }
        return ComponentError(kind, "rabbitmq binding: \(error)")
    }
}
