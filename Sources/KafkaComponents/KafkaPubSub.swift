import KafkaClient
import Logging
import OutriggerCore
import Synchronization

/// `pubsub.kafka`: Kafka topics through librdkafka, with daprd's record layout (see
/// ``DaprKafkaRecord``), so daprd and Outrigger share topics in both directions.
///
/// - **Publish** queues the record with one shared producer (librdkafka sends the records
///   queued while a request is on its way together, idempotently when `producerRequiredAcks`
///   is `all`) and returns once its own delivery report arrived: concurrent publishes share
///   batches and never wait for each other. A bulk publish queues all its records at once and reports failures per entry.
/// - **Subscribe** makes each subscription a member of the consumer group (`consumerGroup`,
///   else `consumerID`, else the subscription's group, the app id), returning once the group
///   assigned it partitions. Ordering, commits, failures and rebalances: ``KafkaTopicReader``.
/// - **Connections** are librdkafka's: it reconnects to the brokers by itself; `ping` asks
///   the cluster for its metadata.
///
/// Metadata: ``KafkaSettings`` and ``KafkaSecurity``.
public final class KafkaPubSub: PubSub, PingableComponent {
    /// `pubsub.kafka`.
    public static let descriptor = ComponentDescriptor(
        type: "pubsub.kafka",
        summary: "Apache Kafka on librdkafka: batched idempotent produce, consumer groups ordered per partition, commits only of contiguous done offsets"
    ) { metadata in
        try await KafkaPubSub.start(metadata: metadata)
    }

    public var features: Set<PubSubFeature> { [.bulkPublish] }

    private let name: String
    private let settings: KafkaSettings
    private let producer: KafkaProducer
    private let logger: Logger
    private let closed = Mutex(false)

    /// Reads and checks the metadata and creates the producer without contacting a broker;
    /// ``start(metadata:)`` also checks the brokers answer.
    public init(metadata: ComponentMetadata) throws {
        settings = try KafkaSettings(metadata, consumeRetryDefault: true)
        name = metadata.name
        var logger = Logger(label: "outrigger.pubsub.kafka")
        logger[metadataKey: "component"] = "\(metadata.name)"
        self.logger = logger
        producer = try Self.makeProducer(settings, component: metadata.name)
    }

    /// Builds the component and asks the brokers for metadata, so unreachable brokers or
    /// refused credentials fail start-up with an error naming `brokers`.
    public static func start(metadata: ComponentMetadata) async throws -> KafkaPubSub {
        let pubsub = try KafkaPubSub(metadata: metadata)
        do {
            try await pubsub.producer.ping(timeout: .seconds(4))
        } catch {
            await pubsub.producer.close()
            throw ComponentConfigurationError(component: metadata.name, field: "brokers", reason: "does not answer (\(pubsub.settings.brokers.joined(separator: ","))): \(error)")
        }
        return pubsub
    }

    static func makeProducer(_ settings: KafkaSettings, component: String) throws -> KafkaProducer {
        do {
            return try KafkaProducer(configuration: settings.producerConfiguration)
        } catch {
            throw ComponentConfigurationError(component: component, field: "brokers", reason: "cannot configure the Kafka producer: \(error)")
        }
    }

    /// A metadata request to the cluster.
    public func ping() async throws {
        do {
            try await producer.ping()
        } catch {
            throw ComponentError(.retriable, "kafka: brokers \(settings.brokers.joined(separator: ",")) do not answer: \(error)")
        }
    }

    /// Produces one record (see ``DaprKafkaRecord``); returns once the broker acknowledged it.
    public func publish(_ message: OutgoingMessage) async throws {
        try checkOpen()
        let record: KafkaProducerRecord
        do {
            record = try DaprKafkaRecord.record(topic: message.topic, data: message.data, metadata: message.metadata)
        } catch {
            throw ComponentError(.terminal, "kafka: \(error)")
        }
        do {
            _ = try await producer.send(record)
        } catch {
            throw Self.failure(error)
        }
    }

    /// Produces every message at once; failures are reported per index.
    public func bulkPublish(_ messages: [OutgoingMessage]) async throws -> [BulkPublishFailure] {
        try checkOpen()
        var failures: [BulkPublishFailure] = []
        var records: [KafkaProducerRecord] = []
        var indexes: [Int] = []
        for (index, message) in messages.enumerated() {
            do {
                records.append(try DaprKafkaRecord.record(topic: message.topic, data: message.data, metadata: message.metadata))
                indexes.append(index)
            } catch {
                failures.append(BulkPublishFailure(index: index, error: ComponentError(.terminal, "kafka: \(error)")))
            }
        }
        for (position, result) in await producer.send(records).enumerated() {
            if case .failure(let error) = result { failures.append(BulkPublishFailure(index: indexes[position], error: Self.failure(error))) }
        }
        return failures.sorted { $0.index < $1.index }
    }

    /// Joins the consumer group for `request.topic`; returns once partitions are assigned.
    public func subscribe(_ request: SubscribeRequest, handler: @escaping MessageHandler) async throws -> Subscription {
        try checkOpen()
        let group = request.metadata.first { ["consumergroup", "consumerid"].contains($0.key.lowercased()) && !$0.value.isEmpty }?.value
            ?? settings.consumerGroup ?? request.consumerGroup
        let escapeHeaders = settings.escapeHeaders
        let reader = try await KafkaTopicReader.start(
            topics: [request.topic], group: group, settings: settings, maxConcurrency: request.maxConcurrency, logger: logger
        ) { record in
            try await handler(IncomingMessage(
                topic: record.topic, data: DaprKafkaRecord.data(of: record),
                metadata: DaprKafkaRecord.metadata(of: record, escapeHeaders: escapeHeaders)))
        }
        return reader.subscription
    }

    /// Sends what is queued and closes the producer; call after the subscriptions finished.
    public func close() async throws {
        let first = closed.withLock { closed -> Bool in
            defer { closed = true }
            return !closed
        }
        if first { await producer.close() }
    }

    private func checkOpen() throws {
        if closed.withLock({ $0 }) { throw ComponentError(.terminal, "component is closed") }
    }

    static func failure(_ error: KafkaError) -> ComponentError {
        ComponentError(error.isRetriable ? .retriable : .terminal, "kafka: error from publish: \(error)")
    }
}
