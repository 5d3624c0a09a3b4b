import KafkaClient
import OutriggerCore
import Synchronization

/// One subscription's account of its partitions: which records are current, what may be
/// committed, and what a revocation has to wait for.
///
/// - **Current records**: a record is handed to the app only while its partition is assigned
///   and its fetch epoch is not older than the partition's minimum. A failed record raises the
///   minimum past its epoch (its successors already read are then skipped, not delivered out
///   of order) and the partition is rewound to it; a revocation forgets the partition.
/// - **Commit positions** come from an ``OffsetTracker``: only up to the highest contiguous
///   offset done, so a failed or unfinished record holds its partition's commit.
/// - **Held records** (pulled and not yet settled) are counted per partition; a revocation
///   waits until its partitions hold none, or until the drain timeout.
final class PartitionLedger: Sendable {
    private struct Partition {
        var assignedEpoch: UInt64
        var minimumEpoch: UInt64
    }

    private struct State {
        var tracker = OffsetTracker<KafkaTopicPartition>()
        var partitions: [KafkaTopicPartition: Partition] = [:]
        var held: [KafkaTopicPartition: Int] = [:]
        var drainWaiters: [UInt64: (Set<KafkaTopicPartition>, CheckedContinuation<Void, Never>)] = [:]
        var nextWaiter: UInt64 = 0

        func isCurrent(_ record: KafkaRecord) -> Bool {
            guard let partition = partitions[record.topicPartition] else { return false }
            return record.fetchEpoch >= partition.minimumEpoch
        }

        /// Read in the partition's current assignment (a rewind since does not matter).
        func belongsToAssignment(_ record: KafkaRecord) -> Bool {
            guard let partition = partitions[record.topicPartition] else { return false }
            return record.fetchEpoch >= partition.assignedEpoch
        }

        func holds(any partitions: Set<KafkaTopicPartition>) -> Bool {
            partitions.contains { (held[$0] ?? 0) > 0 }
        }
    }

    private let state = Mutex(State())

    /// The group assigned these partitions, starting at these fetch epochs.
    func assigned(_ epochs: [KafkaTopicPartition: UInt64]) {
        state.withLock { state in
            for (partition, epoch) in epochs { state.partitions[partition] = Partition(assignedEpoch: epoch, minimumEpoch: epoch) }
        }
    }

    /// Records pulled for the consumer driver: held until settled; current ones are tracked.
    func received(_ records: [KafkaRecord]) {
        state.withLock { state in
            for record in records {
                state.held[record.topicPartition, default: 0] += 1
                if state.isCurrent(record) { state.tracker.received(record.offset, partition: record.topicPartition) }
            }
        }
    }

    /// Whether `record` may be handed to the app now.
    func isCurrent(_ record: KafkaRecord) -> Bool {
        state.withLock { $0.isCurrent(record) }
    }

    /// The handler of a current record failed: records of its partition read before the
    /// rewind are stale from now on. Returns whether the partition must be rewound to it.
    func handlerFailed(_ record: KafkaRecord) -> Bool {
        state.withLock { state in
            guard state.isCurrent(record) else { return false }
            state.partitions[record.topicPartition]?.minimumEpoch = record.fetchEpoch + 1
            return true
        }
    }

    /// Settles a batch: done offsets complete, failed ones hold their partition. Returns the
    /// commit positions that moved (to store with the consumer).
    func settle(_ settlement: Settlement<KafkaRecord>) -> [KafkaTopicPartition: Int64] {
        let (positions, waiters) = state.withLock { state -> ([KafkaTopicPartition: Int64], [CheckedContinuation<Void, Never>]) in
            for record in settlement.acks {
                state.held[record.topicPartition, default: 1] -= 1
                if state.belongsToAssignment(record) { state.tracker.completed(record.offset, partition: record.topicPartition) }
            }
            for (record, reason) in settlement.nacks {
                state.held[record.topicPartition, default: 1] -= 1
                if reason.isFailure, state.belongsToAssignment(record) { state.tracker.failed(record.offset, partition: record.topicPartition) }
            }
            let positions = state.tracker.commitPositions
            state.tracker.markCommitted(positions)
            var released: [CheckedContinuation<Void, Never>] = []
            for (id, (partitions, continuation)) in state.drainWaiters where !state.holds(any: partitions) {
                state.drainWaiters[id] = nil
                released.append(continuation)
            }
            return (positions, released)
        }
        for waiter in waiters { waiter.resume() }
        return positions
    }

    /// The group takes `partitions` away: none of their records is handed to the app any more;
    /// waits (up to `timeout`) until their records in flight are settled, then forgets them and
    /// returns their commit positions.
    func revoke(_ partitions: [KafkaTopicPartition], timeout: Duration) async -> [KafkaTopicPartition: Int64] {
        let revoked = Set(partitions)
        let id = state.withLock { state -> UInt64 in
            for partition in partitions { state.partitions[partition]?.minimumEpoch = .max }
            state.nextWaiter += 1
            return state.nextWaiter
        }
        _ = try? await withTimeLimit(timeout) {
            await withTaskCancellationHandler {
                await withCheckedContinuation { continuation in
                    let settled = self.state.withLock { state -> Bool in
                        if !state.holds(any: revoked) { return true }
                        state.drainWaiters[id] = (revoked, continuation)
                        return false
                    }
                    if settled { continuation.resume() }
                }
            } onCancel: {
                self.state.withLock { $0.drainWaiters.removeValue(forKey: id) }?.1.resume()
            }
        }
        return state.withLock { state in
            var positions: [KafkaTopicPartition: Int64] = [:]
            for partition in partitions {
                let revocation = state.tracker.revoke(partition)
                if let position = revocation.commitPosition { positions[partition] = position }
                state.partitions[partition] = nil
                state.held[partition] = nil
            }
            return positions
        }
    }
}
