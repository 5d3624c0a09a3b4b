import OutriggerCore

/// An input binding the pipeline delivers for: where its events go, how they are retried, and
/// what happened to them.
public final class ActiveBinding: Sendable {
    /// The component's name.
    public let name: String
    /// The app route, with a leading slash: the component's `route` metadata, else its name.
    public let path: String
    public let policy: DeliveryPolicy
    public let counters = DeliveryCounters()
    let retries: RetryCore

    /// Throws when the policy's circuit breaker has a malformed `trip` expression.
    public init(name: String, route: String? = nil, policy: DeliveryPolicy, clock: AnyClock = .continuous) throws {
        self.name = name
        let route = route.flatMap { $0.isEmpty ? nil : $0 } ?? name
        self.path = route.hasPrefix("/") ? route : "/" + route
        self.policy = policy
        self.retries = try RetryCore(policy: policy, clock: clock)
    }

    /// `closed`, `open` or `half-open`; `nil` without a breaker.
    public var circuitState: String? { retries.circuitState }
}

extension DeliveryPipeline {
    /// The handler an input binding calls for every event: the app's route is called through
    /// the same retry core as pub/sub deliveries (the component's `inbound` Resiliency policy),
    /// with binding rules — any 2xx is done, anything else is retried. It returns when the app
    /// took the event and throws when retries ran out (the binding then redelivers or skips
    /// it, as its documentation says) or the sidecar is draining.
    public func bindingHandler(for binding: ActiveBinding) -> BindingHandler {
        { [self] event in
            try await self.track(binding.counters) { id in
                try await self.processBinding(event, delivery: id, binding: binding)
            }
        }
    }

    private func processBinding(_ event: BindingEvent, delivery id: UInt64, binding: ActiveBinding) async throws {
        let appEvent = AppBindingEvent(binding: binding.name, path: binding.path, data: event.data, metadata: event.metadata)
        let observer = RetryCore.Observer(
            willRetry: { [self] attempt, reason, wait in
                binding.counters.update { $0.retried += 1 }
                logger.debug("binding event will be retried", metadata: [
                    "binding": "\(binding.name)", "attempt": "\(attempt)", "reason": "\(reason)", "wait": "\(GoDuration.format(wait))",
                ])
                try enterRetryWait(id, true)
            },
            didWait: { [self] in try enterRetryWait(id, false) })
        let outcome = try await binding.retries.run(slot: appLimit, observer: observer) { [channel, tracer] in
            let span = tracer.start("bindings/\(binding.name)", kind: .consumer,
                                    parent: event.metadata["traceparent"], traceState: event.metadata["tracestate"],
                                    attributes: [("dapr.binding", binding.name), ("url.path", binding.path)])
            var attempt = appEvent
            attempt.metadata["traceparent"] = span.traceParent
            if !span.traceState.isEmpty { attempt.metadata["tracestate"] = span.traceState }
            do {
                let answer = try await channel.deliverBinding(attempt)
                span.end(error: answer == .success ? nil : "\(answer)")
                return answer
            } catch {
                span.end(error: "\(error)")
                throw error
            }
        }
        switch outcome {
        case .succeeded:
            binding.counters.update { $0.delivered += 1 }
        case .dropped(let reason, _):
            binding.counters.update { $0.dropped += 1 }
            logger.warning("binding event dropped", metadata: ["binding": "\(binding.name)", "reason": "\(reason)"])
        case .exhausted(let reason, let attempts):
            logger.error("binding event failed", metadata: ["binding": "\(binding.name)", "attempts": "\(attempts)", "reason": "\(reason)"])
            throw DeliveryFailure.retriesExhausted(attempts: attempts, lastReason: reason)
        }
    }
}
