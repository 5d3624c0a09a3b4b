import Logging
import Synchronization

/// Keeps one broker connection alive for a component: connects, reconnects with the one
/// ``Backoff`` after a loss for as long as the component is open, re-subscribes every live
/// subscription after a reconnect, and reports ``health``.
///
/// A component makes its first connection with ``start()`` (a failure fails the component's
/// start-up with the broker's error). Readers and publishers ``lease()`` the current
/// connection, waiting while a reconnect is under way; whoever sees the connection break
/// reports it with ``connectionLost(_:error:)`` and carries on — a ``ConsumerDriver``'s
/// `recover` does exactly that — so a transient error never ends a subscription.
///
/// ```swift
/// let supervisor = Supervisor(name: "redis", connect: { try await RedisConnection.open(options) },
///                             disconnect: { await $0.close() })
/// try await supervisor.start()
/// let lease = try await supervisor.lease()
/// do { try await lease.connection.send(command) }
/// catch { supervisor.connectionLost(lease, error: error); throw error }
/// ```
public final class Supervisor<Connection: Sendable>: HealthReporting, Sendable {
    /// A connection and the generation it belongs to (reports of loss name it).
    public struct Lease: Sendable {
        public var connection: Connection
        public var generation: Int
    }

    /// The supervisor was closed or gave up; no connection will come.
    public struct Unavailable: Error, Sendable, CustomStringConvertible {
        public var name: String
        public var reason: String
        public var description: String { "\(name): no connection (\(reason))" }
    }

    public typealias Resubscribe = @Sendable (Connection) async throws -> Void

    private enum LeaseAnswer { case ready(Lease), unavailable(String), cancelled, wait }

    private struct State {
        var machine = SupervisorState<Connection>()
        var waiters: [UInt64: CheckedContinuation<Lease, any Error>] = [:]
        var resubscribers: [UInt64: Resubscribe] = [:]
        var nextID: UInt64 = 0
        var reconnectTask: Task<Void, Never>?
    }

    public let name: String
    private let backoff: Backoff
    private let clock: AnyClock
    private let logger: Logger
    private let connect: @Sendable () async throws -> Connection
    private let disconnect: @Sendable (Connection) async -> Void
    private let isTerminal: @Sendable (any Error) -> Bool
    private let state = Mutex(State())

    /// - Parameters:
    ///   - isTerminal: whether a connect error means trying again cannot help (then the
    ///     supervisor gives up and reports ``ConnectionHealth/failed(_:)``); default: never.
    public init(
        name: String, backoff: Backoff = .reconnect, clock: AnyClock = .continuous, logger: Logger = Logger(label: "outrigger.supervisor"),
        isTerminal: @escaping @Sendable (any Error) -> Bool = { _ in false },
        connect: @escaping @Sendable () async throws -> Connection, disconnect: @escaping @Sendable (Connection) async -> Void
    ) {
        self.name = name
        self.backoff = backoff
        self.clock = clock
        self.logger = logger
        self.isTerminal = isTerminal
        self.connect = connect
        self.disconnect = disconnect
    }

    public var health: ConnectionHealth { state.withLock { $0.machine.health } }

    /// Makes the first connection; throws the broker's error when it fails.
    public func start() async throws {
        guard case .connect = state.withLock({ $0.machine.start() }) else { return }
        let connection: Connection
        do {
            connection = try await connect()
        } catch {
            let waiters = state.withLock { state -> [CheckedContinuation<Lease, any Error>] in
                defer { state.waiters = [:] }
                // Ready for another start, unless closed meanwhile: a closed supervisor stays closed.
                if case .closed = state.machine.state { return Array(state.waiters.values) }
                state.machine = SupervisorState()
                return Array(state.waiters.values)
            }
            // Nobody waits for a connection the component's start-up has given up on.
            for waiter in waiters { waiter.resume(throwing: Unavailable(name: name, reason: "\(error)")) }
            throw error
        }
        await perform(state.withLock { $0.machine.connected(connection) })
    }

    /// The current connection, waiting while a reconnect is under way.
    public func lease() async throws -> Lease {
        // The common case, once per publish: connected. One lock, no continuation.
        let ready = state.withLock { state -> (Lease?, UInt64) in
            if let current = state.machine.current { return (Lease(connection: current.connection, generation: current.generation), 0) }
            state.nextID += 1
            return (nil, state.nextID)
        }
        if let lease = ready.0 { return lease }
        let id = ready.1
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                let now = state.withLock { state -> LeaseAnswer in
                    if let current = state.machine.current { return .ready(Lease(connection: current.connection, generation: current.generation)) }
                    switch state.machine.state {
                    case .failed(let reason): return .unavailable(reason)
                    case .closed: return .unavailable("closed")
                    default:
                        if Task.isCancelled { return .cancelled }
                        state.waiters[id] = continuation
                        return .wait
                    }
                }
                switch now {
                case .ready(let lease): continuation.resume(returning: lease)
                case .cancelled: continuation.resume(throwing: CancellationError())
                case .unavailable(let reason): continuation.resume(throwing: Unavailable(name: name, reason: reason))
                case .wait: break
                }
            }
        } onCancel: {
            state.withLock { $0.waiters.removeValue(forKey: id) }?.resume(throwing: CancellationError())
        }
    }

    /// Reports that `lease`'s connection broke. The first report for a generation starts a
    /// reconnect; later ones for the same generation change nothing.
    public func connectionLost(_ lease: Lease, error: any Error) {
        let reconnecting = state.withLock { state -> Bool in
            guard case .disconnect(let connection) = state.machine.lost(generation: lease.generation, error: "\(error)") else { return false }
            // Stored under the same lock as the loss, so a `close()` racing with this always
            // finds the reconnect and waits for it.
            state.reconnectTask = Task {
                await self.disconnect(connection)
                await self.perform(.connect(attempt: 1))
            }
            return true
        }
        guard reconnecting else { return }
        logger.warning("connection lost; reconnecting", metadata: ["component": "\(name)", "error": "\(error)"])
    }

    /// Reports that the connection `isLost` picks closed by itself (the client library's own
    /// callback saw it), so the supervisor reconnects at once even while nothing is leased.
    /// Changes nothing when the current connection is not the one (already replaced) or there is
    /// none.
    public func connectionLost(where isLost: (Connection) -> Bool, error: any Error) {
        guard let current = state.withLock({ $0.machine.current }), isLost(current.connection) else { return }
        connectionLost(Lease(connection: current.connection, generation: current.generation), error: error)
    }

    /// A ``ConsumerDriver`` `recover` for a subscription reading through this supervisor's
    /// connection, after a failed pull: waits for the next connection (a pull that found its
    /// connection broken reported the loss). When no connection can be had (given up, closed),
    /// or the connection handed out is the same, still usable one (`stillUsable`: the failure was
    /// not the connection's, e.g. a declare the broker refused), it waits the supervisor's
    /// backoff too, so a failing pull never spins; the first retry on a usable connection goes
    /// at once.
    public func recover(attempt: Int, stillUsable: (Connection) -> Bool = { _ in false }) async {
        do {
            let lease = try await lease()
            guard attempt > 1, stillUsable(lease.connection) else { return }
            try? await clock.sleep(for: backoff.delay(beforeRetry: attempt - 1))
        } catch {
            try? await clock.sleep(for: backoff.delay(beforeRetry: attempt))
        }
    }

    /// Calls `body` with the new connection after every reconnect (a live subscription
    /// re-subscribes there); returns a token for ``removeResubscriber(_:)``.
    public func addResubscriber(_ body: @escaping Resubscribe) -> UInt64 {
        state.withLock { state in
            state.nextID += 1
            state.resubscribers[state.nextID] = body
            return state.nextID
        }
    }

    public func removeResubscriber(_ token: UInt64) {
        _ = state.withLock { $0.resubscribers.removeValue(forKey: token) }
    }

    /// Stops reconnecting, closes the connection and fails every waiter.
    public func close() async {
        let (action, task, waiters) = state.withLock { state in
            defer { state.waiters = [:] }
            return (state.machine.close(), state.reconnectTask, Array(state.waiters.values))
        }
        task?.cancel()
        for waiter in waiters { waiter.resume(throwing: Unavailable(name: name, reason: "closed")) }
        await task?.value
        if case .disconnect(let connection) = action { await disconnect(connection) }
    }

    /// Runs actions until the machine rests (connected, failed or closed).
    private func perform(_ first: SupervisorState<Connection>.Action) async {
        var action = first
        while true {
            switch action {
            case .connect(let attempt):
                do {
                    let connection = try await connect()
                    action = state.withLock { $0.machine.connected(connection) }
                } catch {
                    let terminal = isTerminal(error)
                    logger.warning("connecting failed", metadata: ["component": "\(name)", "attempt": "\(attempt)", "error": "\(error)"])
                    action = state.withLock { $0.machine.connectFailed("\(error)", terminal: terminal) }
                }
            case .wait(let attempt):
                do {
                    try await clock.sleep(for: backoff.delay(beforeRetry: attempt))
                } catch {
                    return  // closed meanwhile
                }
                action = state.withLock { $0.machine.waited() }
            case .announce(let connection, let generation, let isReconnect):
                let (waiters, resubscribers) = state.withLock { state in
                    defer { state.waiters = [:] }
                    return (Array(state.waiters.values), Array(state.resubscribers.values))
                }
                let lease = Lease(connection: connection, generation: generation)
                for waiter in waiters { waiter.resume(returning: lease) }
                if isReconnect {
                    logger.info("reconnected", metadata: ["component": "\(name)", "resubscribing": "\(resubscribers.count)"])
                    for resubscribe in resubscribers {
                        do {
                            try await resubscribe(connection)
                        } catch {
                            connectionLost(lease, error: error)
                            return
                        }
                    }
                }
                return
            case .disconnect(let connection):
                await disconnect(connection)
                return
            case .giveUp(let reason):
                logger.error("giving up connecting", metadata: ["component": "\(name)", "error": "\(reason)"])
                let waiters = state.withLock { state in
                    defer { state.waiters = [:] }
                    return Array(state.waiters.values)
                }
                for waiter in waiters { waiter.resume(throwing: Unavailable(name: name, reason: reason)) }
                return
            case .none:
                return
            }
        }
    }
}
