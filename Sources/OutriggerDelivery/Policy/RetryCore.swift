import OutriggerCore
import Synchronization

/// The attempt loop every delivery to the app goes through — pub/sub events and input-binding
/// events alike: circuit breaker, per-attempt timeout, retries with the policy's backoff, all on
/// one clock. It knows nothing of CloudEvents, routes or dead letters: the caller's `attempt`
/// turns an app call into an ``AppAnswer`` (pub/sub reads RETRY/DROP bodies; bindings read 2xx
/// as success and anything else as retry) and the caller decides what to do with the outcome.
///
/// One `RetryCore` per subscription or input binding: its circuit breaker is shared by all the
/// deliveries of that source. A cancelled attempt (shutdown, rebalance, drain timeout) does not
/// count against the breaker and ends the loop with `CancellationError`.
public final class RetryCore: Sendable {
    /// How a delivery ended.
    public enum Outcome: Sendable, Equatable {
        case succeeded(attempts: Int)
        case dropped(reason: String, attempts: Int)
        /// Retries are exhausted; the last attempt's reason.
        case exhausted(reason: String, attempts: Int)
    }

    /// Hooks into the loop for logging, counters and the drain.
    public struct Observer: Sendable {
        /// Called before each wait for a retry (attempt number, reason, wait); throwing ends the
        /// loop with that error (the pipeline throws when draining).
        public var willRetry: @Sendable (_ attempt: Int, _ reason: String, _ wait: Duration) throws -> Void
        /// Called after the wait, before the next attempt.
        public var didWait: @Sendable () throws -> Void

        public init(
            willRetry: @escaping @Sendable (Int, String, Duration) throws -> Void = { _, _, _ in },
            didWait: @escaping @Sendable () throws -> Void = {}
        ) {
            self.willRetry = willRetry
            self.didWait = didWait
        }
    }

    public let policy: DeliveryPolicy
    public let clock: AnyClock
    private let breaker: Mutex<CircuitBreaker<AnyClock.Instant>?>

    /// Throws when the policy's circuit breaker has a malformed `trip` expression.
    public init(policy: DeliveryPolicy, clock: AnyClock = .continuous) throws {
        self.policy = policy
        self.clock = clock
        self.breaker = Mutex(try policy.circuitBreaker.map { try CircuitBreaker(settings: $0, now: clock.now) })
    }

    /// `closed`, `open` or `half-open`; `nil` without a breaker.
    public var circuitState: String? { breaker.withLock { $0?.stateName } }

    /// Attempts until the app succeeds or drops, or the policy's retries run out. With `slot`,
    /// each attempt first waits for a slot of that limit (`--app-max-concurrency`); the wait is
    /// not part of the attempt's time limit.
    public func run(
        slot: ConcurrencyLimit? = nil, observer: Observer = Observer(), _ attempt: @escaping @Sendable () async throws -> AppAnswer
    ) async throws -> Outcome {
        var attempts = 0
        while true {
            attempts += 1
            switch try await once(slot: slot, attempt) {
            case .success:
                return .succeeded(attempts: attempts)
            case .drop(let reason):
                return .dropped(reason: reason, attempts: attempts)
            case .retry(let reason):
                guard let delay = policy.delay(beforeRetry: attempts) else {
                    return .exhausted(reason: reason, attempts: attempts)
                }
                try observer.willRetry(attempts, reason, delay)
                try await clock.sleep(for: delay)
                try observer.didWait()
            }
        }
    }

    /// One attempt: breaker, timeout, app call. Throws `CancellationError` when cancelled.
    private func once(slot: ConcurrencyLimit?, _ attempt: @escaping @Sendable () async throws -> AppAnswer) async throws -> AppAnswer {
        let admitted = breaker.withLock { breaker -> Bool in
            guard breaker != nil else { return true }
            return breaker!.admit(now: clock.now)
        }
        guard admitted else { return .retry("circuit breaker open") }
        let answer: AppAnswer
        do {
            if let slot {
                answer = try await slot.withSlot { try await withTimeLimit(policy.attemptTimeout, clock: clock, attempt) }
            } else {
                answer = try await withTimeLimit(policy.attemptTimeout, clock: clock, attempt)
            }
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            if Task.isCancelled { throw CancellationError() }
            answer = .retry("\(error)")
        }
        let success: Bool = if case .retry = answer { false } else { true }
        breaker.withLock { $0?.record(success: success, now: clock.now) }
        return answer
    }
}
