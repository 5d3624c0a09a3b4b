/// The one monotonic clock of a scenario: every time the runner records (publish, delivery,
/// fault) is seconds since the scenario started on this clock, so latencies and recovery times
/// compare instants of one process.
public struct RunClock: Sendable {
    private let start: ContinuousClock.Instant

    /// A clock whose zero is now.
    public init() {
        start = .now
    }

    /// Seconds since the scenario started.
    public func now() -> Double {
        Self.seconds(ContinuousClock.now - start)
    }

    /// `duration` in seconds.
    static func seconds(_ duration: Duration) -> Double {
        let parts = duration.components
        return Double(parts.seconds) + Double(parts.attoseconds) * 1e-18
    }
}
