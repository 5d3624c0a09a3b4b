import OutriggerSeam
import OutriggerTesting
import Synchronization
import Testing

@Suite("Consumer driver: bound, outcomes, settlement and ordering")
struct ConsumerDriverTests {
    struct Poisoned: Error, NackExplaining {
        var nackReason: NackReason { .failed("poisoned") }
    }

    struct AppError: Error, CustomStringConvertible {
        var description: String { "app said no" }
    }

    /// Runs one message through a driver whose handler ends with `error` (nil: returns).
    private func settlement(ofHandlerThrowing error: (any Error)?) async throws -> Settled {
        let app = FakeApp(failures: error.map { [1: $0] } ?? [:])
        let broker = ScriptedBroker()
        let driver = app.driver()
        driver.start { try await broker.pull(room: $0) }
        _ = try await broker.reads.receive("the first read")
        broker.answer([Delivery(1)])
        let settled = try await app.settlements.receive("the settlement")
        try await stop(driver)
        return settled
    }

    @Test("pull is asked for the room left and is not called while the bound is reached")
    func pullRespectsTheBound() async throws {
        let app = FakeApp(holding: true)
        let broker = ScriptedBroker()
        let driver = app.driver(maxConcurrency: 3)
        driver.start { try await broker.pull(room: $0) }

        #expect(try await broker.reads.receive("the first read") == 3)
        broker.answer([Delivery(1), Delivery(2)])
        #expect(try await broker.reads.receive("the second read") == 1)
        broker.answer([Delivery(3)])
        _ = try await app.started.receive(3, "three handlers to start")
        #expect(driver.held == 3)

        app.release(1)
        // Had the driver read at the bound, this read would have asked for 0.
        #expect(try await broker.reads.receive("a read once a slot is free") == 1)
        #expect(broker.readCount == 3)
        broker.answer([Delivery(4)])
        _ = try await app.started.receive("the fourth handler")
        #expect(app.maxRunning == 3)

        app.releaseAll()
        try await stop(driver)
    }

    @Test("under load, no more than maxConcurrency handlers run at once and every message is acked")
    func boundUnderLoad() async throws {
        let app = FakeApp()
        let rooms = Mutex<[Int]>([])
        let next = Mutex(1)
        let driver = app.driver(maxConcurrency: 3)
        driver.start { room in
            rooms.withLock { $0.append(room) }
            await Task.yield()
            return next.withLock { next -> [Delivery]? in
                guard next <= 20 else { return nil }
                defer { next = min(next + room, 21) }
                return (next..<min(next + room, 21)).map { Delivery($0) }
            }
        }
        try await completes("the source to run dry") { await driver.finish() }

        #expect(app.acked.sorted() == Array(1...20))
        #expect(app.maxRunning <= 3)
        #expect(rooms.withLock { $0 }.allSatisfy { (1...3).contains($0) })
    }

    @Test("a handler that returns acks its message")
    func returnAcks() async throws {
        #expect(try await settlement(ofHandlerThrowing: nil) == Settled(acks: [1]))
    }

    @Test("a handler throwing a NackExplaining error nacks with the error's own reason")
    func explainedError() async throws {
        let settled = try await settlement(ofHandlerThrowing: Poisoned())
        #expect(settled == Settled(nacks: [.init(id: 1, reason: .failed("poisoned"))]))
    }

    @Test("a handler throwing CancellationError nacks as cancelled")
    func cancellation() async throws {
        let settled = try await settlement(ofHandlerThrowing: CancellationError())
        #expect(settled == Settled(nacks: [.init(id: 1, reason: .cancelled)]))
    }

    @Test("a handler throwing any other error nacks as failed with the error's text")
    func otherError() async throws {
        let settled = try await settlement(ofHandlerThrowing: AppError())
        #expect(settled == Settled(nacks: [.init(id: 1, reason: .failed("app said no"))]))
    }

    @Test("a handler whose task is cancelled (a drain cancels the delivery) still has its message settled outside the cancellation")
    func settleOutsideACancelledHandler() async throws {
        let settledCancelled = Mutex<[Bool]>([])
        let settlements = Mailbox<Settled>()
        let broker = ScriptedBroker()
        let driver = ConsumerDriver<Delivery>(
            configuration: .init(maxConcurrency: 4),
            handler: { _ in
                // What DeliveryPipeline's drain does to a delivery running in this task.
                withUnsafeCurrentTask { $0?.cancel() }
                throw CancellationError()
            },
            settle: { settlement in
                settledCancelled.withLock { $0.append(Task.isCancelled) }
                settlements.send(Settled(settlement))
            })
        driver.start { try await broker.pull(room: $0) }
        _ = try await broker.reads.receive("the first read")
        broker.answer([Delivery(1)])
        #expect(try await settlements.receive("the settlement") == Settled(nacks: [.init(id: 1, reason: .cancelled)]))
        #expect(settledCancelled.withLock { $0 } == [false], "settle ran in the cancelled task")
        try await stop(driver)
    }

    @Test("messages that finish while settle runs are settled together in the next call")
    func batching() async throws {
        let app = FakeApp(holding: true, settling: false)
        let broker = ScriptedBroker()
        let driver = app.driver(ordered: true)
        driver.start { try await broker.pull(room: $0) }
        _ = try await broker.reads.receive("the first read")
        broker.answer([Delivery(1), Delivery(2, key: "a"), Delivery(3, key: "a"), Delivery(4, key: "b"), Delivery(5, key: "b")])
        _ = try await app.started.receive(3, "1, 2 and 4 to start")

        app.release(1)
        #expect(try await app.settlements.receive("the first settle") == Settled(acks: [1]))
        app.release(2, 4)
        // 3 and 5 start only after 2 and 4 are recorded as finished.
        _ = try await app.started.receive(2, "3 and 5 to start")
        app.settleGate.open()
        let second = try await app.settlements.receive("the second settle")
        #expect(Set(second.acks) == [2, 4])
        #expect(second.nacks.isEmpty)

        app.releaseAll()
        try await stop(driver)
    }

    @Test("a settle call never receives more than maxSettlementBatch messages")
    func batchLimit() async throws {
        let app = FakeApp(holding: true, settling: false)
        let broker = ScriptedBroker()
        let driver = app.driver(maxSettlementBatch: 2, ordered: true)
        driver.start { try await broker.pull(room: $0) }
        _ = try await broker.reads.receive("the first read")
        broker.answer([Delivery(1)] + ["a", "b", "c"].enumerated().flatMap { index, key in
            [Delivery(2 * index + 2, key: key), Delivery(2 * index + 3, key: key)]
        })
        _ = try await app.started.receive(4, "1, 2, 4 and 6 to start")

        app.release(1)
        _ = try await app.settlements.receive("the first settle")
        app.release(2, 4, 6)
        _ = try await app.started.receive(3, "3, 5 and 7 to start")
        app.settleGate.open()
        #expect(try await app.settlements.receive("the second settle").count == 2)

        app.releaseAll()
        try await stop(driver)
        #expect(app.acked.sorted() == Array(1...7))
        #expect(app.settlements.sent.allSatisfy { $0.count <= 2 })
    }

    @Test("a slot is freed only once its message is settled")
    func slotFreedAfterSettlement() async throws {
        let app = FakeApp(settling: false)
        let broker = ScriptedBroker()
        let driver = app.driver(maxConcurrency: 1)
        driver.start { try await broker.pull(room: $0) }
        _ = try await broker.reads.receive("the first read")
        broker.answer([Delivery(1)])

        _ = try await app.settlements.receive("the settle call")
        #expect(driver.held == 1)
        #expect(broker.readCount == 1)
        app.settleGate.open()
        #expect(try await broker.reads.receive("a read after the settlement") == 1)

        try await stop(driver)
    }

    @Test("messages with the same key run one at a time, in the order pulled")
    func sameKeyInOrder() async throws {
        let app = FakeApp(holding: true)
        let broker = ScriptedBroker()
        let driver = app.driver(ordered: true)
        driver.start { try await broker.pull(room: $0) }
        _ = try await broker.reads.receive("the first read")
        broker.answer([Delivery(1, key: "k"), Delivery(2, key: "k"), Delivery(3, key: "k")])

        #expect(try await app.started.receive("the first of the key").id == 1)
        app.release(1)
        #expect(try await app.started.receive("the second of the key").id == 2)
        app.release(2)
        #expect(try await app.started.receive("the third of the key").id == 3)
        app.release(3)

        try await stop(driver)
        #expect(app.keyOverlaps.isEmpty)
        #expect(app.acked == [1, 2, 3])
    }

    @Test("messages with different keys, or no key, run in parallel")
    func differentKeysInParallel() async throws {
        let app = FakeApp(holding: true)
        let broker = ScriptedBroker()
        let driver = app.driver(ordered: true)
        driver.start { try await broker.pull(room: $0) }
        _ = try await broker.reads.receive("the first read")
        broker.answer([Delivery(1, key: "a"), Delivery(2, key: "b"), Delivery(3), Delivery(4)])

        let started = try await app.started.receive(4, "all four to start while none has finished")
        #expect(Set(started.map(\.id)) == [1, 2, 3, 4])
        #expect(app.maxRunning == 4)

        app.releaseAll()
        try await stop(driver)
    }
}
