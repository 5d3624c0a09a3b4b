/// How a ``PostgresPool`` connects and how many connections it keeps.
public struct PostgresPoolConfiguration: Sendable {
    /// What every connection connects with (its `pool_*` settings are not used from here;
    /// they are turned into the fields below by ``init(connectionString:defaultMaxConnections:)``).
    public var connectionString: PostgresConnectionString
    /// At most this many connections exist at once; more callers wait in line.
    public var maxConnections: Int
    /// ``PostgresPool/warmUp()`` opens this many, and idle ones are not closed below it.
    public var minConnections: Int
    /// A connection older than this (plus a random part of ``maxConnectionLifetimeJitter``)
    /// is closed when it comes back instead of being reused; `nil`: no limit.
    public var maxConnectionLifetime: Duration?
    /// See ``maxConnectionLifetime``.
    public var maxConnectionLifetimeJitter: Duration
    /// A connection idle longer than this is closed the next time the pool is used; `nil`: never.
    public var maxConnectionIdleTime: Duration?
    /// A connection idle at least this long is checked (a non-blocking read) before reuse,
    /// so one the server closed meanwhile is replaced instead of failing a statement.
    public var aliveCheckAfterIdle: Duration

    /// A configuration with these values; `maxConnections` is at least 1 and
    /// `minConnections` at most `maxConnections`.
    public init(
        connectionString: PostgresConnectionString, maxConnections: Int, minConnections: Int = 0,
        maxConnectionLifetime: Duration? = nil, maxConnectionLifetimeJitter: Duration = .zero,
        maxConnectionIdleTime: Duration? = nil, aliveCheckAfterIdle: Duration = .seconds(1)
    ) {
        self.connectionString = connectionString
        self.maxConnections = max(1, maxConnections)
        self.minConnections = max(0, min(minConnections, self.maxConnections))
        self.maxConnectionLifetime = maxConnectionLifetime
        self.maxConnectionLifetimeJitter = maxConnectionLifetimeJitter
        self.maxConnectionIdleTime = maxConnectionIdleTime
        self.aliveCheckAfterIdle = aliveCheckAfterIdle
    }

    /// The pool the string's `pool_*` parameters describe, with pgxpool's defaults for the
    /// absent ones: `defaultMaxConnections`, no minimum, a lifetime of 1 h, no jitter, 30 min
    /// idle time. (`pool_health_check_period`, `pool_min_idle_conns` and `pool_ping_timeout`
    /// are validated but have no effect: connections are checked when reused instead.)
    public init(connectionString: PostgresConnectionString, defaultMaxConnections: Int) {
        let pool = connectionString.pool
        self.init(
            connectionString: connectionString,
            maxConnections: pool.maxConnections ?? defaultMaxConnections,
            minConnections: pool.minConnections ?? 0,
            maxConnectionLifetime: pool.maxConnectionLifetime ?? .seconds(3_600),
            maxConnectionLifetimeJitter: pool.maxConnectionLifetimeJitter ?? .zero,
            maxConnectionIdleTime: pool.maxConnectionIdleTime ?? .seconds(1_800))
    }
}
