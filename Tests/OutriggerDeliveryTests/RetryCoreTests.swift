import OutriggerCore
import OutriggerDelivery
import OutriggerTesting
import Synchronization
import Testing

/// The attempt loop shared by pub/sub and input-binding deliveries, on a test clock.
@Suite("Retry core")
struct RetryCoreTests {
    /// Answers from a script, counting attempts.
    final class ScriptedAttempts: Sendable {
        let count = Mutex(0)
        let answers: [AppAnswer]
        init(_ answers: [AppAnswer]) { self.answers = answers }
        var attempts: Int { count.withLock { $0 } }
        func next() -> AppAnswer {
            count.withLock { count in
                count += 1
                return answers[min(count, answers.count) - 1]
            }
        }
    }

    @Test("binding rules: a failed attempt is retried after the policy's backoff on the clock")
    func retriesOnTheClock() async throws {
        let clock = TestClock()
        let core = try RetryCore(policy: DeliveryPolicy(backoff: .constant(.seconds(5)), maxRetries: 3), clock: clock.erased)
        let script = ScriptedAttempts([.retry("HTTP 500"), .retry("HTTP 503"), .success])
        let run = Task { try await core.run { script.next() } }
        await clock.sleepers(atLeast: 1)
        #expect(script.attempts == 1)
        clock.advance(by: .seconds(4))
        #expect(script.attempts == 1, "the retry must wait the whole backoff")
        clock.advance(by: .seconds(1))
        await clock.sleepers(atLeast: 1)
        #expect(script.attempts == 2)
        clock.advance(by: .seconds(5))
        let outcome = try await withDeadline(.seconds(60), "the third attempt") { try await run.value }
        #expect(outcome == .succeeded(attempts: 3))
    }

    @Test("retries run out: the outcome carries the last reason and the attempt count")
    func exhausted() async throws {
        let core = try RetryCore(policy: DeliveryPolicy(backoff: .constant(.zero), maxRetries: 2))
        let script = ScriptedAttempts([.retry("HTTP 500")])
        let outcome = try await core.run { script.next() }
        #expect(outcome == .exhausted(reason: "HTTP 500", attempts: 3))
    }

    @Test("a drop ends the loop at once")
    func dropped() async throws {
        let core = try RetryCore(policy: DeliveryPolicy(backoff: .constant(.zero), maxRetries: 5))
        let outcome = try await core.run { .drop("DROP") }
        #expect(outcome == .dropped(reason: "DROP", attempts: 1))
    }

    @Test("an attempt past its time limit on the clock counts as a failed attempt")
    func attemptTimeout() async throws {
        let clock = TestClock()
        let core = try RetryCore(
            policy: DeliveryPolicy(backoff: .constant(.zero), maxRetries: 0, attemptTimeout: .seconds(3)), clock: clock.erased)
        let run = Task {
            try await core.run {
                try await Task.sleep(for: .seconds(3600))
                return .success
            }
        }
        await clock.sleepers(atLeast: 1)
        clock.advance(by: .seconds(3))
        let outcome = try await withDeadline(.seconds(60), "the timed-out attempt") { try await run.value }
        #expect(outcome == .exhausted(reason: "timed out after 3s", attempts: 1))
    }

    @Test("a cancelled attempt ends the loop and does not count against the circuit breaker")
    func cancellationIsNoFailure() async throws {
        let breaker = ResiliencySpec.CircuitBreaker(maxRequests: 1, interval: .zero, timeout: .seconds(30), trip: "consecutiveFailures >= 1")
        let core = try RetryCore(policy: DeliveryPolicy(backoff: .constant(.zero), maxRetries: 3, circuitBreaker: breaker))
        let started = AsyncStream<Void>.makeStream()
        let run = Task {
            try await core.run {
                started.continuation.yield()
                try await Task.sleep(for: .seconds(3600))
                return .success
            }
        }
        var iterator = started.stream.makeAsyncIterator()
        await iterator.next()
        run.cancel()
        await #expect(throws: CancellationError.self) { try await run.value }
        #expect(core.circuitState == "closed")
        // A real failure still trips it, so the check above can fail.
        _ = try await core.run { .retry("HTTP 500") }
        #expect(core.circuitState == "open")
    }
}
