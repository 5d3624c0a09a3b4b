import Logging
import Synchronization

/// Turns a broker's deliveries into handler calls, and each handler's outcome into an ack or a
/// nack: the consume loop every broker component shares instead of writing its own.
///
/// - **Bounded**: at most `maxConcurrency` messages are held at once (running, waiting behind
///   their ordering key, or waiting for their acknowledgement). `pull` is asked only for as many
///   messages as there is room for, and not called at all while the bound is reached, so the
///   broker stops being read.
/// - **Outcome**: a handler that returns is an ack; one that throws is a nack whose
///   ``NackReason`` comes from the error (see ``NackReason/init(for:)``).
/// - **Batched settlement**: finished messages are handed to `settle` together — whatever
///   finished while the previous `settle` call ran, up to `maxSettlementBatch` — so a component
///   can use its broker's batch ack. A slot is freed only once its message is settled.
/// - **Per-key ordering** (optional): messages with the same ordering key run one at a time in
///   the order pulled; other keys run in parallel up to the bound.
/// - **Two-phase stop**: ``stopPulling()`` ends reading at once (the pull in progress is
///   cancelled; messages it still returns and messages waiting behind their key are nacked as
///   ``NackReason/draining`` without being started); ``finish()`` waits for the handlers in
///   flight and their settlement. ``subscription`` exposes both as a ``Subscription``.
/// - **Never ends on a transient error**: when `pull` throws, `recover` is awaited (report to a
///   ``Supervisor`` and wait for the new connection, or by default wait the reconnect backoff)
///   and pulling goes on.
///
/// ```swift
/// let driver = ConsumerDriver<Entry>(configuration: .init(maxConcurrency: 100), handler: { entry in
///     try await handler(entry.message)
/// }, settle: { settlement in
///     try? await connection.ack(settlement.acks.map(\.id))
/// })
/// driver.start { room in try await connection.read(count: room) }
/// return driver.subscription
/// ```
public final class ConsumerDriver<Message: Sendable>: Sendable {
    public struct Configuration: Sendable {
        /// Messages held at once; the broker is not read beyond it.
        public var maxConcurrency: Int
        /// The most messages one `settle` call receives.
        public var maxSettlementBatch: Int
        /// The ordering key of a message; `nil` (or a `nil` key) runs messages in parallel.
        public var orderingKey: (@Sendable (Message) -> String?)?
        /// Waits between failed pulls when no `recover` is given.
        public var pullBackoff: Backoff

        public init(
            maxConcurrency: Int, maxSettlementBatch: Int = 256, orderingKey: (@Sendable (Message) -> String?)? = nil,
            pullBackoff: Backoff = .reconnect
        ) {
            self.maxConcurrency = max(maxConcurrency, 1)
            self.maxSettlementBatch = max(maxSettlementBatch, 1)
            self.orderingKey = orderingKey
            self.pullBackoff = pullBackoff
        }
    }

    /// Handles one message; returning acks it, throwing nacks it.
    public typealias Handler = @Sendable (Message) async throws -> Void
    /// Acknowledges and hands back finished messages at the broker.
    public typealias Settle = @Sendable (Settlement<Message>) async -> Void
    /// Reads up to `room` messages (at least 1), waiting for some; an empty array is fine (a
    /// poll that timed out), `nil` means the source has ended for good. Must end promptly with
    /// `CancellationError` (or the messages already taken) when its task is cancelled.
    public typealias Pull = @Sendable (_ room: Int) async throws -> [Message]?
    /// Called after `pull` threw, with the error and how many pulls failed in a row; pulling
    /// resumes when it returns. Cancelled, like a pull, when the driver stops pulling.
    public typealias Recover = @Sendable (any Error, _ consecutiveFailures: Int) async -> Void

    public enum Phase: Sendable, Equatable {
        case idle, running, stopping, stopped
    }

    private struct State {
        var phase = Phase.idle
        var held = 0
        var scheduler = KeyedScheduler<String, Message>()
        var pending = Settlement<Message>()
        var settling = false
        var roomWaiter: CheckedContinuation<Int?, Never>?
        /// Cancels the pull in progress, or the wait after a failed one.
        var cancelRead: (@Sendable () -> Void)?
        var runTask: Task<Void, Never>?
    }

    public let configuration: Configuration
    private let handler: Handler
    private let settle: Settle
    private let clock: AnyClock
    private let logger: Logger
    private let state = Mutex(State())

    public init(configuration: Configuration, clock: AnyClock = .continuous, logger: Logger = Logger(label: "outrigger.consumer"), handler: @escaping Handler, settle: @escaping Settle) {
        self.configuration = configuration
        self.clock = clock
        self.logger = logger
        self.handler = handler
        self.settle = settle
    }

    public var phase: Phase { state.withLock { $0.phase } }

    /// Messages pulled and not yet settled.
    public var held: Int { state.withLock { $0.held } }

    /// Starts reading through `pull`; returns at once. Later calls do nothing.
    public func start(recover: Recover? = nil, pull: @escaping Pull) {
        state.withLock { state in
            // A driver stopped before it started never reads.
            guard state.phase == .idle else { return }
            state.phase = .running
            state.runTask = Task { await self.run(pull: pull, recover: recover) }
        }
    }

    /// Phase one of a stop: no message is pulled or started any more. Returns at once.
    public func stopPulling() {
        let (waiter, cancelRead) = state.withLock { state -> (CheckedContinuation<Int?, Never>?, (@Sendable () -> Void)?) in
            guard state.phase == .running || state.phase == .idle else { return (nil, nil) }
            state.phase = .stopping
            for message in state.scheduler.drainWaiting() { state.pending.nacks.append((message, .draining)) }
            defer { state.roomWaiter = nil }
            return (state.roomWaiter, state.cancelRead)
        }
        waiter?.resume(returning: nil)
        cancelRead?()
    }

    /// Phase two: waits until every message pulled has been handled and settled.
    public func finish() async {
        let task = state.withLock { $0.runTask }
        await task?.value
        state.withLock { $0.phase = .stopped }
    }

    /// Both phases.
    public func cancel() async {
        stopPulling()
        await finish()
    }

    /// The driver as the ``Subscription`` a component returns from `subscribe`.
    public var subscription: Subscription {
        Subscription(stopPulling: { self.stopPulling() }, finish: { await self.finish() })
    }

    // MARK: - The loop

    private func run(pull: @escaping Pull, recover: Recover?) async {
        await withDiscardingTaskGroup { group in
            var failures = 0
            while let room = await waitForRoom() {
                guard let result = await reading({ try await pull(room) }) else { break }
                switch result {
                case .success(nil):
                    logger.debug("message source ended")
                    stopPulling()
                case .success(let messages?):
                    failures = 0
                    let (ready, unstarted) = admit(messages)
                    for (message, key) in ready {
                        group.addTask { await self.handle(message, key: key) }
                    }
                    if unstarted { await settlePending() }
                case .failure(let error):
                    if phase != .running { break }
                    failures += 1
                    logger.warning("reading from the broker failed; retrying", metadata: ["error": "\(error)", "attempt": "\(failures)"])
                    let attempt = failures
                    _ = await reading {
                        if let recover {
                            await recover(error, attempt)
                        } else {
                            try? await self.clock.sleep(for: self.configuration.pullBackoff.delay(beforeRetry: attempt))
                        }
                    }
                }
            }
        }
    }

    /// Runs `work` as the read in progress, which ``stopPulling()`` cancels; `nil` without
    /// running it when already stopping. Starting it under the lock is what makes sure nothing
    /// is read once `stopPulling()` has returned.
    private func reading<T: Sendable>(_ work: @escaping @Sendable () async throws -> T) async -> Result<T, any Error>? {
        let task = state.withLock { state -> Task<T, any Error>? in
            guard state.phase == .running else { return nil }
            let task = Task { try await work() }
            state.cancelRead = { task.cancel() }
            return task
        }
        guard let task else { return nil }
        let result = await task.result
        state.withLock { $0.cancelRead = nil }
        return result
    }

    /// Waits until a message may be pulled; the room left, or `nil` once stopping.
    private func waitForRoom() async -> Int? {
        await withCheckedContinuation { continuation in
            let room = state.withLock { state -> Int?? in
                guard state.phase == .running else { return .some(nil) }
                if state.held < configuration.maxConcurrency { return .some(configuration.maxConcurrency - state.held) }
                state.roomWaiter = continuation
                return .none
            }
            if let room { continuation.resume(returning: room) }
        }
    }

    /// Counts `messages` as held; returns those that may start now with their key, and whether
    /// some were nacked unstarted (past a stop) and need settling.
    private func admit(_ messages: [Message]) -> (ready: [(Message, String?)], unstarted: Bool) {
        var start: [(Message, String?)] = []
        let unstarted = state.withLock { state -> Bool in
            state.held += messages.count
            for message in messages {
                guard state.phase == .running else {
                    state.pending.nacks.append((message, .draining))
                    continue
                }
                let key = configuration.orderingKey?(message)
                if let ready = state.scheduler.admit(message, key: key) { start.append((ready, key)) }
            }
            return !state.pending.nacks.isEmpty
        }
        return (start, unstarted)
    }

    /// Runs `message`, then every message queued behind it on its key.
    private func handle(_ first: Message, key: String?) async {
        var next: Message? = first
        while let message = next {
            do {
                try await handler(message)
                next = state.withLock { state in
                    state.pending.acks.append(message)
                    return state.scheduler.finished(key: key)
                }
            } catch {
                let reason = NackReason(for: error)
                next = state.withLock { state in
                    state.pending.nacks.append((message, reason))
                    return state.scheduler.finished(key: key)
                }
            }
            await settlePending()
        }
    }

    /// Hands what is pending to `settle`, unless another task already does; that one picks up
    /// whatever arrives meanwhile, which is what makes batches form under load.
    private func settlePending() async {
        let limit = configuration.maxSettlementBatch
        var batch = state.withLock { state -> Settlement<Message>? in
            guard !state.settling, !state.pending.isEmpty else { return nil }
            state.settling = true
            return Self.takeBatch(&state.pending, limit: limit)
        }
        while let settled = batch {
            if Task.isCancelled {
                // This handler's task was cancelled (the pipeline's drain cancels the delivery
                // it runs): the settlement is for every finished message, not that delivery,
                // and must not fail on a cancellation meant for it.
                await Task { await settle(settled) }.value
            } else {
                await settle(settled)
            }
            let (next, waiter, room) = state.withLock { state -> (Settlement<Message>?, CheckedContinuation<Int?, Never>?, Int) in
                state.held -= settled.count
                var waiter: CheckedContinuation<Int?, Never>?
                if state.held < configuration.maxConcurrency {
                    waiter = state.roomWaiter
                    state.roomWaiter = nil
                }
                // `settling` clears only together with seeing nothing pending, so a message
                // that finished meanwhile is never left behind.
                guard !state.pending.isEmpty else {
                    state.settling = false
                    return (nil, waiter, configuration.maxConcurrency - state.held)
                }
                return (Self.takeBatch(&state.pending, limit: limit), waiter, configuration.maxConcurrency - state.held)
            }
            waiter?.resume(returning: room)
            batch = next
        }
    }

    private static func takeBatch(_ pending: inout Settlement<Message>, limit: Int) -> Settlement<Message> {
        if pending.count <= limit {
            // The usual case: everything pending fits, and the arrays change hands uncopied
            // (this code is generic, not specialized per component: element-wise copies cost).
            defer { pending = Settlement() }
            return pending
        }
        var batch = Settlement<Message>()
        let ackCount = min(pending.acks.count, limit)
        batch.acks = Array(pending.acks.prefix(ackCount))
        pending.acks.removeFirst(ackCount)
        let nackCount = min(pending.nacks.count, limit - ackCount)
        batch.nacks = Array(pending.nacks.prefix(nackCount))
        pending.nacks.removeFirst(nackCount)
        return batch
    }
}
