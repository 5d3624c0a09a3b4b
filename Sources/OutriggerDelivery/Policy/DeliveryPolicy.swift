import OutriggerCore

/// How deliveries from one component to the app are retried and timed out: the component's
/// `inbound` Resiliency target, or the default when none applies.
public struct DeliveryPolicy: Sendable, Hashable {
    /// Waits between attempts.
    public var backoff: Backoff
    /// Retries after the first attempt; `nil` retries until the app succeeds or shutdown.
    public var maxRetries: Int?
    /// Time limit of one attempt; `nil` is none beyond the app channel's own.
    public var attemptTimeout: Duration?
    /// Opens after repeated failures so a failing app is not hammered.
    public var circuitBreaker: ResiliencySpec.CircuitBreaker?

    public init(backoff: Backoff, maxRetries: Int?, attemptTimeout: Duration? = nil, circuitBreaker: ResiliencySpec.CircuitBreaker? = nil) {
        self.backoff = backoff
        self.maxRetries = maxRetries
        self.attemptTimeout = attemptTimeout
        self.circuitBreaker = circuitBreaker
    }

    /// With no Resiliency policy: exponential from 100 ms, doubling, capped at 10 s, 10 retries
    /// (11 attempts, about 43 s in all). Documented in docs/delivery.md.
    public static let `default` = DeliveryPolicy(
        backoff: Backoff(initial: .milliseconds(100), multiplier: 2, maximum: .seconds(10)),
        maxRetries: 10)

    /// The wait before retry `retry` (1-based), or `nil` when retries are exhausted.
    public func delay(beforeRetry retry: Int) -> Duration? {
        if let maxRetries, retry > maxRetries { return nil }
        return backoff.delay(beforeRetry: retry)
    }
}

extension DeliveryPolicy {
    /// The policy for `component` in `direction` from the Resiliency documents visible to the app;
    /// the first document that targets the component wins.
    public static func resolve(component: String, inbound: Bool, resiliencies: [ResiliencySpec], fallback: DeliveryPolicy = .default) -> DeliveryPolicy {
        for spec in resiliencies {
            guard let target = inbound ? spec.inbound[component] : spec.outbound[component] else { continue }
            var policy = fallback
            if let name = target.retry, let retry = spec.retries[name] {
                switch retry.policy {
                case .constant:
                    policy.backoff = .constant(retry.duration)
                case .exponential:
                    policy.backoff = Backoff(initial: .milliseconds(500), multiplier: 1.5, maximum: retry.maxInterval, jitter: 0.5)
                }
                policy.maxRetries = retry.maxRetries
            }
            if let name = target.timeout { policy.attemptTimeout = spec.timeouts[name] }
            if let name = target.circuitBreaker { policy.circuitBreaker = spec.circuitBreakers[name] }
            return policy
        }
        return fallback
    }
}
