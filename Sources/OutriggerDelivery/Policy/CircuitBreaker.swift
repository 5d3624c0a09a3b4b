import OutriggerCore

/// A circuit breaker as a value-type state machine (the semantics of Dapr's breakers):
///
/// - closed: every attempt passes; outcomes are counted (cleared every `interval` when it is
///   non-zero); when `trip` holds, the breaker opens.
/// - open: attempts are refused until `timeout` has passed, then it turns half-open.
/// - half-open: up to `maxRequests` probes pass; that many successes close it, one failure
///   opens it again.
///
/// No I/O and no clock inside: the caller passes the time of each event.
public struct CircuitBreaker<Instant: InstantProtocol>: Sendable where Instant.Duration == Duration {
    public enum State: Sendable, Equatable {
        case closed(since: Instant)
        case open(until: Instant)
        case halfOpen(admitted: Int, succeeded: Int)
    }

    public private(set) var state: State
    public private(set) var counts = TripCondition.Counts()
    public let settings: ResiliencySpec.CircuitBreaker
    private let trip: TripCondition

    public init(settings: ResiliencySpec.CircuitBreaker, now: Instant) throws {
        self.settings = settings
        self.trip = try TripCondition(settings.trip)
        self.state = .closed(since: now)
    }

    /// Asks to make one attempt at `now`; `false` means the breaker is open and refuses it.
    public mutating func admit(now: Instant) -> Bool {
        switch state {
        case .closed(let since):
            if settings.interval > .zero, since.advanced(by: settings.interval) <= now {
                counts = TripCondition.Counts()
                state = .closed(since: now)
            }
            return true
        case .open(let until):
            guard until <= now else { return false }
            state = .halfOpen(admitted: 1, succeeded: 0)
            return true
        case .halfOpen(let admitted, let succeeded):
            guard admitted < settings.maxRequests else { return false }
            state = .halfOpen(admitted: admitted + 1, succeeded: succeeded)
            return true
        }
    }

    /// Records the outcome of an admitted attempt.
    public mutating func record(success: Bool, now: Instant) {
        switch state {
        case .closed:
            counts.requests += 1
            if success {
                counts.totalSuccesses += 1
                counts.consecutiveSuccesses += 1
                counts.consecutiveFailures = 0
            } else {
                counts.totalFailures += 1
                counts.consecutiveFailures += 1
                counts.consecutiveSuccesses = 0
                if trip.isSatisfied(by: counts) { open(now: now) }
            }
        case .halfOpen(let admitted, let succeeded):
            guard success else { return open(now: now) }
            if succeeded + 1 >= settings.maxRequests {
                counts = TripCondition.Counts()
                state = .closed(since: now)
            } else {
                state = .halfOpen(admitted: admitted, succeeded: succeeded + 1)
            }
        case .open:
            break  // an attempt admitted before the breaker opened; its outcome no longer matters
        }
    }

    private mutating func open(now: Instant) {
        counts = TripCondition.Counts()
        state = .open(until: now.advanced(by: settings.timeout))
    }

    /// A short name of the state for metadata and logs.
    public var stateName: String {
        switch state {
        case .closed: "closed"
        case .open: "open"
        case .halfOpen: "half-open"
        }
    }
}
