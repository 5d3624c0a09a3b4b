@testable import KafkaComponents
import KafkaClient
import OutriggerCore
import OutriggerTesting
import Testing

/// The ledger's rules, without a broker.
@Suite("PartitionLedger")
struct PartitionLedgerTests {
    static let p0 = KafkaTopicPartition(topic: "t", partition: 0)

    static func record(_ offset: Int64, epoch: UInt64 = 1, partition: KafkaTopicPartition = p0) -> KafkaRecord {
        KafkaRecord(topic: partition.topic, partition: partition.partition, offset: offset, value: [], fetchEpoch: epoch)
    }

    static func ledger(received offsets: [Int64]) -> PartitionLedger {
        let ledger = PartitionLedger()
        ledger.assigned([p0: 1])
        ledger.received(offsets.map { record($0) })
        return ledger
    }

    @Test("records of an unassigned partition or of an older epoch are not current")
    func currentRecords() {
        let ledger = PartitionLedger()
        #expect(!ledger.isCurrent(Self.record(0)))
        ledger.assigned([Self.p0: 3])
        #expect(ledger.isCurrent(Self.record(0, epoch: 3)))
        #expect(!ledger.isCurrent(Self.record(0, epoch: 2)))
    }

    @Test("the commit position moves only over contiguous done offsets")
    func contiguousCommits() {
        let ledger = Self.ledger(received: [5, 6, 7])
        #expect(ledger.settle(Settlement(acks: [Self.record(6)])).isEmpty)
        #expect(ledger.settle(Settlement(acks: [Self.record(5)])) == [Self.p0: 7])
        #expect(ledger.settle(Settlement(acks: [Self.record(7)])) == [Self.p0: 8])
    }

    @Test("a failed record holds the commit position and makes the records read after it stale")
    func failureHoldsPartition() {
        let ledger = Self.ledger(received: [5, 6, 7])
        #expect(ledger.handlerFailed(Self.record(5)))
        #expect(!ledger.isCurrent(Self.record(6)))
        #expect(ledger.settle(Settlement(nacks: [(Self.record(5), .failed("app")), (Self.record(6), .draining), (Self.record(7), .draining)])).isEmpty)
        // The rewound partition's records carry a newer epoch and are current again.
        ledger.received([Self.record(5, epoch: 2), Self.record(6, epoch: 2), Self.record(7, epoch: 2)])
        #expect(ledger.isCurrent(Self.record(5, epoch: 2)))
        #expect(ledger.settle(Settlement(acks: [Self.record(5, epoch: 2), Self.record(6, epoch: 2)])) == [Self.p0: 7])
    }

    @Test("a stale record's failure asks for no rewind")
    func staleFailure() {
        let ledger = Self.ledger(received: [5, 6])
        #expect(ledger.handlerFailed(Self.record(5)))
        #expect(!ledger.handlerFailed(Self.record(6)))
    }

    @Test("a revocation waits until the partition's held records are settled, then returns its commit position")
    func revokeWaits() async throws {
        let ledger = Self.ledger(received: [0, 1])
        _ = ledger.settle(Settlement(acks: [Self.record(0)]))
        let revoking = Task { await ledger.revoke([Self.p0], timeout: .seconds(30)) }
        // Nothing of the partition is current while it is being revoked.
        try await withDeadline(.seconds(60), "the revocation to begin") {
            while ledger.isCurrent(Self.record(2)) { await Task.yield() }
        }
        _ = ledger.settle(Settlement(acks: [Self.record(1)]))
        let positions = try await withDeadline(.seconds(60), "the revocation") { await revoking.value }
        #expect(positions == [Self.p0: 2])
    }

    @Test("a revocation gives up waiting after its timeout and commits only what was done")
    func revokeTimesOut() async throws {
        let ledger = Self.ledger(received: [0, 1])
        _ = ledger.settle(Settlement(acks: [Self.record(0)]))
        let positions = try await withDeadline(.seconds(60), "the revocation") { await ledger.revoke([Self.p0], timeout: .milliseconds(50)) }
        #expect(positions == [Self.p0: 1])
        // A late acknowledgement of the revoked partition commits nothing.
        #expect(ledger.settle(Settlement(acks: [Self.record(1)])).isEmpty)
    }
}
