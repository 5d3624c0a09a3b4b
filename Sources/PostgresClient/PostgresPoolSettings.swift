import OutriggerSeam

/// pgxpool's `pool_*` connection-string parameters, validated as pgxpool validates them.
/// `nil` means absent (the pool's own default applies).
public struct PostgresPoolSettings: Sendable, Equatable {
    /// `pool_max_conns`: at least 1.
    public var maxConnections: Int?
    /// `pool_min_conns`.
    public var minConnections: Int?
    /// `pool_min_idle_conns`.
    public var minIdleConnections: Int?
    /// `pool_max_conn_lifetime`: a connection older than this is closed instead of reused.
    public var maxConnectionLifetime: Duration?
    /// `pool_max_conn_lifetime_jitter`: up to this much is added to each connection's lifetime.
    public var maxConnectionLifetimeJitter: Duration?
    /// `pool_max_conn_idle_time`: a connection idle longer than this is closed.
    public var maxConnectionIdleTime: Duration?
    /// `pool_health_check_period`.
    public var healthCheckPeriod: Duration?
    /// `pool_ping_timeout`.
    public var pingTimeout: Duration?

    /// No parameter given.
    public init() {}

    /// Records `key`; `false` when it is not one of pgxpool's parameters.
    mutating func apply(_ key: String, _ value: String) throws(PostgresConnectionStringError) -> Bool {
        switch key {
        case "pool_max_conns":
            let count = try Self.integer(key, value)
            guard count >= 1 else { throw PostgresConnectionStringError("pool_max_conns too small: \(count) (at least 1)") }
            maxConnections = count
        case "pool_min_conns": minConnections = try Self.integer(key, value)
        case "pool_min_idle_conns": minIdleConnections = try Self.integer(key, value)
        case "pool_max_conn_lifetime": maxConnectionLifetime = try Self.duration(key, value)
        case "pool_max_conn_lifetime_jitter": maxConnectionLifetimeJitter = try Self.duration(key, value)
        case "pool_max_conn_idle_time": maxConnectionIdleTime = try Self.duration(key, value)
        case "pool_health_check_period": healthCheckPeriod = try Self.duration(key, value)
        case "pool_ping_timeout": pingTimeout = try Self.duration(key, value)
        default: return false
        }
        return true
    }

    private static func integer(_ key: String, _ value: String) throws(PostgresConnectionStringError) -> Int {
        guard let number = Int32(value) else { throw PostgresConnectionStringError("cannot parse \(key): '\(value)' is not an integer") }
        return Int(number)
    }

    private static func duration(_ key: String, _ value: String) throws(PostgresConnectionStringError) -> Duration {
        do {
            return try GoDuration.parse(value)
        } catch {
            throw PostgresConnectionStringError("cannot parse \(key): '\(value)' is not a duration like '30s' or '1h30m'")
        }
    }
}
