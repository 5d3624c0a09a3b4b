import OutriggerCore
import OutriggerDelivery
import OutriggerTesting
import Synchronization
import Testing

@Suite("Drain at shutdown")
struct DrainTests {
    @Test("a slow delivery finishes during the drain and is acked")
    func slowDeliveryFinishes() async throws {
        let fixture = try await PipelineFixture { _, _ in
            try await Task.sleep(for: .milliseconds(300))
            return .success
        }
        async let outcome = fixture.deliver()
        _ = try #require(await fixture.app.nextDelivery(within: .seconds(60)))
        await fixture.pipeline.drain(timeout: .seconds(10))
        #expect(await outcome == .acked)
        #expect(fixture.pipeline.phase == .stopped)
    }

    @Test("a delivery still running at the drain timeout is cancelled and nacked, never dead-lettered")
    func timeoutNacks() async throws {
        let spec = SubscriptionSpec(pubsubName: "pubsub", topic: "orders", defaultRoute: "/orders", deadLetterTopic: "dead", source: .app)
        let fixture = try await PipelineFixture(spec: spec) { _, _ in
            try await Task.sleep(for: .seconds(600))
            return .success
        }
        async let outcome = fixture.deliver()
        _ = try #require(await fixture.app.nextDelivery(within: .seconds(60)))
        let start = ContinuousClock.now
        await fixture.pipeline.drain(timeout: .milliseconds(200))
        // Generous for a loaded box; a drain that waited for the handler would take 600 s.
        #expect(ContinuousClock.now - start < .seconds(60))
        guard case .nacked = await outcome else {
            Issue.record("expected a nack")
            return
        }
        #expect(fixture.broker.published.isEmpty)
    }

    @Test("a delivery waiting for its next retry stops waiting at once and is nacked")
    func waitingRetryIsNacked() async throws {
        let policy = DeliveryPolicy(backoff: .constant(.seconds(600)), maxRetries: 5)
        let fixture = try await PipelineFixture(policy: policy) { _, _ in .retry("later") }
        async let outcome = fixture.deliver()
        _ = try #require(await fixture.app.nextDelivery(within: .seconds(60)))
        while fixture.subscription.counters.snapshot.retried == 0 { await Task.yield() }
        let start = ContinuousClock.now
        await fixture.pipeline.drain(timeout: .seconds(300))
        // Generous for a loaded box; a drain that waited out the backoff or its own timeout
        // would take 300 s or more.
        #expect(ContinuousClock.now - start < .seconds(60))
        guard case .nacked = await outcome else {
            Issue.record("expected a nack")
            return
        }
        #expect(fixture.app.attempts(of: "e1") == 1)
    }

    @Test("messages arriving after the drain started are nacked without reaching the app")
    func newMessagesRefused() async throws {
        let fixture = try await PipelineFixture()
        await fixture.pipeline.drain(timeout: .seconds(1))
        guard case .nacked = await fixture.deliver() else {
            Issue.record("expected a nack")
            return
        }
        #expect(fixture.app.deliveries.isEmpty)
    }
}

@Suite("Concurrency limits")
struct ConcurrencyTests {
    @Test("--app-max-concurrency bounds deliveries at the app")
    func appLimit() async throws {
        let current = Mutex(0)
        let peak = Mutex(0)
        let fixture = try await PipelineFixture(appMaxConcurrency: 2) { _, _ in
            let now = current.withLock { $0 += 1; return $0 }
            peak.withLock { $0 = max($0, now) }
            try await Task.sleep(for: .milliseconds(20))
            current.withLock { $0 -= 1 }
            return .success
        }
        await withTaskGroup(of: FakePubSub.Outcome.self) { group in
            for index in 0..<8 { group.addTask { await fixture.deliver(id: "m\(index)") } }
            for await outcome in group { #expect(outcome == .acked) }
        }
        #expect(peak.withLock { $0 } == 2)
        #expect(fixture.app.deliveries.count == 8)
    }

    @Test("ConcurrencyLimit hands slots out in order and wakes waiters on release")
    func limitOrder() async throws {
        let limit = ConcurrencyLimit(1)
        try await limit.acquire()
        #expect(limit.inUse == 1)
        let acquired = Mutex(false)
        let waiter = Task {
            try await limit.acquire()
            acquired.withLock { $0 = true }
        }
        await Task.yield()
        #expect(acquired.withLock { $0 } == false)
        limit.release()
        try await waiter.value
        #expect(acquired.withLock { $0 })
        #expect(limit.inUse == 1)
    }

    @Test("a cancelled waiter leaves the queue without taking a slot")
    func cancelledWaiter() async throws {
        let limit = ConcurrencyLimit(1)
        try await limit.acquire()
        let waiter = Task { try await limit.acquire() }
        waiter.cancel()
        await #expect(throws: CancellationError.self) { try await waiter.value }
        limit.release()
        #expect(limit.inUse == 0)
    }
}
