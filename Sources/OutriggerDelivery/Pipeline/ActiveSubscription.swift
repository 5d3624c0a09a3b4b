import CloudEvents
import OutriggerCore
import Synchronization

/// A subscription the pipeline delivers for: its spec, its compiled routes, its policy and counters.
public final class ActiveSubscription: Sendable {
    public let spec: SubscriptionSpec
    public let policy: DeliveryPolicy
    public let counters = DeliveryCounters()
    let rules: [(expression: RouteMatchExpression, path: String)]
    let defaultPath: String?
    /// Batches events for the app when the subscription has `bulkSubscribe.enabled`.
    let bulk: BulkAggregator?
    /// Retries, timeouts and the circuit breaker of this subscription's deliveries.
    let retries: RetryCore

    /// Compiles the routing rules; a bad `match` expression throws with its position.
    public init(spec: SubscriptionSpec, policy: DeliveryPolicy, clock: AnyClock = .continuous) throws {
        self.spec = spec
        self.policy = policy
        var rules: [(RouteMatchExpression, String)] = []
        for (index, rule) in spec.rules.enumerated() {
            do {
                rules.append((try RouteMatchExpression(rule.match), Self.normalise(rule.path)))
            } catch {
                throw SubscriptionError(spec: spec, message: "routes.rules[\(index)].match: \(error)")
            }
        }
        self.rules = rules
        self.defaultPath = spec.defaultRoute.map(Self.normalise)
        self.bulk = spec.bulkSubscribe.flatMap { $0.enabled ? BulkAggregator(options: $0, clock: clock) : nil }
        self.retries = try RetryCore(policy: policy, clock: clock)
    }

    /// The app path for `event`: the first matching rule, else the default route, else `nil` (drop).
    func path(for event: CloudEvent) -> String? {
        guard !rules.isEmpty else { return defaultPath }
        let object = event.jsonObject
        for rule in rules where rule.expression.matches(object) { return rule.path }
        return defaultPath
    }

    /// `closed`, `open` or `half-open`; `nil` without a breaker.
    public var circuitState: String? { retries.circuitState }

    static func normalise(_ path: String) -> String {
        path.hasPrefix("/") ? path : "/" + path
    }
}

/// A subscription that cannot be set up (bad routing rule, unknown pubsub).
public struct SubscriptionError: Error, Sendable, CustomStringConvertible {
    public var spec: SubscriptionSpec
    public var message: String

    public init(spec: SubscriptionSpec, message: String) {
        self.spec = spec
        self.message = message
    }

    public var description: String {
        "subscription to '\(spec.topic)' on '\(spec.pubsubName)' (\(spec.source)): \(message)"
    }
}

/// What happened to a subscription's messages; read by `/v1.0/metadata` and the metrics.
public final class DeliveryCounters: Sendable {
    public struct Snapshot: Sendable, Equatable {
        public var delivered = 0
        public var dropped = 0
        public var retried = 0
        public var deadLettered = 0
        /// Handed back to the broker for redelivery.
        public var nacked = 0
        public var expired = 0
        public var unrouted = 0
        public var inFlight = 0
    }

    private let state = Mutex(Snapshot())

    public init() {}

    public var snapshot: Snapshot { state.withLock { $0 } }

    func update(_ change: (inout Snapshot) -> Void) {
        state.withLock { change(&$0) }
    }
}
