import KafkaClient
import Logging
import OutriggerCore

/// One consumer-group member reading topics for one subscription (or input binding): a
/// ``KafkaConsumer`` pulled by a ``ConsumerDriver``, with a ``PartitionLedger`` deciding what
/// is current and what may be committed.
///
/// - One partition's records reach the handler one at a time, in offset order (the driver's
///   ordering key is the partition); partitions run in parallel up to `maxConcurrency`.
/// - A handler that returns completes its offset; commit positions move only over contiguous
///   completed offsets and are stored with the consumer, which commits them every second, at
///   revocation and at close.
/// - A handler that fails (after the pipeline's retries) holds its partition: with
///   `consumeRetryEnabled` the partition is rewound to the record, which is delivered again,
///   and the records after it only after it; without, the failure is logged and the record
///   completed (skipped), as daprd does. A record handed back at shutdown stays uncommitted
///   and comes back to the group's next member.
/// - Revocation (rebalance, stop): no further record of the partitions is started, records in
///   flight finish (up to `drainTimeout`), the positions are committed, the partitions released.
final class KafkaTopicReader: Sendable {
    /// A record read before a rewind or revocation of its partition: handed back unstarted.
    struct StaleRecord: Error, NackExplaining {
        var nackReason: NackReason { .draining }
    }

    private let consumer: KafkaConsumer
    private let driver: ConsumerDriver<KafkaRecord>

    /// Joins `group` for `topics` and returns once the group assigned this member its
    /// partitions, so a record published afterwards is received (waiting at most three
    /// session timeouts, at least 30 s).
    static func start(
        topics: [String], group: String, settings: KafkaSettings, maxConcurrency: Int, logger: Logger,
        handler: @escaping @Sendable (KafkaRecord) async throws -> Void
    ) async throws -> KafkaTopicReader {
        let ledger = PartitionLedger()
        let drainTimeout = settings.drainTimeout
        let consumer: KafkaConsumer
        do {
            consumer = try KafkaConsumer(
                configuration: settings.consumerConfiguration(group: group), topics: topics, startPosition: settings.startPosition,
                readAhead: settings.readAhead,
                onAssign: { epochs in ledger.assigned(epochs) },
                onRevoke: { partitions in await ledger.revoke(partitions, timeout: drainTimeout) })
        } catch {
            throw ComponentError(error.isRetriable ? .retriable : .terminal, "kafka: cannot consume \(topics.joined(separator: ",")): \(error)")
        }
        let retryEnabled = settings.consumeRetryEnabled
        let configuration = ConsumerDriver<KafkaRecord>.Configuration(
            maxConcurrency: maxConcurrency, orderingKey: { record in "\(record.topic)/\(record.partition)" })
        let driver = ConsumerDriver<KafkaRecord>(
            configuration: configuration, logger: logger,
            handler: { [consumer] record in
                guard ledger.isCurrent(record) else { throw StaleRecord() }
                do {
                    try await handler(record)
                } catch {
                    let reason = NackReason(for: error)
                    if reason.isFailure, !retryEnabled {
                        logger.error("error processing Kafka message; skipped (consumeRetryEnabled is false)", metadata: [
                            "topic": "\(record.topic)", "partition": "\(record.partition)", "offset": "\(record.offset)", "error": "\(error)",
                        ])
                        return
                    }
                    if ledger.handlerFailed(record) { consumer.rewind(record.topicPartition, to: record.offset) }
                    throw error
                }
            },
            settle: { [consumer] settlement in consumer.store(ledger.settle(settlement)) })
        driver.start { [consumer] room in
            guard let records = try await consumer.poll(max: room) else { return nil }
            ledger.received(records)
            return records
        }
        // Bounded: with the brokers away the subscription still starts, and is assigned
        // partitions once they answer.
        let limit = max(settings.sessionTimeout * 3, .seconds(30))
        do {
            try await withTimeLimit(limit) { await consumer.waitForAssignment() }
        } catch {
            logger.warning("no partitions assigned yet; the subscription starts anyway and receives once the group assigns them", metadata: [
                "topics": "\(topics.joined(separator: ","))", "group": "\(group)", "waited": "\(GoDuration.format(limit))",
            ])
        }
        return KafkaTopicReader(consumer: consumer, driver: driver)
    }

    private init(consumer: KafkaConsumer, driver: ConsumerDriver<KafkaRecord>) {
        self.consumer = consumer
        self.driver = driver
    }

    /// Stop pulling at once; finishing waits for the handlers, settles, then leaves the group
    /// (committing what is done).
    var subscription: Subscription {
        Subscription(stopPulling: { self.driver.stopPulling() }, finish: {
            await self.driver.finish()
            await self.consumer.close()
        })
    }
}
