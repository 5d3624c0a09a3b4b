import CRdKafka
import Foundation
import Synchronization

/// A member of a Kafka consumer group, bridged into Swift concurrency with back-pressure.
///
/// - **One poll thread** owns the handle: it reads records into a buffer of at most
///   `readAhead` records and pauses the assigned partitions while the buffer is full (high
///   watermark), resuming them at the position it had reached once the buffer is half empty.
///   ``poll(max:)`` takes records from that buffer, waiting while it is empty. A partition
///   assigned again after a rebalance keeps no pause from its earlier assignment: it is
///   paused and resumed with the rest of the assignment, like any other.
/// - **Assignment**: a partition the group has no committed offset for starts at
///   ``StartPosition``; that position is committed right away, so a member that takes the
///   partition over later starts there too and nothing published after the assignment is
///   skipped. `onAssign` learns each partition's new fetch epoch before any of its records
///   is read.
/// - **Revocation**: the poll thread drops buffered records of the revoked partitions, awaits
///   `onRevoke` (which lets records in flight finish and answers the commit positions),
///   stores and commits those positions, and only then releases the partitions (librdkafka
///   commits the stored offsets of released partitions before the group moves on).
/// - **Offsets** are never committed on their own: ``store(_:)`` records positions, which
///   librdkafka commits every `auto.commit.interval.ms`, at revocation and at close.
/// - ``rewind(_:to:)`` seeks a partition back (a failed record is read again, and everything
///   after it); records read before the rewind keep their older ``KafkaRecord/fetchEpoch``.
///
/// Callbacks (`onAssign`, `onRevoke`) run on the poll thread; `onRevoke` is awaited there.
public final class KafkaConsumer: Sendable {
    /// Where a partition without a committed offset starts.
    public enum StartPosition: Sendable {
        /// Its oldest record still stored.
        case beginning
        /// The next record produced (the high watermark at assignment).
        case end
    }

    /// Learns newly assigned partitions with their fetch epochs.
    public typealias AssignmentHandler = @Sendable ([KafkaTopicPartition: UInt64]) -> Void
    /// Prepares the release of partitions; answers the positions to commit for them.
    public typealias RevocationHandler = @Sendable ([KafkaTopicPartition]) async -> [KafkaTopicPartition: Int64]

    private let core: PollThreadCore
    private let loop: ConsumerLoop

    /// Joins `group.id` (from `configuration`) for `topics`. Returns at once; see
    /// ``waitForAssignment()``.
    public init(
        configuration: KafkaConfiguration, topics: [String], startPosition: StartPosition, readAhead: Int = 500,
        onAssign: @escaping AssignmentHandler = { _ in }, onRevoke: @escaping RevocationHandler = { _ in [:] }
    ) throws(KafkaError) {
        var configuration = configuration
        configuration["enable.auto.offset.store"] = "false"
        if configuration["enable.auto.commit"] == nil { configuration["enable.auto.commit"] = "true" }
        let conf = try configuration.makeConf()
        let loop = ConsumerLoop(startPosition: startPosition, readAhead: max(readAhead, 1), onAssign: onAssign, onRevoke: onRevoke)
        rd_kafka_conf_set_rebalance_cb(conf, rebalanceCallback)
        rd_kafka_conf_set_log_cb(conf, logCallback)
        rd_kafka_conf_set_opaque(conf, Unmanaged.passUnretained(loop).toOpaque())
        let handle = try RDKafkaHandle(type: RD_KAFKA_CONSUMER, conf: conf)
        rd_kafka_poll_set_consumer(handle.pointer)
        let list = rd_kafka_topic_partition_list_new(Int32(topics.count))!
        for topic in topics { rd_kafka_topic_partition_list_add(list, topic, RD_KAFKA_PARTITION_UA) }
        let error = rd_kafka_subscribe(handle.pointer, list)
        rd_kafka_topic_partition_list_destroy(list)
        guard error == RD_KAFKA_RESP_ERR_NO_ERROR else {
            handle.destroy()
            throw KafkaError(error, "subscribe to \(topics.joined(separator: ","))")
        }
        self.loop = loop
        core = PollThreadCore(handle: handle)
        loop.attach(handle)
        core.wake.withLock { $0 = { loop.wake() } }
        core.start(name: "kafka-consumer-poll") { core in
            loop.run(until: { core.isClosing }, shutOut: { core.shutOut() })
        }
    }

    deinit {
        core.requestClose()
    }

    /// Returns once the group assigned this member its first partitions (possibly none),
    /// the consumer was closed, or the calling task was cancelled.
    public func waitForAssignment() async {
        await loop.waitForAssignment()
    }

    /// Up to `max` records, waiting until some are read; `nil` once the consumer is closed.
    /// Throws `CancellationError` when the calling task is cancelled while waiting.
    public func poll(max: Int) async throws -> [KafkaRecord]? {
        try await loop.take(max: Swift.max(max, 1))
    }

    /// Records the positions (next offsets to read) to commit for assigned partitions;
    /// librdkafka commits them shortly, and at revocation and close. Partitions no longer
    /// assigned are ignored.
    public func store(_ positions: [KafkaTopicPartition: Int64]) {
        guard !positions.isEmpty else { return }
        core.withOpenHandle { handle in
            let list = TopicPartitionList.make(Array(positions.keys), offsets: positions)
            _ = rd_kafka_offsets_store(handle.pointer, list)
            rd_kafka_topic_partition_list_destroy(list)
        }
    }

    /// Reads `partition` again from `offset`: buffered records of it are dropped, and records
    /// read from now on carry a new fetch epoch.
    public func rewind(_ partition: KafkaTopicPartition, to offset: Int64) {
        loop.enqueueRewind(partition, to: offset)
    }

    /// Leaves the group (revoking every partition through `onRevoke` and committing), frees
    /// the handle, and ends ``poll(max:)`` with `nil`.
    public func close() async {
        core.requestClose()
        await core.waitUntilFinished()
    }
}

/// librdkafka's rebalance callback, on the consumer's poll thread.
private let rebalanceCallback: @convention(c) (OpaquePointer?, rd_kafka_resp_err_t, UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?, UnsafeMutableRawPointer?) -> Void = { handle, error, partitions, opaque in
    guard let handle, let opaque else { return }
    let loop = Unmanaged<ConsumerLoop>.fromOpaque(opaque).takeUnretainedValue()
    loop.rebalance(handle, error: error, partitions: partitions)
}
