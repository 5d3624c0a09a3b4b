import OutriggerSeam
import OutriggerTesting
import Testing

@Suite("Consumer driver: stopping and failed reads")
struct ConsumerDriverStopTests {
    @Test("stopPulling returns at once and cancels the pull in progress")
    func stopCancelsPull() async throws {
        let app = FakeApp()
        let broker = ScriptedBroker()
        let driver = app.driver()
        driver.start { try await broker.pull(room: $0) }
        _ = try await broker.reads.receive("the first read")

        driver.stopPulling()
        #expect(driver.phase == .stopping)
        #expect(try await broker.cancellations.receive("the read to be cancelled") == 1)
        try await completes("finish() to return") { await driver.finish() }
        #expect(driver.phase == .stopped)
    }

    @Test("messages waiting behind their key are nacked as draining without being started")
    func waitingMessagesDrain() async throws {
        let app = FakeApp(holding: true)
        let broker = ScriptedBroker()
        let driver = app.driver(ordered: true)
        driver.start { try await broker.pull(room: $0) }
        _ = try await broker.reads.receive("the first read")
        broker.answer([Delivery(1, key: "k"), Delivery(2, key: "k"), Delivery(3, key: "k")])
        _ = try await app.started.receive("the first of the key")

        driver.stopPulling()
        app.release(1)
        try await completes("finish() to return") { await driver.finish() }

        #expect(app.started.sent.map(\.id) == [1])
        #expect(app.acked == [1])
        #expect(app.nacked == [.init(id: 2, reason: .draining), .init(id: 3, reason: .draining)])
        #expect(driver.held == 0)
    }

    @Test("finish() returns only after the handlers in flight are done and settled")
    func finishWaitsForSettlement() async throws {
        let app = FakeApp(holding: true, settling: false)
        let broker = ScriptedBroker()
        let driver = app.driver()
        driver.start { try await broker.pull(room: $0) }
        _ = try await broker.reads.receive("the first read")
        broker.answer([Delivery(1)])
        _ = try await app.started.receive("the handler")

        driver.stopPulling()
        let finished = Mailbox<Void>()
        Task {
            await driver.finish()
            finished.send(())
        }
        app.release(1)
        _ = try await app.settlements.receive("the settle call")
        #expect(finished.sent.isEmpty, "finish() returned while the settlement was still running")
        app.settleGate.open()
        try await finished.receive("finish() to return")
        #expect(app.acked == [1])
    }

    @Test("nothing is pulled after stopPulling, even once handlers free their slots")
    func noPullAfterStop() async throws {
        let app = FakeApp(holding: true)
        let broker = ScriptedBroker()
        let driver = app.driver()
        driver.start { try await broker.pull(room: $0) }
        _ = try await broker.reads.receive("the first read")
        broker.answer([Delivery(1)])
        _ = try await broker.reads.receive("the second read")

        driver.stopPulling()
        app.release(1)
        try await completes("finish() to return") { await driver.finish() }
        #expect(broker.readCount == 2)
    }

    @Test("stopPulling while the bound is reached ends the wait for room")
    func stopWhileWaitingForRoom() async throws {
        let app = FakeApp(holding: true)
        let broker = ScriptedBroker()
        let driver = app.driver(maxConcurrency: 1)
        driver.start { try await broker.pull(room: $0) }
        _ = try await broker.reads.receive("the first read")
        broker.answer([Delivery(1)])
        _ = try await app.started.receive("the handler")

        driver.stopPulling()
        app.release(1)
        try await completes("finish() to return") { await driver.finish() }
        #expect(broker.readCount == 1)
        #expect(app.acked == [1])
    }

    @Test("messages a cancelled pull still returns are nacked as draining without being started")
    func lateMessagesDrain() async throws {
        let app = FakeApp()
        let broker = ScriptedBroker(ignoresCancellation: true)
        let driver = app.driver()
        driver.start { try await broker.pull(room: $0) }
        _ = try await broker.reads.receive("the first read")

        driver.stopPulling()
        _ = try await broker.cancellations.receive("the read to be cancelled")
        broker.answer([Delivery(1), Delivery(2)])
        try await completes("finish() to return") { await driver.finish() }

        #expect(app.started.sent.isEmpty)
        #expect(app.nacked == [.init(id: 1, reason: .draining), .init(id: 2, reason: .draining)])
        #expect(driver.held == 0)
    }

    @Test("a failed pull calls recover with the failures in a row, and pulling goes on")
    func recoverCountsFailures() async throws {
        let app = FakeApp()
        let broker = ScriptedBroker()
        struct Recovery: Equatable {
            var error: BrokerDown?
            var failures: Int
        }
        let recoveries = Mailbox<Recovery>()
        let driver = app.driver()
        driver.start(recover: { error, failures in
            recoveries.send(Recovery(error: error as? BrokerDown, failures: failures))
        }, pull: { try await broker.pull(room: $0) })

        _ = try await broker.reads.receive("read 1")
        broker.fail(BrokerDown(detail: "1"))
        #expect(try await recoveries.receive("recover after read 1") == Recovery(error: BrokerDown(detail: "1"), failures: 1))
        _ = try await broker.reads.receive("read 2")
        broker.fail(BrokerDown(detail: "2"))
        #expect(try await recoveries.receive("recover after read 2") == Recovery(error: BrokerDown(detail: "2"), failures: 2))
        _ = try await broker.reads.receive("read 3")
        broker.answer([Delivery(1)])
        #expect(try await app.settlements.receive("the message read 3 returned") == Settled(acks: [1]))
        _ = try await broker.reads.receive("read 4")
        broker.fail(BrokerDown(detail: "4"))
        #expect(try await recoveries.receive("recover after read 4") == Recovery(error: BrokerDown(detail: "4"), failures: 1))
        _ = try await broker.reads.receive("read 5")

        #expect(driver.phase == .running)
        try await stop(driver)
    }

    @Test("without recover, a failed pull waits the configured backoff on the clock")
    func backoffOnClock() async throws {
        let clock = TestClock()
        let app = FakeApp()
        let broker = ScriptedBroker()
        let driver = app.driver(pullBackoff: Backoff(initial: .seconds(1), multiplier: 2, maximum: .seconds(10)), clock: clock.erased)
        driver.start { try await broker.pull(room: $0) }

        _ = try await broker.reads.receive("read 1")
        broker.fail(BrokerDown(detail: "1"))
        try await withDeadline(eventDeadline, "the first backoff") { await clock.sleepers(atLeast: 1) }
        clock.advance(by: .milliseconds(999))
        #expect(clock.sleeperCount == 1)
        #expect(broker.readCount == 1)
        clock.advance(by: .milliseconds(1))
        _ = try await broker.reads.receive("read 2")

        broker.fail(BrokerDown(detail: "2"))
        try await withDeadline(eventDeadline, "the second backoff") { await clock.sleepers(atLeast: 1) }
        clock.advance(by: .milliseconds(1999))
        #expect(clock.sleeperCount == 1)
        clock.advance(by: .milliseconds(1))
        _ = try await broker.reads.receive("read 3")

        try await stop(driver)
    }

    @Test("stopPulling during the backoff after a failed pull ends the wait at once")
    func stopDuringBackoff() async throws {
        let clock = TestClock()
        let app = FakeApp()
        let broker = ScriptedBroker()
        let driver = app.driver(pullBackoff: .constant(.seconds(60)), clock: clock.erased)
        driver.start { try await broker.pull(room: $0) }
        _ = try await broker.reads.receive("read 1")
        broker.fail(BrokerDown(detail: "1"))
        try await withDeadline(eventDeadline, "the backoff") { await clock.sleepers(atLeast: 1) }

        try await stop(driver)
        #expect(clock.sleeperCount == 0)
        #expect(broker.readCount == 1)
    }

    @Test("stopPulling cancels a recover that is still waiting")
    func stopCancelsRecover() async throws {
        let app = FakeApp()
        let broker = ScriptedBroker()
        let recovering = Mailbox<Void>()
        let recoverEnded = Mailbox<Bool>()
        let driver = app.driver()
        driver.start(recover: { _, _ in
            recovering.send(())
            let neverOpened = Gate()
            do { try await neverOpened.wait() } catch { recoverEnded.send(error is CancellationError) }
        }, pull: { try await broker.pull(room: $0) })
        _ = try await broker.reads.receive("read 1")
        broker.fail(BrokerDown(detail: "1"))
        _ = try await recovering.receive("recover to be called")

        try await stop(driver)
        #expect(try await recoverEnded.receive("recover to end") == true)
        #expect(broker.readCount == 1)
    }

    @Test("a pull returning nil ends the loop")
    func sourceEnds() async throws {
        let app = FakeApp()
        let broker = ScriptedBroker()
        let driver = app.driver()
        driver.start { try await broker.pull(room: $0) }
        _ = try await broker.reads.receive("the first read")
        broker.answer(nil)

        try await completes("finish() to return without stopPulling") { await driver.finish() }
        #expect(broker.readCount == 1)
        #expect(driver.phase == .stopped)
    }

    @Test("cancelling one driver's subscription leaves another driver running")
    func cancelStopsOnlyThatDriver() async throws {
        let (appA, brokerA) = (FakeApp(), ScriptedBroker())
        let (appB, brokerB) = (FakeApp(), ScriptedBroker())
        let (driverA, driverB) = (appA.driver(), appB.driver())
        driverA.start { try await brokerA.pull(room: $0) }
        driverB.start { try await brokerB.pull(room: $0) }
        _ = try await brokerA.reads.receive("A's first read")
        _ = try await brokerB.reads.receive("B's first read")

        let subscription = driverA.subscription
        try await completes("A's subscription to cancel") { await subscription.cancel() }
        #expect(driverA.phase == .stopped)
        #expect(driverB.phase == .running)
        #expect(brokerB.cancellations.sent.isEmpty)
        brokerB.answer([Delivery(1)])
        #expect(try await appB.settlements.receive("B's settlement") == Settled(acks: [1]))

        try await stop(driverB)
    }

    @Test("a driver stopped before it starts never reads")
    func stopBeforeStart() async throws {
        let app = FakeApp()
        let broker = ScriptedBroker()
        let driver = app.driver()
        driver.stopPulling()
        driver.start { try await broker.pull(room: $0) }

        try await completes("finish() to return") { await driver.finish() }
        #expect(broker.readCount == 0)
        #expect(driver.phase == .stopped)
    }
}
