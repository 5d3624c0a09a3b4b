import OutriggerSeam
import Testing

@Suite("Offset tracker")
struct OffsetTrackerTests {
    /// A tracker with `offsets` received on partition 0.
    func tracker(receiving offsets: [Int64], partition: Int32 = 0) -> OffsetTracker<Int32> {
        var tracker = OffsetTracker<Int32>()
        for offset in offsets { tracker.received(offset, partition: partition) }
        return tracker
    }

    // MARK: - Completion

    @Test("nothing is committable before a completion, wherever the partition starts")
    func nothingCompleted() {
        let tracker = tracker(receiving: [41, 42])
        #expect(tracker.commitPosition(for: 0) == nil)
        #expect(tracker.commitPositions.isEmpty)
    }

    @Test("an unknown partition has no commit position and nothing in flight")
    func unknownPartition() {
        let tracker = OffsetTracker<Int32>()
        #expect(tracker.commitPosition(for: 3) == nil)
        #expect(tracker.inFlight(partition: 3) == [])
        #expect(tracker.inFlightCount == 0)
    }

    @Test("in-order completions move the position one past each offset")
    func inOrder() {
        var tracker = tracker(receiving: [0, 1, 2])
        #expect(tracker.completed(0, partition: 0) == 1)
        #expect(tracker.completed(1, partition: 0) == 2)
        #expect(tracker.completed(2, partition: 0) == 3)
        #expect(tracker.commitPosition(for: 0) == 3)
        #expect(tracker.inFlightCount == 0)
    }

    @Test("the first offset received starts the range: offset 0 is not assumed")
    func startsAtFirstOffset() {
        var tracker = tracker(receiving: [1000])
        #expect(tracker.completed(1000, partition: 0) == 1001)
    }

    @Test("a completion above a running offset does not move the position")
    func outOfOrderHeld() {
        var tracker = tracker(receiving: [10, 11, 12])
        #expect(tracker.completed(12, partition: 0) == nil)
        #expect(tracker.completed(11, partition: 0) == nil)
        #expect(tracker.commitPosition(for: 0) == nil)
        #expect(tracker.inFlight(partition: 0) == [10])
    }

    @Test("filling the gap moves the position past every offset completed above it")
    func outOfOrderReleased() {
        var tracker = tracker(receiving: [10, 11, 12, 13])
        tracker.completed(12, partition: 0)
        tracker.completed(11, partition: 0)
        #expect(tracker.completed(10, partition: 0) == 13)
    }

    @Test("completing an offset that is not in flight changes nothing")
    func completeUnknown() {
        var tracker = tracker(receiving: [5])
        #expect(tracker.completed(9, partition: 0) == nil)
        #expect(tracker.completed(5, partition: 7) == nil)
        #expect(tracker.inFlight(partition: 0) == [5])
    }

    @Test("completing an offset twice reports the position only once")
    func completeTwice() {
        var tracker = tracker(receiving: [5])
        #expect(tracker.completed(5, partition: 0) == 6)
        #expect(tracker.completed(5, partition: 0) == nil)
        #expect(tracker.commitPosition(for: 0) == 6)
    }

    // MARK: - Gaps

    @Test("offsets never received do not hold the position back")
    func gapInFlight() {
        var tracker = tracker(receiving: [5, 8])
        #expect(tracker.completed(5, partition: 0) == 8)
        #expect(tracker.completed(8, partition: 0) == 9)
    }

    @Test("a gap after everything completed is crossed when the next offset arrives")
    func gapWhenIdle() {
        var tracker = tracker(receiving: [5])
        tracker.completed(5, partition: 0)
        tracker.received(9, partition: 0)
        #expect(tracker.commitPosition(for: 0) == 9)
    }

    // MARK: - Failure

    @Test("a failed offset holds the position at that offset")
    func failureHolds() {
        var tracker = tracker(receiving: [5, 6, 7])
        tracker.failed(6, partition: 0)
        #expect(tracker.completed(5, partition: 0) == 6)
        #expect(tracker.completed(7, partition: 0) == nil)
        #expect(tracker.commitPosition(for: 0) == 6)
        #expect(tracker.inFlight(partition: 0) == [6])
        #expect(tracker.awaitingRedelivery(partition: 0) == [6])
    }

    @Test("a failed first offset keeps the position unset")
    func failedFirst() {
        var tracker = tracker(receiving: [5, 6])
        tracker.failed(5, partition: 0)
        #expect(tracker.completed(6, partition: 0) == nil)
        #expect(tracker.commitPosition(for: 0) == nil)
    }

    @Test("receiving a failed offset again marks it redelivered and keeps it in flight")
    func failedRedelivered() {
        var tracker = tracker(receiving: [5, 6])
        tracker.failed(6, partition: 0)
        tracker.received(6, partition: 0)
        #expect(tracker.awaitingRedelivery(partition: 0) == [])
        #expect(tracker.inFlight(partition: 0) == [5, 6])
    }

    @Test("completing the failed offset after redelivery releases the position")
    func failureReleased() {
        var tracker = tracker(receiving: [5, 6, 7])
        tracker.failed(6, partition: 0)
        tracker.completed(5, partition: 0)
        tracker.completed(7, partition: 0)
        tracker.received(6, partition: 0)
        #expect(tracker.completed(6, partition: 0) == 8)
    }

    @Test("failing an offset that is not in flight changes nothing")
    func failUnknown() {
        var tracker = tracker(receiving: [5])
        tracker.completed(5, partition: 0)
        tracker.failed(5, partition: 0)
        #expect(tracker.commitPosition(for: 0) == 6)
        #expect(tracker.awaitingRedelivery(partition: 0) == [])
    }

    // MARK: - Redelivery

    @Test("an offset received again while in flight is tracked once")
    func duplicateInFlight() {
        var tracker = tracker(receiving: [5, 5])
        #expect(tracker.inFlight(partition: 0) == [5])
        #expect(tracker.completed(5, partition: 0) == 6)
        #expect(tracker.inFlightCount == 0)
    }

    @Test("an offset received again below the position is settled and ignored")
    func duplicateSettled() {
        var tracker = tracker(receiving: [5, 6])
        tracker.completed(5, partition: 0)
        tracker.completed(6, partition: 0)
        tracker.received(5, partition: 0)
        #expect(tracker.inFlight(partition: 0) == [])
        #expect(tracker.completed(5, partition: 0) == nil)
        #expect(tracker.commitPosition(for: 0) == 7)
    }

    @Test("after a seek back, offsets completed before are tracked again until completed again")
    func seekBack() {
        var tracker = tracker(receiving: [5, 6, 7])
        tracker.failed(5, partition: 0)
        tracker.completed(6, partition: 0)
        tracker.completed(7, partition: 0)
        for offset: Int64 in [5, 6, 7] { tracker.received(offset, partition: 0) }
        #expect(tracker.inFlight(partition: 0) == [5, 6, 7])
        #expect(tracker.completed(5, partition: 0) == 6)
        #expect(tracker.completed(7, partition: 0) == nil)
        #expect(tracker.completed(6, partition: 0) == 8)
    }

    // MARK: - Partitions

    @Test("partitions are independent")
    func partitionsIndependent() {
        var tracker = OffsetTracker<Int32>()
        tracker.received(0, partition: 0)
        tracker.received(100, partition: 1)
        #expect(tracker.completed(100, partition: 1) == 101)
        #expect(tracker.commitPosition(for: 0) == nil)
        #expect(tracker.inFlight(partition: 0) == [0])
        #expect(tracker.inFlightCount == 1)
    }

    @Test("the partition key may be any hashable value")
    func stringPartitions() {
        var tracker = OffsetTracker<String>()
        tracker.received(3, partition: "orders-0")
        #expect(tracker.completed(3, partition: "orders-0") == 4)
        #expect(tracker.commitPositions == ["orders-0": 4])
    }

    @Test("inFlightCount counts every partition, failed offsets included")
    func inFlightCount() {
        var tracker = tracker(receiving: [1, 2])
        tracker.received(7, partition: 1)
        tracker.failed(2, partition: 0)
        #expect(tracker.inFlightCount == 3)
    }

    // MARK: - Commits

    @Test("commitPositions lists every partition that has a position and was never committed")
    func commitPositionsFirst() {
        var tracker = tracker(receiving: [0, 1])
        tracker.received(50, partition: 1)
        tracker.received(90, partition: 2)
        tracker.completed(0, partition: 0)
        tracker.completed(50, partition: 1)
        #expect(tracker.commitPositions == [0: 1, 1: 51])
    }

    @Test("markCommitted hides partitions whose position has not moved since")
    func markCommittedHides() {
        var tracker = tracker(receiving: [0, 1])
        tracker.received(50, partition: 1)
        tracker.completed(0, partition: 0)
        tracker.completed(50, partition: 1)
        tracker.markCommitted(tracker.commitPositions)
        #expect(tracker.commitPositions.isEmpty)
        tracker.completed(1, partition: 0)
        #expect(tracker.commitPositions == [0: 2])
    }

    @Test("a stale commit confirmation does not hide a newer position")
    func staleConfirmation() {
        var tracker = tracker(receiving: [0, 1, 2])
        tracker.completed(0, partition: 0)
        tracker.completed(1, partition: 0)
        tracker.markCommitted([0: 1])
        #expect(tracker.commitPositions == [0: 2])
    }

    @Test("a late confirmation of an older position does not bring back a newer committed one")
    func lateConfirmation() {
        var tracker = tracker(receiving: [0, 1])
        tracker.completed(0, partition: 0)
        tracker.completed(1, partition: 0)
        tracker.markCommitted([0: 2])
        tracker.markCommitted([0: 1])
        #expect(tracker.commitPositions.isEmpty)
    }

    @Test("a confirmed position ahead of the tracker's is never undercut by a lower one")
    func confirmationAhead() {
        var tracker = tracker(receiving: [0, 1, 2])
        tracker.completed(0, partition: 0)
        tracker.markCommitted([0: 10])
        tracker.completed(1, partition: 0)
        #expect(tracker.commitPositions.isEmpty)
    }

    @Test("confirming a partition that is not tracked is ignored")
    func confirmUnknown() {
        var tracker = OffsetTracker<Int32>()
        tracker.markCommitted([4: 10])
        tracker.received(3, partition: 4)
        tracker.completed(3, partition: 4)
        #expect(tracker.commitPositions == [4: 4])
    }

    @Test("crossing a gap while idle is reported to the next commit")
    func gapReported() {
        var tracker = tracker(receiving: [5])
        tracker.completed(5, partition: 0)
        tracker.markCommitted([0: 6])
        tracker.received(9, partition: 0)
        #expect(tracker.commitPositions == [0: 9])
    }

    // MARK: - Revocation

    @Test("revoke returns the offsets in flight in order and the last safe position")
    func revokeReports() {
        var tracker = tracker(receiving: [5, 6, 7, 8, 9])
        tracker.completed(5, partition: 0)
        tracker.completed(7, partition: 0)
        tracker.failed(6, partition: 0)
        let revocation = tracker.revoke(0)
        #expect(revocation == .init(inFlight: [6, 8, 9], commitPosition: 6))
    }

    @Test("revoke forgets the partition and only that partition")
    func revokeForgets() {
        var tracker = tracker(receiving: [5, 6])
        tracker.received(70, partition: 1)
        tracker.completed(5, partition: 0)
        _ = tracker.revoke(0)
        #expect(tracker.inFlight(partition: 0) == [])
        #expect(tracker.commitPosition(for: 0) == nil)
        #expect(tracker.commitPositions.isEmpty)
        #expect(tracker.inFlight(partition: 1) == [70])
        #expect(tracker.inFlightCount == 1)
    }

    @Test("revoking before any completion reports no position")
    func revokeNothingCompleted() {
        var tracker = tracker(receiving: [5, 6])
        #expect(tracker.revoke(0) == .init(inFlight: [5, 6], commitPosition: nil))
    }

    @Test("revoking a partition not tracked reports nothing")
    func revokeUnknown() {
        var tracker = OffsetTracker<Int32>()
        #expect(tracker.revoke(2) == .init(inFlight: [], commitPosition: nil))
    }

    @Test("a partition assigned again after revocation starts afresh")
    func reassigned() {
        var tracker = tracker(receiving: [5])
        tracker.completed(5, partition: 0)
        _ = tracker.revoke(0)
        tracker.received(3, partition: 0)
        #expect(tracker.commitPosition(for: 0) == nil)
        #expect(tracker.completed(3, partition: 0) == 4)
    }
}
