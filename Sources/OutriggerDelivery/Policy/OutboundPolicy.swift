import OutriggerCore

/// Calls from the sidecar to a component on the app's behalf — publishes and output-binding
/// invocations — under the component's `outbound` Resiliency target: retries with the policy's
/// backoff (never after a terminal component error or a refused request), a per-attempt
/// timeout. With no target a call is tried once, as in Dapr.
public struct OutboundPolicy: Sendable {
    public let resiliencies: [ResiliencySpec]
    public let clock: AnyClock

    public init(resiliencies: [ResiliencySpec], clock: AnyClock = .continuous) {
        self.resiliencies = resiliencies
        self.clock = clock
    }

    /// One attempt, no retry: the policy when no Resiliency document targets the component.
    static let singleAttempt = DeliveryPolicy(backoff: .constant(.zero), maxRetries: 0)

    /// The policy for calls to `component`.
    public func policy(for component: String) -> DeliveryPolicy {
        DeliveryPolicy.resolve(component: component, inbound: false, resiliencies: resiliencies, fallback: Self.singleAttempt)
    }

    /// Runs `operation` under `component`'s outbound policy; throws the last error.
    public func run<T: Sendable>(_ component: String, _ operation: @escaping @Sendable () async throws -> T) async throws -> T {
        let policy = policy(for: component)
        var retry = 0
        while true {
            do {
                return try await withTimeLimit(policy.attemptTimeout, clock: clock, operation)
            } catch let error as ComponentError where error.kind == .terminal {
                throw error
            } catch let error as InvalidBindingRequest {
                throw error
            } catch {
                retry += 1
                guard let delay = policy.delay(beforeRetry: retry), !Task.isCancelled else { throw error }
                try await clock.sleep(for: delay)
            }
        }
    }
}
