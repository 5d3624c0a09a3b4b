/// How a component's connection to its broker is doing, as ``Supervisor`` reports it and
/// `/v1.0/healthz/outbound` and `/v1.0/metadata` show it.
public enum ConnectionHealth: Sendable, Equatable, CustomStringConvertible {
    /// The first connection is being made.
    case connecting
    case connected
    /// The connection was lost (or never made); attempt `attempt` is next, after `lastError`.
    case reconnecting(attempt: Int, lastError: String)
    /// Trying again cannot help (bad credentials, say); nothing more is attempted.
    case failed(String)
    /// The component was closed.
    case closed

    public var isHealthy: Bool { self == .connected }

    public var description: String {
        switch self {
        case .connecting: "connecting"
        case .connected: "connected"
        case .reconnecting(let attempt, let error): "reconnecting (attempt \(attempt), last error: \(error))"
        case .failed(let error): "failed: \(error)"
        case .closed: "closed"
        }
    }
}

/// A component that knows the health of its broker connection without asking the broker.
public protocol HealthReporting: Sendable {
    var health: ConnectionHealth { get }
}
