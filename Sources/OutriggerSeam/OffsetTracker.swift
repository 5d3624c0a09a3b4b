/// Says, per partition of a partitioned log (Kafka, or any broker that commits a position), which
/// offset is safe to commit while handlers finish out of order.
///
/// A commit position follows the Kafka convention: it is the *next* offset to read, so a consumer
/// that restarts from it loses nothing that has not completed.
///
/// **The rule.** A partition's commit position is the lowest offset still in flight (received
/// and not completed; failed offsets count as in flight), or, when nothing is in flight, one past
/// the highest offset received. Offsets that were never received (compacted away, transaction
/// markers) therefore never hold it back. The first offset received starts the partition's range
/// (offset 0 is not assumed); the position is `nil` until it has moved past that first offset, so
/// it is `nil` in particular before anything has completed. It never moves backwards.
///
/// | events on one partition, in order | in flight | commit position |
/// |---|---|---|
/// | received 5 6 7 | 5 6 7 | `nil` |
/// | received 5 6 7, completed 6 | 5 7 | `nil` (5 still runs) |
/// | received 5 6 7, completed 6 5 | 7 | 7 |
/// | received 5 6 7, completed 6 5 7 | — | 8 |
/// | received 5 8 (6 and 7 never sent), completed 5 | 8 | 8 |
/// | received 5 6 7, completed 5 7, failed 6 | 6 | 6, until 6 completes |
///
/// **Redelivery and seeks.**
/// - An offset received again while still in flight is the same message: it is tracked once,
///   and a failed one counts as redelivered (it leaves ``awaitingRedelivery(partition:)``).
/// - An offset below the commit position was settled already: `received`, `completed` and
///   `failed` ignore it.
/// - Any other offset is tracked, even one that completed before (after a seek back to a failed
///   offset): completed offsets are not remembered, so the tracker cannot tell it from a new
///   message, and holding the position is the safe side.
///
/// **Caller contract.** Every offset received must later be completed, or be returned by
/// ``revoke(_:)``; a failed offset holds its partition until it is completed.
///
/// **Memory.** A few integers per partition plus one entry per offset in flight.
///
/// ```swift
/// var tracker = OffsetTracker<Int32>()
/// tracker.received(41, partition: 0)
/// tracker.received(42, partition: 0)
/// tracker.completed(42, partition: 0)  // nil: 41 still runs
/// tracker.completed(41, partition: 0)  // 43
/// let commit = tracker.commitPositions // [0: 43]; send it, and once the broker confirms:
/// tracker.markCommitted(commit)
/// ```
public struct OffsetTracker<Partition: Hashable & Sendable>: Sendable {
    /// What a partition left behind when it was revoked.
    public struct Revocation: Sendable, Hashable {
        /// Offsets received and not completed, failed ones included, in ascending order.
        public var inFlight: [Int64]
        /// The last safe commit position; `nil` when nothing was safe to commit.
        public var commitPosition: Int64?

        public init(inFlight: [Int64], commitPosition: Int64?) {
            self.inFlight = inFlight
            self.commitPosition = commitPosition
        }
    }

    private var logs: [Partition: PartitionLog] = [:]

    public init() {}

    /// A message at `offset` was handed to a handler. The first offset of a partition starts
    /// its range; see the type's documentation for offsets received again.
    public mutating func received(_ offset: Int64, partition: Partition) {
        logs[partition, default: PartitionLog(start: offset)].receive(offset)
    }

    /// The handler of `offset` finished successfully (after a failure too). Returns the new
    /// commit position when this moved it, else `nil`; an offset not in flight changes nothing.
    @discardableResult
    public mutating func completed(_ offset: Int64, partition: Partition) -> Int64? {
        logs[partition]?.complete(offset) ?? nil
    }

    /// The handler of `offset` gave up and the message must be delivered again: the partition's
    /// commit position stays at or below `offset` until `offset` is completed. An offset not in
    /// flight changes nothing.
    public mutating func failed(_ offset: Int64, partition: Partition) {
        logs[partition]?.fail(offset)
    }

    /// The position safe to commit for `partition` (the next offset to read), or `nil` while it
    /// has not moved past the partition's first offset received.
    public func commitPosition(for partition: Partition) -> Int64? {
        logs[partition]?.position
    }

    /// What a commit should send now: every partition whose position moved past the last one
    /// passed to ``markCommitted(_:)`` (or that was never committed). Empty when nothing moved.
    public var commitPositions: [Partition: Int64] {
        logs.compactMapValues { log in
            guard let position = log.position else { return nil }
            if let committed = log.committed, committed >= position { return nil }
            return position
        }
    }

    /// The broker confirmed these commit positions. A position lower than one confirmed before
    /// (a late answer) changes nothing; partitions not tracked are ignored.
    public mutating func markCommitted(_ positions: [Partition: Int64]) {
        for (partition, position) in positions {
            logs[partition]?.confirm(position)
        }
    }

    /// The partition was taken away (rebalance): returns what is still in flight and the last
    /// safe commit position, and forgets the partition; received again, it starts afresh.
    public mutating func revoke(_ partition: Partition) -> Revocation {
        guard let log = logs.removeValue(forKey: partition) else {
            return Revocation(inFlight: [], commitPosition: nil)
        }
        return Revocation(inFlight: log.inFlight, commitPosition: log.position)
    }

    /// Offsets of `partition` received and not completed, failed ones included, ascending.
    public func inFlight(partition: Partition) -> [Int64] {
        logs[partition]?.inFlight ?? []
    }

    /// Offsets of `partition` that failed and have not been received again, ascending.
    public func awaitingRedelivery(partition: Partition) -> [Int64] {
        logs[partition]?.failed.sorted() ?? []
    }

    /// Offsets in flight over all partitions, failed ones included.
    public var inFlightCount: Int {
        logs.values.reduce(0) { $0 + $1.inFlight.count }
    }
}

/// One partition's range: `start` is its first offset received, `end` one past its highest.
private struct PartitionLog: Sendable {
    let start: Int64
    var end: Int64
    /// Ascending. A sorted array rather than a tree: the consumer driver bounds what is in flight
    /// (hundreds), so removing from it is one short memory move.
    var inFlight: [Int64] = []
    var failed: Set<Int64> = []
    var committed: Int64?

    init(start: Int64) {
        self.start = start
        self.end = start
    }

    /// The rule of ``OffsetTracker``, before hiding a position that never left `start`.
    private var lowestUnsettled: Int64 { inFlight.first ?? end }

    var position: Int64? {
        let position = lowestUnsettled
        return position > start ? position : nil
    }

    mutating func receive(_ offset: Int64) {
        if offset >= end {
            inFlight.append(offset)
            end = offset + 1
            return
        }
        guard offset >= lowestUnsettled else { return }
        let index = insertionIndex(of: offset)
        if index < inFlight.count, inFlight[index] == offset {
            failed.remove(offset)
        } else {
            inFlight.insert(offset, at: index)
        }
    }

    mutating func complete(_ offset: Int64) -> Int64? {
        let index = insertionIndex(of: offset)
        guard index < inFlight.count, inFlight[index] == offset else { return nil }
        let before = position
        inFlight.remove(at: index)
        failed.remove(offset)
        let after = position
        return after != before ? after : nil
    }

    mutating func fail(_ offset: Int64) {
        let index = insertionIndex(of: offset)
        guard index < inFlight.count, inFlight[index] == offset else { return }
        failed.insert(offset)
    }

    mutating func confirm(_ position: Int64) {
        committed = max(committed ?? position, position)
    }

    /// The index of the first offset in flight that is not below `offset`.
    private func insertionIndex(of offset: Int64) -> Int {
        var low = 0
        var high = inFlight.count
        while low < high {
            let middle = (low + high) / 2
            if inFlight[middle] < offset { low = middle + 1 } else { high = middle }
        }
        return low
    }
}
