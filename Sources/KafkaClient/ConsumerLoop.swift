import CRdKafka
import Dispatch
import Synchronization

/// The state a ``KafkaConsumer``'s poll thread shares with its callers: the read-ahead buffer
/// (at most `readAhead` records while the partitions are paused), the waiting `poll`, rewinds
/// to apply, and each assigned partition's fetch epoch and next offset.
final class ConsumerLoop: Sendable {
    private struct State {
        var buffer: [KafkaRecord] = []
        var waiter: (continuation: CheckedContinuation<[KafkaRecord]?, Never>, max: Int)?
        var rewinds: [(KafkaTopicPartition, Int64)] = []
        var finished = false
        var assignedOnce = false
        var assignmentWaiters: [UInt64: CheckedContinuation<Void, Never>] = [:]
        var nextWaiter: UInt64 = 0
        // Poll-thread bookkeeping, kept here so the rebalance callback sees it too.
        var epochs: [KafkaTopicPartition: UInt64] = [:]
        var nextOffsets: [KafkaTopicPartition: Int64] = [:]
        var lastEpoch: UInt64 = 0
        var paused = false
        /// The group's rebalance protocol as librdkafka last told it (see ``isCooperative(_:)``).
        var cooperative = false

        mutating func newEpoch() -> UInt64 {
            lastEpoch += 1
            return lastEpoch
        }
    }

    private let startPosition: KafkaConsumer.StartPosition
    private let readAhead: Int
    private let onAssign: KafkaConsumer.AssignmentHandler
    private let onRevoke: KafkaConsumer.RevocationHandler
    private let state = Mutex(State())
    private let handle = Mutex<RDKafkaHandle?>(nil)
    private let queue = Mutex<OpaquePointer?>(nil)

    init(startPosition: KafkaConsumer.StartPosition, readAhead: Int, onAssign: @escaping KafkaConsumer.AssignmentHandler, onRevoke: @escaping KafkaConsumer.RevocationHandler) {
        self.startPosition = startPosition
        self.readAhead = readAhead
        self.onAssign = onAssign
        self.onRevoke = onRevoke
    }

    func attach(_ handle: RDKafkaHandle) {
        self.handle.withLock { $0 = handle }
        queue.withLock { $0 = rd_kafka_queue_get_consumer(handle.pointer) }
    }

    /// Wakes the poll thread out of a blocking poll.
    func wake() {
        queue.withLock { queue in
            if let queue { rd_kafka_queue_yield(queue) }
        }
    }

    // MARK: - Callers

    func take(max: Int) async throws -> [KafkaRecord]? {
        let records = await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<[KafkaRecord]?, Never>) in
                let ready = state.withLock { state -> [KafkaRecord]?? in
                    if !state.buffer.isEmpty { return .some(Self.takeFromBuffer(&state.buffer, max: max)) }
                    if state.finished { return .some(nil) }
                    if Task.isCancelled { return .some([KafkaRecord]()) }
                    state.waiter = (continuation, max)
                    return .none
                }
                if let ready { continuation.resume(returning: ready) }
            }
        } onCancel: {
            let waiter = state.withLock { state -> CheckedContinuation<[KafkaRecord]?, Never>? in
                defer { state.waiter = nil }
                return state.waiter?.continuation
            }
            waiter?.resume(returning: [KafkaRecord]())
        }
        if records?.isEmpty == true, Task.isCancelled { throw CancellationError() }
        return records
    }

    func enqueueRewind(_ partition: KafkaTopicPartition, to offset: Int64) {
        state.withLock { $0.rewinds.append((partition, offset)) }
        wake()
    }

    func waitForAssignment() async {
        let id = state.withLock { state -> UInt64 in
            state.nextWaiter += 1
            return state.nextWaiter
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let ready = state.withLock { state -> Bool in
                    if state.assignedOnce || state.finished || Task.isCancelled { return true }
                    state.assignmentWaiters[id] = continuation
                    return false
                }
                if ready { continuation.resume() }
            }
        } onCancel: {
            state.withLock { $0.assignmentWaiters.removeValue(forKey: id) }?.resume()
        }
    }

    private static func takeFromBuffer(_ buffer: inout [KafkaRecord], max: Int) -> [KafkaRecord] {
        let count = min(max, buffer.count)
        let taken = Array(buffer.prefix(count))
        buffer.removeFirst(count)
        return taken
    }

    // MARK: - The poll thread

    func run(until closing: @Sendable () -> Bool, shutOut: @Sendable () -> Void) {
        guard let handle = handle.withLock({ $0 }) else { return }
        let rk = handle.pointer
        while !closing() {
            applyRewinds(rk)
            applyFlowControl(rk)
            guard let first = rd_kafka_consumer_poll(rk, 100) else { continue }
            var batch: [KafkaRecord] = []
            var next: UnsafeMutablePointer<rd_kafka_message_t>? = first
            while let message = next {
                if let record = record(from: message) { batch.append(record) }
                rd_kafka_message_destroy(message)
                next = batch.count < readAhead ? rd_kafka_consumer_poll(rk, 0) : nil
            }
            deliver(batch)
        }
        let error = rd_kafka_consumer_close(rk)
        if error != RD_KAFKA_RESP_ERR_NO_ERROR {
            kafkaLogger.warning("leaving the consumer group failed", metadata: ["error": "\(KafkaError(error))"])
        }
        shutOut()
        queue.withLock { queue in
            if let queue { rd_kafka_queue_destroy(queue) }
            queue = nil
        }
        handle.destroyClosedConsumer()
        let (waiter, assignmentWaiters) = state.withLock { state in
            state.finished = true
            defer {
                state.waiter = nil
                state.assignmentWaiters = [:]
            }
            return (state.waiter?.continuation, Array(state.assignmentWaiters.values))
        }
        waiter?.resume(returning: nil)
        for waiter in assignmentWaiters { waiter.resume() }
    }

    /// A record, stamped with its partition's epoch; `nil` (logged) for an error event.
    private func record(from message: UnsafeMutablePointer<rd_kafka_message_t>) -> KafkaRecord? {
        let error = message.pointee.err
        guard error == RD_KAFKA_RESP_ERR_NO_ERROR else {
            if error != RD_KAFKA_RESP_ERR__PARTITION_EOF {
                kafkaLogger.warning("consumer error", metadata: ["error": "\(KafkaError(error))"])
            }
            return nil
        }
        let partition = KafkaTopicPartition(topic: message.pointee.rkt.map { String(cString: rd_kafka_topic_name($0)) } ?? "", partition: message.pointee.partition)
        let epoch = state.withLock { state -> UInt64 in
            state.nextOffsets[partition] = message.pointee.offset + 1
            return state.epochs[partition] ?? 0
        }
        return KafkaRecord(message, fetchEpoch: epoch)
    }

    private func deliver(_ batch: [KafkaRecord]) {
        guard !batch.isEmpty else { return }
        let resume = state.withLock { state -> (CheckedContinuation<[KafkaRecord]?, Never>, [KafkaRecord])? in
            // Records of a partition rewound or revoked while this batch was read are stale.
            let current = batch.filter { state.epochs[$0.topicPartition] == $0.fetchEpoch }
            state.buffer.append(contentsOf: current)
            guard let waiter = state.waiter, !state.buffer.isEmpty else { return nil }
            state.waiter = nil
            return (waiter.continuation, Self.takeFromBuffer(&state.buffer, max: waiter.max))
        }
        if let (continuation, records) = resume { continuation.resume(returning: records) }
    }

    private func applyRewinds(_ rk: OpaquePointer) {
        let rewinds = state.withLock { state -> [(KafkaTopicPartition, Int64)] in
            defer { state.rewinds = [] }
            let rewinds = state.rewinds.filter { state.epochs[$0.0] != nil }
            for (partition, offset) in rewinds {
                state.epochs[partition] = state.newEpoch()
                state.nextOffsets[partition] = offset
                state.buffer.removeAll { $0.topicPartition == partition }
            }
            return rewinds
        }
        guard !rewinds.isEmpty else { return }
        seek(rk, Dictionary(rewinds, uniquingKeysWith: { _, last in last }))
    }

    private func seek(_ rk: OpaquePointer, _ positions: [KafkaTopicPartition: Int64]) {
        let list = TopicPartitionList.make(Array(positions.keys), offsets: positions)
        if let error = rd_kafka_seek_partitions(rk, list, 0) {
            kafkaLogger.warning("seek failed", metadata: ["error": "\(String(cString: rd_kafka_error_string(error)))"])
            rd_kafka_error_destroy(error)
        }
        rd_kafka_topic_partition_list_destroy(list)
    }

    /// Pauses the assignment while the buffer is full; resumes it at the positions reached
    /// once the buffer is half empty.
    private func applyFlowControl(_ rk: OpaquePointer) {
        let action = state.withLock { state -> (pause: Bool, positions: [KafkaTopicPartition: Int64])? in
            if !state.paused, state.buffer.count >= readAhead, !state.epochs.isEmpty {
                state.paused = true
                return (true, [:])
            }
            if state.paused, state.buffer.count <= readAhead / 2 {
                state.paused = false
                return (false, state.nextOffsets)
            }
            return nil
        }
        guard let action else { return }
        var list: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?
        guard rd_kafka_assignment(rk, &list) == RD_KAFKA_RESP_ERR_NO_ERROR, let list else { return }
        defer { rd_kafka_topic_partition_list_destroy(list) }
        if action.pause {
            _ = rd_kafka_pause_partitions(rk, list)
        } else {
            _ = rd_kafka_resume_partitions(rk, list)
            // Resume where this consumer got to, whatever pausing did to librdkafka's queue.
            let assigned = Set(TopicPartitionList.read(list).map(\.0))
            let positions = action.positions.filter { assigned.contains($0.key) }
            if !positions.isEmpty { seek(rk, positions) }
        }
    }

    // MARK: - Rebalance (poll thread, inside rd_kafka_consumer_poll or close)

    func rebalance(_ rk: OpaquePointer, error: rd_kafka_resp_err_t, partitions: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?) {
        let cooperative = isCooperative(rk)
        let listed = TopicPartitionList.read(partitions).map(\.0)
        switch error {
        case RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS:
            assign(rk, listed, cooperative: cooperative)
        case RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS:
            revoke(rk, listed, cooperative: cooperative)
        default:
            kafkaLogger.warning("rebalance failed", metadata: ["error": "\(KafkaError(error))"])
            _ = rd_kafka_assign(rk, nil)
            state.withLock { state in
                state.epochs = [:]
                state.buffer = []
            }
        }
    }

    /// Whether the group rebalances cooperatively (incremental assign and unassign) or eagerly.
    /// `rd_kafka_rebalance_protocol` answers NULL once the group is gone (a consumer closing:
    /// its last revoke comes after that) or for a consumer outside a group; the last answer then
    /// stands (eager before any: librdkafka's default assignors are eager). Reading NULL as a
    /// string crashed the process during a consumer's close.
    func isCooperative(_ rk: OpaquePointer) -> Bool {
        let answer = rd_kafka_rebalance_protocol(rk).map { String(cString: $0) == "COOPERATIVE" }
        return state.withLock { state in
            if let answer { state.cooperative = answer }
            return state.cooperative
        }
    }

    private func assign(_ rk: OpaquePointer, _ partitions: [KafkaTopicPartition], cooperative: Bool) {
        let offsets = startOffsets(rk, partitions)
        let (epochs, waiters, paused) = state.withLock { state in
            var epochs: [KafkaTopicPartition: UInt64] = [:]
            for partition in partitions {
                let epoch = state.newEpoch()
                epochs[partition] = epoch
                state.epochs[partition] = epoch
                if let offset = offsets[partition], offset >= 0 { state.nextOffsets[partition] = offset } else { state.nextOffsets[partition] = nil }
            }
            if !cooperative { state.paused = false }
            state.assignedOnce = true
            defer { state.assignmentWaiters = [:] }
            return (epochs, Array(state.assignmentWaiters.values), state.paused)
        }
        onAssign(epochs)
        let list = TopicPartitionList.make(partitions, offsets: offsets)
        // librdkafka (2.0) keeps a pause of the application's on a partition through its release
        // and a later assignment (it lifts only its own rebalance pause): a partition paused by
        // flow control when the group took it away would never be fetched again once assigned
        // back, and nothing would resume it (see `applyFlowControl`). So an assignment starts
        // unpaused, and joins the flow control's pause if one is on (cooperative rebalances).
        _ = rd_kafka_resume_partitions(rk, list)
        if cooperative {
            if let error = rd_kafka_incremental_assign(rk, list) { rd_kafka_error_destroy(error) }
        } else {
            _ = rd_kafka_assign(rk, list)
        }
        if paused { _ = rd_kafka_pause_partitions(rk, list) }
        rd_kafka_topic_partition_list_destroy(list)
        kafkaLogger.debug("partitions assigned", metadata: ["partitions": "\(partitions)"])
        for waiter in waiters { waiter.resume() }
    }

    /// Each partition's committed offset; a partition without one gets the start position,
    /// which is committed so that whoever owns the partition next starts there too.
    private func startOffsets(_ rk: OpaquePointer, _ partitions: [KafkaTopicPartition]) -> [KafkaTopicPartition: Int64] {
        guard !partitions.isEmpty else { return [:] }
        let list = TopicPartitionList.make(partitions)
        defer { rd_kafka_topic_partition_list_destroy(list) }
        let error = rd_kafka_committed(rk, list, 10_000)
        guard error == RD_KAFKA_RESP_ERR_NO_ERROR else {
            kafkaLogger.warning("reading committed offsets failed; starting where the offset reset policy says", metadata: ["error": "\(KafkaError(error))"])
            return [:]
        }
        var offsets: [KafkaTopicPartition: Int64] = [:]
        var pinned: [KafkaTopicPartition: Int64] = [:]
        for (partition, committed) in TopicPartitionList.read(list) {
            if committed >= 0 {
                offsets[partition] = committed
                continue
            }
            var low: Int64 = 0
            var high: Int64 = 0
            let error = rd_kafka_query_watermark_offsets(rk, partition.topic, partition.partition, &low, &high, 10_000)
            guard error == RD_KAFKA_RESP_ERR_NO_ERROR else { continue }
            let start = startPosition == .end ? high : low
            offsets[partition] = start
            pinned[partition] = start
        }
        if !pinned.isEmpty {
            // Asynchronous, like every commit inside the rebalance callback (see `revoke`).
            let list = TopicPartitionList.make(Array(pinned.keys), offsets: pinned)
            _ = rd_kafka_commit(rk, list, 1)
            rd_kafka_topic_partition_list_destroy(list)
        }
        return offsets
    }

    private func revoke(_ rk: OpaquePointer, _ partitions: [KafkaTopicPartition], cooperative: Bool) {
        let revoked = Set(partitions)
        state.withLock { state in
            for partition in partitions {
                state.epochs[partition] = nil
                state.nextOffsets[partition] = nil
            }
            state.buffer.removeAll { revoked.contains($0.topicPartition) }
        }
        // The poll thread waits here while the handlers of these partitions finish (bounded by
        // the handler), so nothing of them is read or released meanwhile.
        let box = Mutex<[KafkaTopicPartition: Int64]>([:])
        let done = DispatchSemaphore(value: 0)
        let onRevoke = onRevoke
        Task {
            let positions = await onRevoke(partitions)
            box.withLock { $0 = positions }
            done.signal()
        }
        done.wait()
        let positions = box.withLock { $0 }.filter { revoked.contains($0.key) }
        if !positions.isEmpty {
            // Stored while still assigned: librdkafka commits stored offsets of the partitions
            // it releases before the group moves on. The explicit commit is asynchronous: a
            // synchronous one inside the rebalance callback can wait forever (seen while the
            // consumer was closing).
            let list = TopicPartitionList.make(Array(positions.keys), offsets: positions)
            _ = rd_kafka_offsets_store(rk, list)
            _ = rd_kafka_commit(rk, list, 1)
            rd_kafka_topic_partition_list_destroy(list)
        }
        if cooperative {
            let list = TopicPartitionList.make(partitions)
            if let error = rd_kafka_incremental_unassign(rk, list) { rd_kafka_error_destroy(error) }
            rd_kafka_topic_partition_list_destroy(list)
        } else {
            _ = rd_kafka_assign(rk, nil)
            state.withLock { $0.paused = false }
        }
        kafkaLogger.debug("partitions revoked", metadata: ["partitions": "\(partitions)"])
    }
}
