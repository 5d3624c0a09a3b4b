/// The clock the seam and the delivery pipeline measure time with: retries, attempt timeouts,
/// bulk timers, drain deadlines, reconnect waits and circuit breakers all read it.
///
/// Production code uses ``continuous``; tests pass a test clock (OutriggerTesting's
/// `TestClock`) wrapped in `AnyClock` and move time forward themselves, so nothing in a test
/// waits on the wall clock. Instants are offsets from the moment the clock was wrapped.
///
/// ```swift
/// let clock = AnyClock.continuous
/// let start = clock.now
/// try await clock.sleep(for: .milliseconds(100))
/// print(start.duration(to: clock.now))
/// ```
public struct AnyClock: Clock, Sendable {
    /// A point in time, as the offset from the clock's origin.
    public struct Instant: InstantProtocol, Sendable {
        public var offset: Duration

        public init(offset: Duration) { self.offset = offset }

        public func advanced(by duration: Duration) -> Instant { Instant(offset: offset + duration) }
        public func duration(to other: Instant) -> Duration { other.offset - offset }
        public static func < (lhs: Instant, rhs: Instant) -> Bool { lhs.offset < rhs.offset }
    }

    private let read: @Sendable () -> Duration
    private let wait: @Sendable (Duration, Duration?) async throws -> Void
    public let minimumResolution: Duration

    /// Wraps `clock`; the new clock's origin is `clock.now` at this moment.
    public init<C: Clock>(_ clock: C) where C.Duration == Duration {
        let origin = clock.now
        read = { origin.duration(to: clock.now) }
        wait = { offset, tolerance in try await clock.sleep(until: origin.advanced(by: offset), tolerance: tolerance) }
        minimumResolution = clock.minimumResolution
    }

    /// The monotonic system clock.
    public static let continuous = AnyClock(ContinuousClock())

    public var now: Instant { Instant(offset: read()) }

    public func sleep(until deadline: Instant, tolerance: Duration? = nil) async throws {
        try await wait(deadline.offset, tolerance)
    }
}
