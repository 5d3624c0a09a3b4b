import Logging
import NATSClient
import OutriggerCore
import Synchronization

/// `pubsub.jetstream`: NATS JetStream, on the wire as daprd's component (a topic is a subject;
/// the body is the CloudEvent as published; `Nats-Msg-Id` is the CloudEvent's id), so daprd
/// and Outrigger can publish to and read from the same streams.
///
/// - **Publish** is an asynchronous JetStream publish that returns once the stream's PubAck
///   arrived; concurrent publishes share the connection and wait for their own PubAck only.
/// - **Subscribe** finds the topic's stream (``StreamCatalog``), creates the durable pull
///   consumer of the subscription (``JetStreamSettings/consumerName(topic:consumerGroup:)``)
///   before it returns, then a ``ConsumerDriver`` pulls through a ``JetStreamReader``: fetches
///   of at most as many messages as the pipeline has room for, kept alive with in-progress
///   acknowledgements while they are handled, acknowledged in batches.
/// - **Competing consumers**: every subscriber of the same durable consumer (the same app id,
///   `queueGroupName` or `durableName`) shares its messages.
/// - **Connection loss**: one ``Supervisor`` reconnects forever; subscriptions bind to their
///   durable consumer again on the new connection. Nothing the stream acknowledged is lost.
public final class JetStreamPubSub: PubSub, PingableComponent, HealthReporting {
    /// `pubsub.jetstream`.
    public static let descriptor = ComponentDescriptor(
        type: "pubsub.jetstream",
        summary: "NATS JetStream (durable pull consumers, batched acks, in-progress keep-alive, NAK with delay on failure), on libnats"
    ) { metadata in
        try await JetStreamPubSub.start(metadata: metadata)
    }

    let settings: JetStreamSettings
    private let supervisor: Supervisor<NATSConnection>
    private let catalog: StreamCatalog
    private let clock: AnyClock
    private let logger: Logger
    private let closed = Mutex(false)

    /// Reads and checks the metadata without connecting; ``start(metadata:clock:)`` also connects.
    public init(metadata: ComponentMetadata, clock: AnyClock = .continuous) throws {
        settings = try JetStreamSettings(metadata)
        self.clock = clock
        var logger = Logger(label: "outrigger.pubsub.jetstream")
        logger[metadataKey: "component"] = "\(metadata.name)"
        self.logger = logger
        catalog = StreamCatalog(streamName: settings.streamName)
        let options = settings.connection
        let lossReporter = ConnectionLossReporter()
        supervisor = Supervisor(
            name: metadata.name, clock: clock, logger: logger,
            isTerminal: { ($0 as? NATSError)?.kind == .authentication },
            connect: {
                let connection = try await NATSConnection.connect(options)
                lossReporter.watch(connection)
                return connection
            },
            disconnect: { await $0.close() })
        lossReporter.report(to: supervisor)
    }

    /// Builds the component and makes its first connection, so an unreachable server or
    /// refused credentials fail start-up with an error naming the field.
    public static func start(metadata: ComponentMetadata, clock: AnyClock = .continuous) async throws -> JetStreamPubSub {
        let pubsub = try JetStreamPubSub(metadata: metadata, clock: clock)
        do {
            try await pubsub.supervisor.start()
        } catch let error as NATSError {
            let field: String
            switch (error.kind, pubsub.settings.connection.credentials) {
            case (.authentication, .token): field = "token"
            case (.authentication, .userJWT): field = "jwt"
            default: field = "natsURL"
            }
            throw ComponentConfigurationError(component: metadata.name, field: field, reason: "cannot connect: \(error)")
        }
        if !pubsub.settings.ignoredPushOptions.isEmpty {
            pubsub.logger.warning(
                "ignored: these options apply to push consumers; Outrigger reads pull consumers, which fetch only what the pipeline has room for",
                metadata: ["fields": "\(pubsub.settings.ignoredPushOptions.joined(separator: ", "))"])
        }
        return pubsub
    }

    /// The supervisor's view of the connection.
    public var health: ConnectionHealth { supervisor.health }

    /// A PING/PONG round trip.
    public func ping() async throws {
        let lease = try await connected()
        do {
            try await lease.connection.ping()
        } catch {
            throw failure(error, lease, "ping")
        }
    }

    /// Publishes to the subject `message.topic` and returns once the stream's PubAck arrived.
    public func publish(_ message: OutgoingMessage) async throws {
        let lease = try await connected()
        do {
            if settings.streamName != nil { _ = try await catalog.stream(for: message.topic, on: lease.connection) }
            _ = try await lease.connection.publish(subject: message.topic, data: message.data, messageID: CloudEventID.messageID(of: message.data, subject: message.topic))
        } catch {
            throw await publishFailure(error, lease, topic: message.topic)
        }
    }

    /// Every message published at once; each waits for its own PubAck.
    public func bulkPublish(_ messages: [OutgoingMessage]) async throws -> [BulkPublishFailure] {
        let lease = try await connected()
        if settings.streamName != nil {
            for topic in Set(messages.map(\.topic)) {
                do {
                    _ = try await catalog.stream(for: topic, on: lease.connection)
                } catch {
                    let failure = await publishFailure(error, lease, topic: topic)
                    return messages.indices.map { BulkPublishFailure(index: $0, error: failure) }
                }
            }
        }
        let results = await lease.connection.publish(batch: messages.map { ($0.topic, $0.data, CloudEventID.messageID(of: $0.data, subject: $0.topic)) })
        var failures: [BulkPublishFailure] = []
        for (index, result) in results.enumerated() {
            if case .failure(let error) = result {
                failures.append(BulkPublishFailure(index: index, error: await publishFailure(error, lease, topic: messages[index].topic)))
            }
        }
        return failures
    }

    /// Creates the subscription's durable pull consumer and starts reading it (see the type's
    /// documentation); returns once a publish would be received.
    public func subscribe(_ request: SubscribeRequest, handler: @escaping MessageHandler) async throws -> Subscription {
        let lease = try await connected()
        let topic = request.topic
        let consumer = settings.consumer(topic: topic, consumerGroup: request.consumerGroup)
        let (stream, info) = try await prepareConsumer(consumer, topic: topic, lease)
        // A quarter of AckWait: a tick delayed on a loaded host still lands before the server
        // gives up on the message (half of it was seen to be too little on a busy 2-core box).
        let keepAlive = InProgressKeepAlive(interval: max(info.ackWait / 4, .milliseconds(100)), clock: clock)
        let reader = JetStreamReader(
            topic: topic, stream: stream, consumerName: info.name, settings: settings, supervisor: supervisor, keepAlive: keepAlive, logger: logger
        ) { connection in
            _ = try await self.ensureConsumer(consumer, stream: stream, on: connection)
        }
        do {
            try await reader.open(lease)
        } catch {
            throw failure(error, lease, "subscribe to \(topic)")
        }
        let configuration = ConsumerDriver<JetStreamDelivery>.Configuration(maxConcurrency: settings.singleConcurrency ? 1 : request.maxConcurrency)
        let driver = ConsumerDriver<JetStreamDelivery>(
            configuration: configuration, clock: clock, logger: logger, handler: { delivery in try await handler(delivery.incoming) },
            settle: { settlement in await reader.settle(settlement) })
        keepAlive.start()
        driver.start { room in try await reader.pull(room: room) }
        logger.debug("subscribed", metadata: ["topic": "\(topic)", "stream": "\(stream)", "consumer": "\(info.name)"])
        return Subscription(
            stopPulling: { driver.stopPulling() },
            finish: {
                await driver.finish()
                keepAlive.stop()
                await reader.close()
            })
    }

    /// Closes the connection; call after the subscriptions finished.
    public func close() async throws {
        closed.withLock { $0 = true }
        await supervisor.close()
    }

    // MARK: -

    /// The topic's stream and its consumer, created when missing.
    private func prepareConsumer(
        _ consumer: ConsumerConfiguration, topic: String, _ lease: Supervisor<NATSConnection>.Lease
    ) async throws -> (String, ConsumerInfo) {
        do {
            let stream = try await catalog.stream(for: topic, on: lease.connection)
            return (stream, try await ensureConsumer(consumer, stream: stream, on: lease.connection))
        } catch {
            throw failure(error, lease, "subscribe to \(topic)")
        }
    }

    /// Creates `consumer` on `stream`, or updates the existing pull consumer of its name (the
    /// server applies what it can change; what it cannot, the consumer keeps, logged). An
    /// existing push consumer, or one reading another subject, is refused: the server would
    /// otherwise move the other subscriber's consumer to this topic.
    private func ensureConsumer(_ consumer: ConsumerConfiguration, stream: String, on connection: NATSConnection) async throws -> ConsumerInfo {
        let existing = try await connection.consumerInfo(stream: stream, name: consumer.durableName)
        if let existing {
            guard existing.isPull else {
                throw ComponentError(
                    .terminal,
                    "jetstream: consumer '\(existing.name)' on stream '\(stream)' is a push consumer (as daprd creates them); Outrigger reads pull consumers: set another durableName")
            }
            guard existing.filterSubject == consumer.filterSubject else {
                throw ComponentError(
                    .terminal,
                    "jetstream: consumer '\(existing.name)' on stream '\(stream)' reads subject '\(existing.filterSubject)', not '\(consumer.filterSubject)': a durableName serves one topic")
            }
        }
        do {
            return try await connection.addConsumer(stream: stream, consumer)
        } catch {
            guard !error.isConnectionProblem, let existing else { throw error }
            logger.warning(
                "consumer exists with another configuration; using it as it is", metadata: ["consumer": "\(existing.name)", "error": "\(error)"])
            return existing
        }
    }

    /// The current connection, failing at once while there is none.
    private func connected() async throws -> Supervisor<NATSConnection>.Lease {
        guard !closed.withLock({ $0 }) else { throw ComponentError(.terminal, "component is closed") }
        let health = supervisor.health
        guard health == .connected else {
            throw ComponentError(.retriable, "jetstream: not connected to \(settings.connection.url): \(health)")
        }
        return try await supervisor.lease()
    }

    /// The component error for a failed operation; a broken connection is reported first.
    private func failure(_ error: any Error, _ lease: Supervisor<NATSConnection>.Lease, _ operation: String) -> any Error {
        if let error = error as? ComponentError { return error }
        if let error = error as? NATSError, error.isConnectionProblem || lease.connection.isClosed {
            supervisor.connectionLost(lease, error: error)
        }
        return ComponentError(.retriable, "jetstream: \(operation): \(error)")
    }

    private func publishFailure(_ error: any Error, _ lease: Supervisor<NATSConnection>.Lease, topic: String) async -> any Error {
        // No stream captured the subject: it may have been deleted; look it up again next time.
        if (error as? NATSError)?.kind == .noResponders { await catalog.forget(topic) }
        return failure(error, lease, "error from publish to \(topic)")
    }
}
