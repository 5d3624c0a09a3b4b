import Synchronization

/// Which of the scenario's two sidecars a request came through (0 or 1).
public typealias SidecarIndex = Int

/// One request the app received on the event route or the dead-letter route.
public struct Arrival: Sendable {
    /// The event's sequence number.
    public var sequence: Int
    /// Seconds since the scenario started.
    public var time: Double
    /// The sidecar that delivered it.
    public var sidecar: SidecarIndex
    /// The app's answer; `nil` on the dead-letter route (always answered success).
    public var answer: AppAnswer?
    /// False when the answer was held by the app's pause past the delivery timeout.
    public var answeredInTime: Bool

    /// Whether this arrival is a delivery the sidecar saw succeed on the event route.
    public var isDelivery: Bool { answer?.isSuccess == true && answeredInTime }
}

/// What the publishers learned about one event.
public struct PublishRecord: Sendable {
    /// How many times the event was sent to a sidecar (a failed try is sent again).
    public var tries = 0
    /// When the try that was accepted (2xx) started; `nil` when none was.
    public var acceptedAt: Double?
}

/// Everything the runner counts, behind one lock: the publishers' records, every request the
/// app received, and each event's attempt count (which picks the app's answer).
public final class DeliveryLedger: Sendable {
    private struct State {
        var publishes: [PublishRecord]
        var attempts: [Int]
        var arrivals: [Arrival] = []
        var lastDelivery = -1.0
    }

    private let state: Mutex<State>
    /// The number of events of the scenario.
    public let events: Int

    /// A ledger for events `0..<events`.
    public init(events: Int) {
        self.events = events
        state = Mutex(State(publishes: Array(repeating: PublishRecord(), count: events), attempts: Array(repeating: 0, count: events)))
    }

    /// Records a publish try of `sequence`; returns its number (1-based).
    func publishTried(_ sequence: Int) -> Int {
        state.withLock { state in
            state.publishes[sequence].tries += 1
            return state.publishes[sequence].tries
        }
    }

    /// Records that the try of `sequence` that started at `startedAt` was accepted.
    func publishAccepted(_ sequence: Int, startedAt: Double) {
        state.withLock { $0.publishes[sequence].acceptedAt = startedAt }
    }

    /// Counts an arrival of `sequence` on the event route; returns its attempt number (1-based).
    func nextAttempt(_ sequence: Int) -> Int {
        state.withLock { state in
            state.attempts[sequence] += 1
            return state.attempts[sequence]
        }
    }

    /// Records a request the app answered.
    func record(_ arrival: Arrival) {
        state.withLock { state in
            state.arrivals.append(arrival)
            if arrival.isDelivery { state.lastDelivery = max(state.lastDelivery, arrival.time) }
        }
    }

    /// When the last successful delivery happened (seconds since start; -1 before any).
    public var lastDelivery: Double { state.withLock { $0.lastDelivery } }

    /// How many events were accepted by a sidecar so far.
    public var acceptedCount: Int { state.withLock { state in state.publishes.count { $0.acceptedAt != nil } } }

    /// Whether every accepted event was delivered or dead-lettered.
    public func everyAcceptedEventAccountedFor() -> Bool {
        snapshot().unaccounted().isEmpty
    }

    /// A copy of what was recorded so far.
    public func snapshot() -> LedgerSnapshot {
        state.withLock { LedgerSnapshot(publishes: $0.publishes, arrivals: $0.arrivals) }
    }
}

/// A copy of a ledger's records, for the analysis at the end of a scenario.
public struct LedgerSnapshot: Sendable {
    /// The publish record of each event, by sequence number.
    public var publishes: [PublishRecord]
    /// Every request the app answered, in the order recorded.
    public var arrivals: [Arrival]

    /// Accepted events neither delivered nor dead-lettered, by sequence number.
    public func unaccounted() -> [Int] {
        var done = Array(repeating: false, count: publishes.count)
        for arrival in arrivals where arrival.isDelivery || arrival.answer == nil { done[arrival.sequence] = true }
        return publishes.indices.filter { publishes[$0].acceptedAt != nil && !done[$0] }
    }
}
