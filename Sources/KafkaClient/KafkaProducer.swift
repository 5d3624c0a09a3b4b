import CRdKafka
import Foundation
import Synchronization

/// An asynchronous Kafka producer: records are queued with librdkafka (which batches them per
/// partition for `linger.ms`), and each `send` returns once the broker acknowledged its
/// records as `acks` asks — the delivery report — so concurrent sends share batches and none
/// waits for another.
///
/// A dedicated thread polls the handle; delivery reports arrive there and resume the waiting
/// calls. Queuing never blocks: when librdkafka's queue is full (`queue.buffering.max.messages`)
/// the record fails at once with `_QUEUE_FULL` (retriable).
///
/// ```swift
/// let producer = try KafkaProducer(configuration: ["bootstrap.servers": "127.0.0.1:9092"])
/// let report = try await producer.send(KafkaProducerRecord(topic: "orders", value: bytes))
/// await producer.close()
/// ```
public final class KafkaProducer: Sendable {
    private let core: PollThreadCore
    /// Each topic's metadata, asked for before its first record (see ``TopicLookups``).
    let topicLookups: TopicLookups

    /// Creates the producer; nothing is sent until the first record. `flushTimeout` bounds how
    /// long ``close()`` waits for records still queued.
    public init(configuration: KafkaConfiguration, flushTimeout: Duration = .seconds(10)) throws(KafkaError) {
        let conf = try configuration.makeConf()
        rd_kafka_conf_set_dr_msg_cb(conf, deliveryReportCallback)
        rd_kafka_conf_set_log_cb(conf, logCallback)
        let handle = try RDKafkaHandle(type: RD_KAFKA_PRODUCER, conf: conf)
        let core = PollThreadCore(handle: handle)
        self.core = core
        topicLookups = TopicLookups { topic in await Self.lookUp(topic, core: core) }
        core.start(name: "kafka-producer-poll") { core in
            while !core.isClosing {
                rd_kafka_poll(handle.pointer, 100)
            }
            core.shutOut()
            Self.finish(handle, flushTimeout: flushTimeout)
        }
    }

    /// Closing without ``close()``: the poll thread flushes and frees the handle on its own.
    deinit {
        core.requestClose()
    }

    /// Produces one record; returns where the broker stored it.
    public func send(_ record: KafkaProducerRecord) async throws(KafkaError) -> KafkaDeliveryReport {
        try await send([record])[0].get()
    }

    /// Produces every record at once (one librdkafka batch per partition) and returns each
    /// record's outcome, in order, once all have their delivery report.
    public func send(_ records: [KafkaProducerRecord]) async -> [Result<KafkaDeliveryReport, KafkaError>] {
        guard !records.isEmpty else { return [] }
        var previousTopic: String?
        for record in records where record.topic != previousTopic {
            await topicLookups.ensureLookedUp(record.topic)
            previousTopic = record.topic
        }
        let batch = DeliveryBatch(count: records.count)
        let queued: Void? = core.withOpenHandle { handle in
            for (index, record) in records.enumerated() {
                if let error = Self.enqueue(record, on: handle, slot: DeliverySlot(batch: batch, index: index)) {
                    batch.complete(index, .failure(error))
                }
            }
        }
        if queued == nil {
            for index in records.indices { batch.complete(index, .failure(.closed)) }
        }
        return await batch.wait()
    }

    /// Asks the cluster for its metadata (brokers and topics) within `timeout`: a cheap round
    /// trip proving a broker answers.
    public func ping(timeout: Duration = .seconds(5)) async throws(KafkaError) {
        let core = core
        let milliseconds = Int32(clamping: timeout.components.seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000)
        let code = await BlockingCall.run(name: "kafka-metadata") { () -> Int32 in
            core.withOpenHandle { handle in
                var metadata: UnsafePointer<rd_kafka_metadata>?
                let error = rd_kafka_metadata(handle.pointer, 0, nil, &metadata, milliseconds)
                if let metadata { rd_kafka_metadata_destroy(metadata) }
                return error.rawValue
            } ?? KafkaError.closed.code
        }
        guard code == 0 else { throw KafkaError(rd_kafka_resp_err_t(code), "metadata request") }
    }

    /// Asks the cluster about `topic` alone (a broker that creates topics on first use creates
    /// it here), waiting a second at most (no longer than librdkafka's own scan would have
    /// taken); librdkafka keeps the answer in its metadata cache.
    private static func lookUp(_ topic: String, core: PollThreadCore) async {
        await BlockingCall.run(name: "kafka-topic-metadata") {
            _ = core.withOpenHandle { handle in
                guard let topicHandle = rd_kafka_topic_new(handle.pointer, topic, nil) else { return }
                defer { rd_kafka_topic_destroy(topicHandle) }
                var metadata: UnsafePointer<rd_kafka_metadata>?
                let error = rd_kafka_metadata(handle.pointer, 0, topicHandle, &metadata, 1000)
                if let metadata { rd_kafka_metadata_destroy(metadata) }
                if error != RD_KAFKA_RESP_ERR_NO_ERROR {
                    kafkaLogger.debug("topic metadata lookup failed; librdkafka's own scan takes over", metadata: ["topic": "\(topic)", "error": "\(String(cString: rd_kafka_err2str(error)))"])
                }
            }
        }
    }

    /// Sends what is queued (waiting up to the flush timeout), fails what is left, and frees
    /// the handle. Later sends fail with ``KafkaError/closed``.
    public func close() async {
        core.requestClose()
        await core.waitUntilFinished()
    }

    /// Queues one record with librdkafka; the error when it was not queued.
    private static func enqueue(_ record: KafkaProducerRecord, on handle: RDKafkaHandle, slot: DeliverySlot) -> KafkaError? {
        let headers = Self.makeHeaders(record.headers)
        let opaque = Unmanaged.passRetained(slot).toOpaque()
        let error = record.topic.withCString { topic in
            record.value.withUnsafeBytes { value in
                Self.withOptionalBytes(record.key) { key in
                    outrigger_rd_kafka_produce(
                        handle.pointer, topic, record.partition ?? RD_KAFKA_PARTITION_UA,
                        key?.baseAddress, key?.count ?? 0, value.baseAddress, value.count, headers, opaque)
                }
            }
        }
        guard error != RD_KAFKA_RESP_ERR_NO_ERROR else { return nil }
        Unmanaged<DeliverySlot>.fromOpaque(opaque).release()
        if let headers { rd_kafka_headers_destroy(headers) }
        return KafkaError(error, "produce to \(record.topic)")
    }

    private static func withOptionalBytes<T>(_ bytes: [UInt8]?, _ body: (UnsafeRawBufferPointer?) -> T) -> T {
        guard let bytes else { return body(nil) }
        return bytes.withUnsafeBytes { body($0) }
    }

    private static func makeHeaders(_ headers: [KafkaHeader]) -> OpaquePointer? {
        guard !headers.isEmpty else { return nil }
        let list = rd_kafka_headers_new(headers.count)!
        for header in headers {
            if let value = header.value {
                value.withUnsafeBytes { bytes in _ = rd_kafka_header_add(list, header.name, -1, bytes.baseAddress, bytes.count) }
            } else {
                _ = rd_kafka_header_add(list, header.name, -1, nil, 0)
            }
        }
        return list
    }

    /// On the poll thread once closing: flushes, fails what is left, destroys the handle.
    private static func finish(_ handle: RDKafkaHandle, flushTimeout: Duration) {
        let milliseconds = Int32(clamping: flushTimeout.components.seconds * 1000)
        if rd_kafka_flush(handle.pointer, milliseconds) != RD_KAFKA_RESP_ERR_NO_ERROR {
            kafkaLogger.warning("records still queued at close are failed", metadata: ["queued": "\(rd_kafka_outq_len(handle.pointer))"])
        }
        rd_kafka_purge(handle.pointer, Int32(RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT))
        rd_kafka_poll(handle.pointer, 0)
        handle.destroy()
    }
}

/// librdkafka's delivery report, on the producer's poll thread: resumes the record's `send`.
private let deliveryReportCallback: @convention(c) (OpaquePointer?, UnsafePointer<rd_kafka_message_t>?, UnsafeMutableRawPointer?) -> Void = { _, message, _ in
    guard let message, let opaque = message.pointee._private else { return }
    let slot = Unmanaged<DeliverySlot>.fromOpaque(opaque).takeRetainedValue()
    let error = message.pointee.err
    if error == RD_KAFKA_RESP_ERR_NO_ERROR {
        let topic = message.pointee.rkt.map { String(cString: rd_kafka_topic_name($0)) } ?? ""
        slot.batch.complete(slot.index, .success(KafkaDeliveryReport(topic: topic, partition: message.pointee.partition, offset: message.pointee.offset)))
    } else {
        slot.batch.complete(slot.index, .failure(KafkaError(error, "delivery")))
    }
}
