/// The connection life cycle a ``Supervisor`` runs, as a value-type state machine: no I/O, no
/// clock. Each event returns the action the supervisor performs next.
///
/// ```
/// idle ──start──▶ connecting(1) ──ok──▶ connected(g) ──lost(g)──▶ connecting(1) ...
///                      │  ▲                  │
///               failed │  │ waited           └──close──▶ closed
///                      ▼  │
///                 waiting(n) ──(terminal error)──▶ failed
/// ```
/// A loss reported for an older generation (a connection already replaced) changes nothing, so
/// several readers noticing the same broken connection cause one reconnect.
public struct SupervisorState<Connection: Sendable>: Sendable {
    public enum State: Sendable {
        case idle
        case connecting(attempt: Int, lastError: String?)
        case connected(Connection, generation: Int)
        case waiting(attempt: Int, lastError: String)
        case failed(String)
        case closed
    }

    public enum Action: Sendable {
        /// Make connection attempt `attempt` (1 = the first after a start or a loss).
        case connect(attempt: Int)
        /// Sleep the backoff for retry `attempt`, then report ``waited()``.
        case wait(attempt: Int)
        /// The connection is up: release waiters; when `isReconnect`, re-subscribe.
        case announce(Connection, generation: Int, isReconnect: Bool)
        /// Close this connection.
        case disconnect(Connection)
        /// Fail every waiter with this reason.
        case giveUp(String)
        case none
    }

    public private(set) var state: State = .idle
    private var generation = 0

    public init() {}

    public var health: ConnectionHealth {
        switch state {
        case .idle, .connecting(_, nil): generation == 0 ? .connecting : .reconnecting(attempt: 1, lastError: "connection lost")
        case .connecting(let attempt, let error?): .reconnecting(attempt: attempt, lastError: error)
        case .waiting(let attempt, let error): .reconnecting(attempt: attempt, lastError: error)
        case .connected: .connected
        case .failed(let error): .failed(error)
        case .closed: .closed
        }
    }

    /// The current connection and its generation, if connected.
    public var current: (connection: Connection, generation: Int)? {
        if case .connected(let connection, let generation) = state { return (connection, generation) }
        return nil
    }

    public mutating func start() -> Action {
        guard case .idle = state else { return .none }
        state = .connecting(attempt: 1, lastError: nil)
        return .connect(attempt: 1)
    }

    public mutating func connected(_ connection: Connection) -> Action {
        guard case .connecting = state else { return .disconnect(connection) }  // closed meanwhile
        let isReconnect = generation > 0
        generation += 1
        state = .connected(connection, generation: generation)
        return .announce(connection, generation: generation, isReconnect: isReconnect)
    }

    public mutating func connectFailed(_ error: String, terminal: Bool) -> Action {
        guard case .connecting(let attempt, _) = state else { return .none }
        if terminal {
            state = .failed(error)
            return .giveUp(error)
        }
        state = .waiting(attempt: attempt + 1, lastError: error)
        return .wait(attempt: attempt)
    }

    public mutating func waited() -> Action {
        guard case .waiting(let attempt, let error) = state else { return .none }
        state = .connecting(attempt: attempt, lastError: error)
        return .connect(attempt: attempt)
    }

    public mutating func lost(generation lostGeneration: Int, error: String) -> Action {
        guard case .connected(let connection, let generation) = state, generation == lostGeneration else { return .none }
        state = .connecting(attempt: 1, lastError: error)
        return .disconnect(connection)
    }

    public mutating func close() -> Action {
        defer { state = .closed }
        if case .connected(let connection, _) = state { return .disconnect(connection) }
        return .none
    }
}
