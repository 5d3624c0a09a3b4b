import Synchronization

/// A bounded pool of ``PostgresConnection``s: at most
/// ``PostgresPoolConfiguration/maxConnections`` exist; callers beyond that wait in line (first
/// come, first served) for one to come back. Connections are opened on demand and leased for
/// the length of a ``withConnection(_:)`` closure.
///
/// There is no background task: expired and long-idle connections are closed when the pool is
/// next used, and an idle connection is checked before it is reused. A connection that broke
/// is discarded when it comes back. The pool never retries a statement.
public final class PostgresPool: Sendable {
    /// How many connections there are; for health reports and tests.
    public struct Statistics: Sendable, Equatable {
        /// Connections open or being opened, leased or idle.
        public var open: Int
        /// Connections waiting in the pool.
        public var idle: Int
        /// Callers waiting for a connection.
        public var waiting: Int
    }

    private struct Pooled: Sendable {
        var connection: PostgresConnection
        var expiresAt: ContinuousClock.Instant?
    }

    private struct IdleEntry {
        var pooled: Pooled
        var since: ContinuousClock.Instant
    }

    private enum Grant: Sendable {
        /// Use this connection, idle since then.
        case reuse(Pooled, idleSince: ContinuousClock.Instant)
        /// A place is reserved for a new connection: open one.
        case open
    }

    private enum Waiter {
        /// In line, before its continuation was stored.
        case arriving
        case waiting(CheckedContinuation<Grant, any Error>)
        /// Its task was cancelled before it started waiting.
        case cancelled
        /// Served before it started waiting.
        case served(Grant)
    }

    private struct State {
        var idle: [IdleEntry] = []
        var open = 0
        var line: [UInt64] = []
        var waiters: [UInt64: Waiter] = [:]
        var nextWaiterID: UInt64 = 0
        var closed = false
    }

    /// What the pool connects with and how many connections it keeps.
    public let configuration: PostgresPoolConfiguration
    private let state = Mutex(State())

    /// A pool with no connection yet: the first lease (or ``warmUp()``) opens one.
    public init(configuration: PostgresPoolConfiguration) {
        self.configuration = configuration
    }

    /// Leases a connection for the length of `body` and takes it back afterwards (a broken or
    /// expired one is closed instead). Waits while ``PostgresPoolConfiguration/maxConnections``
    /// are leased; cancelling the task ends the wait with `CancellationError`.
    public func withConnection<T: Sendable>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        let pooled = try await lease()
        do {
            let value = try await body(pooled.connection)
            giveBack(pooled, discard: false)
            return value
        } catch {
            giveBack(pooled, discard: false)
            throw error
        }
    }

    /// Opens connections until ``PostgresPoolConfiguration/minConnections`` (at least one)
    /// exist, each proven with a round trip: the start-up check that the settings work.
    public func warmUp() async throws {
        var leased: [Pooled] = []
        defer { for pooled in leased { giveBack(pooled, discard: false) } }
        for _ in 0..<max(1, configuration.minConnections) {
            let pooled = try await lease()
            leased.append(pooled)
            try await pooled.connection.ping()
        }
    }

    /// Closes idle connections and refuses new leases with ``PostgresError/closed``; waiting
    /// callers fail the same way, leased connections are closed when they come back.
    /// Calling it again does nothing.
    public func close() {
        let (idle, waiting) = state.withLock { state -> ([IdleEntry], [CheckedContinuation<Grant, any Error>]) in
            guard !state.closed else { return ([], []) }
            state.closed = true
            let idle = state.idle
            state.open -= idle.count
            state.idle = []
            var waiting: [CheckedContinuation<Grant, any Error>] = []
            for waiter in state.waiters.values {
                switch waiter {
                case .waiting(let continuation): waiting.append(continuation)
                // Handed over but not yet taken: the connection (or the place for one) goes away.
                case .served: state.open -= 1
                case .arriving, .cancelled: break
                }
            }
            state.line = []
            state.waiters = [:]
            return (idle, waiting)
        }
        withExtendedLifetime(idle) {}
        for continuation in waiting { continuation.resume(throwing: PostgresError.closed) }
    }

    /// The current counts.
    public var statistics: Statistics {
        state.withLock { Statistics(open: $0.open, idle: $0.idle.count, waiting: $0.line.count) }
    }

    /// Whether ``close()`` was called.
    public var isClosed: Bool { state.withLock { $0.closed } }

    // MARK: - Leasing

    private func lease() async throws -> Pooled {
        while true {
            switch try await nextGrant() {
            case .reuse(let pooled, let idleSince):
                if ContinuousClock.now - idleSince >= configuration.aliveCheckAfterIdle, !(await pooled.connection.checkAlive()) {
                    giveBack(pooled, discard: true)
                    continue
                }
                return pooled
            case .open:
                do {
                    let connection = try await PostgresConnection.connect(configuration.connectionString)
                    return Pooled(connection: connection, expiresAt: expiry(of: connection))
                } catch {
                    placeFreed()
                    throw error
                }
            }
        }
    }

    private func nextGrant() async throws -> Grant {
        enum Step { case grant(Grant), wait(UInt64), fail }
        let now = ContinuousClock.now
        let (step, expired) = state.withLock { state -> (Step, [IdleEntry]) in
            guard !state.closed else { return (.fail, []) }
            let expired = reap(&state, now: now)
            if let entry = state.idle.popLast() { return (.grant(.reuse(entry.pooled, idleSince: entry.since)), expired) }
            if state.open < configuration.maxConnections {
                state.open += 1
                return (.grant(.open), expired)
            }
            state.nextWaiterID += 1
            state.line.append(state.nextWaiterID)
            state.waiters[state.nextWaiterID] = .arriving
            return (.wait(state.nextWaiterID), expired)
        }
        withExtendedLifetime(expired) {}
        switch step {
        case .fail: throw PostgresError.closed
        case .grant(let grant): return grant
        case .wait(let id): return try await wait(id)
        }
    }

    private func wait(_ id: UInt64) async throws -> Grant {
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Grant, any Error>) in
                let now: Result<Grant, any Error>? = state.withLock { state in
                    switch state.waiters[id] {
                    case nil:
                        return .failure(PostgresError.closed)
                    case .cancelled:
                        state.waiters[id] = nil
                        return .failure(CancellationError())
                    case .served(let grant):
                        state.waiters[id] = nil
                        return .success(grant)
                    case .arriving, .waiting:
                        state.waiters[id] = .waiting(continuation)
                        return nil
                    }
                }
                if let now { continuation.resume(with: now) }
            }
        } onCancel: {
            let continuation = state.withLock { state -> CheckedContinuation<Grant, any Error>? in
                switch state.waiters[id] {
                case .arriving:
                    state.waiters[id] = .cancelled
                    state.line.removeAll { $0 == id }
                    return nil
                case .waiting(let continuation):
                    state.waiters[id] = nil
                    state.line.removeAll { $0 == id }
                    return continuation
                case .cancelled, .served, nil:
                    return nil
                }
            }
            continuation?.resume(throwing: CancellationError())
        }
    }

    // MARK: - Returning

    /// Takes a leased connection back: to the first caller in line, to the idle list, or
    /// closed (broken, expired, `discard`, pool closed), which frees a place for the line.
    private func giveBack(_ pooled: Pooled, discard: Bool) {
        let now = ContinuousClock.now
        let (handoff, dropped) = state.withLock { state -> (Handoff, [Pooled]) in
            var dropped = reap(&state, now: now).map(\.pooled)
            let reusable = !discard && !state.closed && !pooled.connection.isBroken && !(pooled.expiresAt.map { now >= $0 } ?? false)
            if reusable {
                let handoff = serveNext(&state, with: .reuse(pooled, idleSince: now))
                if case .nobody = handoff { state.idle.append(IdleEntry(pooled: pooled, since: now)) }
                return (handoff, dropped)
            }
            // Closed: its place goes to the first caller in line, who opens a new connection.
            dropped.append(pooled)
            guard !state.closed else {
                state.open -= 1
                return (.nobody, dropped)
            }
            let handoff = serveNext(&state, with: .open)
            if case .nobody = handoff { state.open -= 1 }
            return (handoff, dropped)
        }
        withExtendedLifetime(dropped) {}
        if case .resume(let continuation, let grant) = handoff { continuation.resume(returning: grant) }
    }

    /// A connection that was to be opened was not: its place goes to the line.
    private func placeFreed() {
        let handoff = state.withLock { state -> Handoff in
            guard !state.closed else {
                state.open -= 1
                return .nobody
            }
            let handoff = serveNext(&state, with: .open)
            if case .nobody = handoff { state.open -= 1 }
            return handoff
        }
        if case .resume(let continuation, let grant) = handoff { continuation.resume(returning: grant) }
    }

    private enum Handoff {
        /// Resume this continuation with the grant (outside the lock).
        case resume(CheckedContinuation<Grant, any Error>, Grant)
        /// A caller not yet waiting keeps it as `served`.
        case kept
        /// Nobody is in line.
        case nobody
    }

    /// Hands `grant` to the first caller in line.
    private func serveNext(_ state: inout State, with grant: Grant) -> Handoff {
        while !state.line.isEmpty {
            let id = state.line.removeFirst()
            switch state.waiters[id] {
            case .waiting(let continuation):
                state.waiters[id] = nil
                return .resume(continuation, grant)
            case .arriving:
                state.waiters[id] = .served(grant)
                return .kept
            case .cancelled, .served, nil:
                continue
            }
        }
        return .nobody
    }

    /// Removes idle connections past their lifetime or idle time (keeping the minimum).
    private func reap(_ state: inout State, now: ContinuousClock.Instant) -> [IdleEntry] {
        let idleLimit = configuration.maxConnectionIdleTime.flatMap { $0 > .zero ? $0 : nil }
        let open = state.open
        var expired: [IdleEntry] = []
        var kept: [IdleEntry] = []
        for entry in state.idle {
            let tooOld = entry.pooled.expiresAt.map { now >= $0 } ?? false
            let idleTooLong = idleLimit.map { now - entry.since >= $0 } ?? false
            if tooOld || (idleTooLong && open - expired.count > configuration.minConnections) {
                expired.append(entry)
            } else {
                kept.append(entry)
            }
        }
        state.idle = kept
        state.open -= expired.count
        return expired
    }

    private func expiry(of connection: PostgresConnection) -> ContinuousClock.Instant? {
        guard let lifetime = configuration.maxConnectionLifetime, lifetime > .zero else { return nil }
        let jitterNanoseconds = configuration.maxConnectionLifetimeJitter.components.seconds * 1_000_000_000
            + configuration.maxConnectionLifetimeJitter.components.attoseconds / 1_000_000_000
        let jitter = jitterNanoseconds > 0 ? Duration.nanoseconds(Int64.random(in: 0...jitterNanoseconds)) : .zero
        return connection.openedAt + lifetime + jitter
    }
}
