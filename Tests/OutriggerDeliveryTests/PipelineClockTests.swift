import OutriggerCore
import OutriggerDelivery
import OutriggerTesting
import Testing

/// Retry waits, bulk timers and the drain deadline come from the pipeline's clock, so these
/// run on a test clock and take no wall time.
@Suite("Pipeline on a test clock")
struct PipelineClockTests {
    @Test("a retry waits the policy's backoff on the pipeline's clock")
    func retryWaitsOnTheClock() async throws {
        let clock = TestClock()
        let policy = DeliveryPolicy(backoff: .constant(.seconds(30)), maxRetries: 1)
        let fixture = try await PipelineFixture(policy: policy, clock: clock.erased) { _, attempt in
            attempt == 1 ? .retry("app answered RETRY") : .success
        }
        async let outcome = fixture.deliver()
        await clock.sleepers(atLeast: 1)
        #expect(fixture.app.attempts(of: "e1") == 1)
        clock.advance(by: .seconds(30))
        #expect(await outcome == .acked)
        #expect(fixture.app.attempts(of: "e1") == 2)
    }

    @Test("a partial bulk batch leaves when the await time passes on the clock")
    func bulkTimerOnTheClock() async throws {
        let clock = TestClock()
        let spec = SubscriptionSpec(
            pubsubName: "pubsub", topic: "orders", defaultRoute: "/bulk",
            bulkSubscribe: .init(enabled: true, maxMessagesCount: 10, maxAwaitDuration: .seconds(2)), source: .app)
        let fixture = try await PipelineFixture(spec: spec, clock: clock.erased)
        async let outcome = fixture.deliver()
        await clock.sleepers(atLeast: 1)
        #expect(fixture.app.batchSizes.isEmpty)
        clock.advance(by: .seconds(2))
        #expect(await outcome == .acked)
        #expect(fixture.app.batchSizes == [1])
    }

    @Test("a bulk batch stuck at the app is cancelled by the drain timeout and its event nacked")
    func bulkBatchObeysTheDrain() async throws {
        let clock = TestClock()
        let spec = SubscriptionSpec(
            pubsubName: "pubsub", topic: "orders", defaultRoute: "/bulk",
            bulkSubscribe: .init(enabled: true, maxMessagesCount: 1, maxAwaitDuration: .seconds(1)), source: .app)
        let fixture = try await PipelineFixture(spec: spec, clock: clock.erased) { _, _ in
            try await Task.sleep(for: .seconds(3600))
            return .success
        }
        async let outcome = fixture.deliver()
        _ = try #require(await fixture.app.nextDelivery(within: .seconds(60)))
        let drain = Task { await fixture.pipeline.drain(timeout: .seconds(5)) }
        await clock.sleepers(atLeast: 1)
        clock.advance(by: .seconds(5))
        try await withDeadline(.seconds(60), "the drain to end at its timeout") { await drain.value }
        #expect(await outcome == .nacked(DeliveryFailure.draining.description))
    }

    @Test("a drain-cancelled delivery goes back as draining and does not trip the breaker")
    func drainIsNoFailure() async throws {
        let clock = TestClock()
        let breaker = ResiliencySpec.CircuitBreaker(trip: "consecutiveFailures >= 1")
        let policy = DeliveryPolicy(backoff: .constant(.zero), maxRetries: 0, circuitBreaker: breaker)
        let fixture = try await PipelineFixture(policy: policy, clock: clock.erased) { _, _ in
            try await Task.sleep(for: .seconds(3600))
            return .success
        }
        async let outcome = fixture.deliver()
        _ = try #require(await fixture.app.nextDelivery(within: .seconds(60)))
        async let drained: Void = fixture.pipeline.drain(timeout: .seconds(1))
        await clock.sleepers(atLeast: 1)
        clock.advance(by: .seconds(1))
        await drained
        #expect(await outcome == .nacked(DeliveryFailure.draining.description))
        #expect(fixture.subscription.circuitState == "closed")
    }
}
