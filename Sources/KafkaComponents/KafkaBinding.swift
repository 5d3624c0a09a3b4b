import KafkaClient
import Logging
import OutriggerCore
import Synchronization

/// `bindings.kafka`: the output side produces to `publishTopic`, the input side consumes
/// `topics` as a consumer group, with the record layout of ``DaprKafkaRecord``.
///
/// - `create` produces `data` with the request metadata (`partitionKey` or `__key` → record
///   key, `partitionNumber` → partition, every entry also a header) and answers nothing
///   (the API answers 204) once the broker acknowledged it.
/// - The input side is ``KafkaTopicReader``: per-partition order, commits of contiguous done
///   offsets. An event the app fails (after the pipeline's retries) is logged and skipped with
///   Dapr's default `consumeRetryEnabled: "false"`, and redelivered (holding its partition)
///   with `"true"`. Without `topics` the binding is output only, as in daprd.
///
/// Metadata: ``KafkaSettings`` plus `topics` and `publishTopic`.
public final class KafkaBinding: OutputBinding, InputBinding, PingableComponent {
    /// `bindings.kafka`.
    public static let descriptor = ComponentDescriptor(
        type: "bindings.kafka",
        summary: "Produces to and consumes Kafka topics on librdkafka (create; input per-partition ordered)"
    ) { metadata in
        try await KafkaBinding.start(metadata: metadata)
    }

    /// `create`, as Dapr.
    public let operations = ["create"]

    private let settings: KafkaSettings
    private let topics: [String]
    private let publishTopic: String?
    private let group: String?
    private let producer: KafkaProducer
    private let logger: Logger
    private let closed = Mutex(false)

    /// Reads and checks the metadata without contacting a broker.
    public init(metadata: ComponentMetadata) throws {
        settings = try KafkaSettings(metadata, consumeRetryDefault: false)
        topics = (metadata["topics"] ?? "").split(separator: ",").map { String($0.filter { $0 != " " }) }.filter { !$0.isEmpty }
        publishTopic = metadata["publishTopic"].flatMap { $0.isEmpty ? nil : $0 }
        group = settings.consumerGroup ?? (metadata.appID.isEmpty ? nil : metadata.appID)
        if !topics.isEmpty, group == nil {
            throw ComponentConfigurationError(component: metadata.name, field: "consumerGroup", reason: "is required to read topics when the app has no id")
        }
        var logger = Logger(label: "outrigger.bindings.kafka")
        logger[metadataKey: "component"] = "\(metadata.name)"
        self.logger = logger
        producer = try KafkaPubSub.makeProducer(settings, component: metadata.name)
    }

    /// Builds the binding and checks the brokers answer.
    public static func start(metadata: ComponentMetadata) async throws -> KafkaBinding {
        let binding = try KafkaBinding(metadata: metadata)
        do {
            try await binding.producer.ping(timeout: .seconds(4))
        } catch {
            await binding.producer.close()
            throw ComponentConfigurationError(component: metadata.name, field: "brokers", reason: "does not answer (\(binding.settings.brokers.joined(separator: ","))): \(error)")
        }
        return binding
    }

    /// `create`: produces the request to `publishTopic`.
    public func invoke(_ request: BindingRequest) async throws -> BindingResponse {
        guard !closed.withLock({ $0 }) else { throw ComponentError(.terminal, "binding is closed") }
        guard let publishTopic else { throw ComponentError(.terminal, "kafka binding: metadata publishTopic is not set") }
        let record: KafkaProducerRecord
        do {
            record = try DaprKafkaRecord.record(topic: publishTopic, data: request.data, metadata: request.metadata)
        } catch {
            throw InvalidBindingRequest("kafka binding: \(error)")
        }
        do {
            _ = try await producer.send(record)
        } catch {
            throw KafkaPubSub.failure(error)
        }
        return BindingResponse()
    }

    /// Consumes `topics` (see the type's documentation); returns once partitions are assigned.
    public func read(handler: @escaping BindingHandler) async throws -> Subscription {
        guard let group, !topics.isEmpty else {
            logger.warning("kafka binding: no topics defined, the input binding is not started")
            return Subscription(cancel: {})
        }
        let escapeHeaders = settings.escapeHeaders
        let reader = try await KafkaTopicReader.start(topics: topics, group: group, settings: settings, maxConcurrency: 100, logger: logger) { record in
            try await handler(BindingEvent(data: DaprKafkaRecord.data(of: record), metadata: DaprKafkaRecord.metadata(of: record, escapeHeaders: escapeHeaders)))
        }
        return reader.subscription
    }

    /// A metadata request to the cluster.
    public func ping() async throws {
        do {
            try await producer.ping()
        } catch {
            throw ComponentError(.retriable, "kafka: brokers \(settings.brokers.joined(separator: ",")) do not answer: \(error)")
        }
    }

    /// Closes the producer; call after the input side finished.
    public func close() async throws {
        let first = closed.withLock { closed -> Bool in
            defer { closed = true }
            return !closed
        }
        if first { await producer.close() }
    }
}
