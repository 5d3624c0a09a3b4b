/// What one scenario (one broker, one seed) found.
public struct ScenarioResult: Sendable {
    /// How the scenario ended.
    public enum Status: Sendable {
        /// It ran to the end; the counts below are complete.
        case ran
        /// The broker cannot run on this machine (its program is missing).
        case notRun(String)
        /// The runner itself failed (a sidecar or broker would not start); counts are partial.
        case aborted(String)
    }

    /// The component under test.
    public var broker: ChaosBroker
    /// The seed of the app's answers.
    public var seed: UInt64
    /// Events the scenario set out to publish.
    public var events: Int
    public var status: Status = .ran
    /// Events a sidecar answered 2xx to.
    public var accepted = 0
    /// Accepted events delivered to the app (at least once).
    public var delivered = 0
    /// Accepted events neither delivered nor dead-lettered, by sequence number.
    public var lost: [Int] = []
    /// The lost events by attributed cause: the fault around the time they were accepted.
    public var lossCauses: [String: Int] = [:]
    /// Deliveries beyond the first of an event, by attributed cause.
    public var duplicates: [String: Int] = [:]
    /// Events that reached the dead-letter route.
    public var deadLettered = 0
    /// Events the sidecars counted as dropped, expired or unrouted.
    public var dropped = 0
    /// Publish-to-delivery latency of accepted events, 50th and 99th percentile, seconds.
    public var latencyP50: Double?
    /// The 99th percentile, seconds.
    public var latencyP99: Double?
    /// What each fault did.
    public var faults: [FaultOutcome] = []
    /// Seconds the scenario took, start to end.
    public var wallTime = 0.0

    /// The number of duplicate deliveries.
    public var duplicateCount: Int { duplicates.values.reduce(0, +) }

    /// A scenario that did not run or was aborted.
    public init(broker: ChaosBroker, seed: UInt64, events: Int, status: Status = .ran) {
        self.broker = broker
        self.seed = seed
        self.events = events
        self.status = status
    }
}

/// How the delivery went through one fault.
public struct FaultOutcome: Sendable {
    /// The fault and when it happened.
    public var record: FaultRecord
    /// Seconds from the injection to the first delivery after the broken part was back
    /// (through the faulted sidecar, for a sidecar fault); nil when none came.
    public var recovery: Double?
    /// Seconds from the injection to the first delivery through the other sidecar (sidecar
    /// faults only): how long deliveries stopped at all.
    public var othersContinued: Double?
    /// `kill -9` only: events the killed sidecar had handed to the app before the kill that
    /// were neither delivered nor dead-lettered by then (retries in progress).
    public var stranded: Int?
    /// `kill -9` only: events that had reached the app through the killed sidecar before the
    /// kill and were delivered by the other sidecar before the killed one was back.
    public var takenOver: Int?
}
