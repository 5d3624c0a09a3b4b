import CloudEvents
import Logging
import OutriggerCore
import Synchronization

/// Owns every delivery decision: routing, TTL, retries with backoff, per-attempt timeouts, the
/// circuit breaker, dead-lettering, the app-wide concurrency limit, and the drain at shutdown.
///
/// Components hand each message to ``handler(for:pubsub:)``; it returns when the message is done
/// (delivered, dropped, expired or safely dead-lettered) and throws when the component must make
/// the broker redeliver it. The pipeline never acks or nacks by itself.
///
/// Drain (``drain(timeout:)``): new messages are refused (nacked), deliveries waiting for a retry
/// stop waiting and are nacked, deliveries talking to the app get until the timeout, then are
/// cancelled and nacked. Nothing in flight at shutdown is dead-lettered.
public final class DeliveryPipeline: Sendable {
    public enum Phase: String, Sendable {
        case running
        case draining
        case stopped
    }

    private struct InFlight: @unchecked Sendable {
        /// The task running the delivery; valid while the entry exists (see ``track(_:_:)``).
        var task: UnsafeCurrentTask?
        var waitingForRetry = false
    }

    private struct State {
        var phase = Phase.running
        var inFlight: [UInt64: InFlight] = [:]
        var nextID: UInt64 = 0
        var drained: [CheckedContinuation<Void, Never>] = []
    }

    public let appID: String
    let channel: any AppChannel
    let logger: Logger
    /// Retry waits, attempt timeouts and the drain deadline are measured on it.
    public let clock: AnyClock
    let appLimit: ConcurrencyLimit?
    /// One span per delivery attempt, the child of the event's `traceparent`.
    let tracer: SidecarTracer
    private let state = Mutex(State())

    /// - Parameter appMaxConcurrency: at most this many events at the app at once (`--app-max-concurrency`).
    public init(appID: String, channel: any AppChannel, appMaxConcurrency: Int? = nil, clock: AnyClock = .continuous, tracer: SidecarTracer = .propagationOnly, logger: Logger) {
        self.appID = appID
        self.channel = channel
        self.tracer = tracer
        self.appLimit = appMaxConcurrency.map(ConcurrencyLimit.init)
        self.clock = clock
        self.logger = logger
    }

    public var phase: Phase { state.withLock { $0.phase } }

    /// Deliveries under way right now.
    public var inFlightCount: Int { state.withLock { $0.inFlight.count } }

    /// The handler a component calls for every message of `subscription`.
    public func handler(for subscription: ActiveSubscription, pubsub: any PubSub) -> MessageHandler {
        { [self] message in
            try await self.track(subscription.counters) { id in
                try await self.process(message, delivery: id, subscription: subscription, pubsub: pubsub)
            }
        }
    }

    // MARK: - In-flight tracking

    func track(_ counters: DeliveryCounters, _ work: @escaping @Sendable (UInt64) async throws -> Void) async throws {
        // The work runs in the caller's task (a component's consumer task), not a task of its
        // own: a task per message cost about 7 µs of CPU per delivery (its start, two hops on the
        // cooperative pool). The drain cancels the caller's task through an unsafe handle, which
        // is valid while this call runs: it is stored, used and removed under the lock only.
        // So a cancellation handler anywhere in a delivery must not take this pipeline's lock.
        let id: UInt64? = withUnsafeCurrentTask { current in
            state.withLock { state in
                guard state.phase == .running else { return nil }
                state.nextID += 1
                state.inFlight[state.nextID] = InFlight(task: current)
                return state.nextID
            }
        }
        guard let id else {
            counters.update { $0.nacked += 1 }
            throw DeliveryFailure.draining
        }
        counters.update { $0.inFlight += 1 }
        defer {
            counters.update { $0.inFlight -= 1 }
            let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
                state.inFlight[id] = nil
                guard state.inFlight.isEmpty else { return [] }
                defer { state.drained = [] }
                return state.drained
            }
            for waiter in waiters { waiter.resume() }
        }
        do {
            try await work(id)
        } catch is CancellationError where phase != .running {
            // Cancelled by the drain: the message goes back untouched, as a draining one.
            counters.update { $0.nacked += 1 }
            throw DeliveryFailure.draining
        } catch {
            counters.update { $0.nacked += 1 }
            throw error
        }
    }

    /// Marks delivery `id` as sleeping before a retry (a drain cancels those at once);
    /// throws instead when the pipeline is already draining.
    func enterRetryWait(_ id: UInt64, _ waiting: Bool) throws {
        let draining = state.withLock { state -> Bool in
            guard state.phase == .running else { return true }
            state.inFlight[id]?.waitingForRetry = waiting
            return false
        }
        if draining && waiting { throw DeliveryFailure.draining }
    }

    /// Stops taking messages and waits up to `timeout` for deliveries in flight; what is still
    /// running then is cancelled, and its message goes back to the broker.
    public func drain(timeout: Duration) async {
        state.withLock { state in
            state.phase = .draining
            for entry in state.inFlight.values where entry.waitingForRetry { entry.task?.cancel() }
        }
        logger.info("delivery pipeline draining", metadata: ["in-flight": "\(inFlightCount)", "timeout": "\(GoDuration.format(timeout))"])
        await withTaskGroup(of: Bool.self) { group in
            group.addTask { await self.waitUntilIdle(); return true }
            group.addTask { try? await self.clock.sleep(for: timeout); return false }
            let finished = await group.next() ?? true
            group.cancelAll()
            if !finished {
                let remaining = self.state.withLock { state in
                    for entry in state.inFlight.values { entry.task?.cancel() }
                    return state.inFlight.count
                }
                self.logger.warning("drain timeout: returning unfinished deliveries to the broker", metadata: ["count": "\(remaining)"])
                await self.waitUntilIdle()
            }
        }
        state.withLock { $0.phase = .stopped }
        logger.info("delivery pipeline stopped")
    }

    private func waitUntilIdle() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let idle = state.withLock { state -> Bool in
                if state.inFlight.isEmpty { return true }
                state.drained.append(continuation)
                return false
            }
            if idle { continuation.resume() }
        }
    }
}

/// Why the pipeline hands a message back to the component (the broker redelivers it); the
/// component reads it as a ``NackReason``.
public enum DeliveryFailure: Error, Sendable, CustomStringConvertible, NackExplaining {
    /// The sidecar is shutting down.
    case draining
    /// Retries are exhausted and the subscription has no dead-letter topic.
    case retriesExhausted(attempts: Int, lastReason: String)
    /// Publishing to the dead-letter topic failed.
    case deadLetterFailed(topic: String, reason: String)

    public var nackReason: NackReason {
        switch self {
        case .draining: .draining
        case .retriesExhausted, .deadLetterFailed: .failed(description)
        }
    }

    public var description: String {
        switch self {
        case .draining: "the sidecar is shutting down; the message goes back to the broker"
        case .retriesExhausted(let attempts, let reason): "gave up after \(attempts) attempts (\(reason)); the message goes back to the broker"
        case .deadLetterFailed(let topic, let reason): "publishing to dead-letter topic '\(topic)' failed: \(reason)"
        }
    }
}
