/// The one backoff function of Outrigger: every wait between two delivery attempts, every
/// reconnect delay and every wait after a failed broker read comes from here.
///
/// `delay(n) = min(initial × multiplier^(n-1), maximum)`, then spread by ±`jitter` (a fraction),
/// for retry `n` = 1, 2, ... With the pipeline's default (initial 100 ms, ×2, max 10 s, no jitter):
///
/// | retry | 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9 | 10 |
/// |---|---|---|---|---|---|---|---|---|---|---|
/// | wait | 100 ms | 200 ms | 400 ms | 800 ms | 1.6 s | 3.2 s | 6.4 s | 10 s | 10 s | 10 s |
///
/// Dapr's exponential resiliency policy is initial 500 ms, ×1.5, jitter 0.5, max `maxInterval`.
public struct Backoff: Sendable, Hashable {
    public var initial: Duration
    public var multiplier: Double
    public var maximum: Duration
    public var jitter: Double

    public init(initial: Duration, multiplier: Double, maximum: Duration, jitter: Double = 0) {
        self.initial = initial
        self.multiplier = multiplier
        self.maximum = maximum
        self.jitter = jitter
    }

    /// Reconnects and failed broker reads: from 100 ms, doubling, capped at 10 s, ±20 % jitter
    /// so that sidecars that lost a broker together do not come back in lockstep.
    public static let reconnect = Backoff(initial: .milliseconds(100), multiplier: 2, maximum: .seconds(10), jitter: 0.2)

    /// Reconnecting to the app's own gRPC server after it restarted: from 100 ms, ×1.6, capped
    /// at 2 s, ±20 % (the app is local, so it comes back fast or not at all).
    public static let appReconnect = Backoff(initial: .milliseconds(100), multiplier: 1.6, maximum: .seconds(2), jitter: 0.2)

    /// A constant wait.
    public static func constant(_ interval: Duration) -> Backoff {
        Backoff(initial: interval, multiplier: 1, maximum: interval)
    }

    /// The wait before retry `retry` (1-based).
    public func delay(beforeRetry retry: Int, random: Double = Double.random(in: 0...1)) -> Duration {
        let initialSeconds = initial.seconds
        let maximumSeconds = maximum.seconds
        var seconds = initialSeconds * pow(multiplier, Double(max(retry - 1, 0)))
        if !seconds.isFinite || seconds > maximumSeconds { seconds = maximumSeconds }
        if jitter > 0 { seconds *= 1 - jitter + 2 * jitter * random }
        return .nanoseconds(Int64(seconds * 1e9))
    }
}

extension Duration {
    /// The duration in seconds as a `Double`.
    public var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}

private func pow(_ base: Double, _ exponent: Double) -> Double {
    var result = 1.0
    var remaining = Int(exponent)
    while remaining > 0 && result < 1e12 {
        result *= base
        remaining -= 1
    }
    return result
}
