/// A `kind: Resiliency` document: named policies and the components they apply to.
///
/// Defaults follow Dapr's documentation: a retry is `constant` every 5 s, forever
/// (`maxRetries: -1`); an exponential retry starts at 500 ms, grows ×1.5 with ±50 % jitter, up to
/// `maxInterval` (60 s); a circuit breaker lets `maxRequests` (1) probe when half-open, reopens
/// after `timeout` (60 s), trips on `consecutiveFailures > 5`.
public struct ResiliencySpec: Sendable, Equatable {
    public struct Retry: Sendable, Hashable {
        public enum Policy: String, Sendable { case constant, exponential }
        public var policy: Policy
        public var duration: Duration
        public var maxInterval: Duration
        /// `nil` retries forever (Dapr's `-1`).
        public var maxRetries: Int?

        public init(policy: Policy = .constant, duration: Duration = .seconds(5), maxInterval: Duration = .seconds(60), maxRetries: Int? = nil) {
            self.policy = policy
            self.duration = duration
            self.maxInterval = maxInterval
            self.maxRetries = maxRetries
        }
    }

    public struct CircuitBreaker: Sendable, Hashable {
        public var maxRequests: Int
        /// How often the closed breaker clears its counts; zero never does.
        public var interval: Duration
        /// How long the open breaker waits before letting probes through.
        public var timeout: Duration
        /// The trip condition, e.g. `consecutiveFailures >= 5`.
        public var trip: String

        public init(maxRequests: Int = 1, interval: Duration = .zero, timeout: Duration = .seconds(60), trip: String = "consecutiveFailures > 5") {
            self.maxRequests = maxRequests
            self.interval = interval
            self.timeout = timeout
            self.trip = trip
        }
    }

    /// The policy names one direction of a component uses.
    public struct Target: Sendable, Hashable {
        public var timeout: String?
        public var retry: String?
        public var circuitBreaker: String?
    }

    public var name: String
    public var scopes: [String]
    public var timeouts: [String: Duration]
    public var retries: [String: Retry]
    public var circuitBreakers: [String: CircuitBreaker]
    /// `targets.components.<name>.inbound`: delivery from the component to the app.
    public var inbound: [String: Target]
    /// `targets.components.<name>.outbound`: publish to the component, binding invocations.
    public var outbound: [String: Target]
    public var origin: ResourceOrigin

    public func isVisible(to appID: String) -> Bool { scopes.isEmpty || scopes.contains(appID) }
}

extension ResiliencySpec {
    static func read(_ document: YAMLField) throws(ConfigurationError) -> ResiliencySpec {
        document.warnAboutUnknownMembers(["apiVersion", "kind", "metadata", "spec", "scopes"])
        let name = try document.child("metadata").child("name").requiredString()
        document.context.resource = "Resiliency '\(name)'"
        let spec = document.child("spec")
        spec.warnAboutUnknownMembers(["policies", "targets"])
        let policies = spec.child("policies")
        policies.warnAboutUnknownMembers(["timeouts", "retries", "circuitBreakers"])

        var timeouts: [String: Duration] = [:]
        for (key, field) in try policies.child("timeouts").members() {
            guard let value = try field.duration(), value > .zero else { throw field.error("must be a positive duration like '5s'") }
            timeouts[key] = value
        }
        var retries: [String: Retry] = [:]
        for (key, field) in try policies.child("retries").members() {
            field.warnAboutUnknownMembers(["policy", "duration", "maxInterval", "maxRetries", "matching"])
            var retry = Retry()
            if let text = try field.child("policy").string() {
                guard let policy = Retry.Policy(rawValue: text) else {
                    throw field.child("policy").error("must be 'constant' or 'exponential', got '\(text)'")
                }
                retry.policy = policy
            }
            if let duration = try field.child("duration").duration() { retry.duration = duration }
            if let interval = try field.child("maxInterval").duration() { retry.maxInterval = interval }
            if let count = try field.child("maxRetries").int() {
                guard count >= -1 else { throw field.child("maxRetries").error("must be -1 (forever) or a count, got \(count)") }
                retry.maxRetries = count == -1 ? nil : count
            }
            retries[key] = retry
        }
        var breakers: [String: CircuitBreaker] = [:]
        for (key, field) in try policies.child("circuitBreakers").members() {
            field.warnAboutUnknownMembers(["maxRequests", "interval", "timeout", "trip"])
            var breaker = CircuitBreaker()
            if let count = try field.child("maxRequests").int() {
                guard count >= 1 else { throw field.child("maxRequests").error("must be at least 1") }
                breaker.maxRequests = count
            }
            if let interval = try field.child("interval").duration() { breaker.interval = interval }
            if let timeout = try field.child("timeout").duration() { breaker.timeout = timeout }
            if let trip = try field.child("trip").string() {
                do { _ = try TripCondition(trip) } catch { throw field.child("trip").error(error.description) }
                breaker.trip = trip
            }
            breakers[key] = breaker
        }

        let targets = spec.child("targets")
        targets.warnAboutUnknownMembers(["components", "apps", "actors"])
        for ignored in ["apps", "actors"] where targets.child(ignored).isPresent {
            document.context.warnings.append("\(document.context.origin.file): targets.\(ignored) apply to service invocation and actors, which Outrigger does not provide; ignored")
        }
        var inbound: [String: Target] = [:]
        var outbound: [String: Target] = [:]
        for (component, field) in try targets.child("components").members() {
            field.warnAboutUnknownMembers(["inbound", "outbound"])
            for direction in ["inbound", "outbound"] {
                let targetField = field.child(direction)
                guard targetField.isPresent else { continue }
                targetField.warnAboutUnknownMembers(["timeout", "retry", "circuitBreaker"])
                let target = Target(
                    timeout: try reference(targetField.child("timeout"), in: Set(timeouts.keys), what: "timeouts"),
                    retry: try reference(targetField.child("retry"), in: Set(retries.keys), what: "retries"),
                    circuitBreaker: try reference(targetField.child("circuitBreaker"), in: Set(breakers.keys), what: "circuitBreakers"))
                if direction == "inbound" { inbound[component] = target } else { outbound[component] = target }
            }
        }
        return ResiliencySpec(
            name: name, scopes: try document.child("scopes").stringList(), timeouts: timeouts, retries: retries,
            circuitBreakers: breakers, inbound: inbound, outbound: outbound, origin: document.context.origin)
    }

    private static func reference(_ field: YAMLField, in names: Set<String>, what: String) throws(ConfigurationError) -> String? {
        guard let name = try field.string() else { return nil }
        guard names.contains(name) else {
            throw field.error("names no policy '\(name)' under policies.\(what) (known: \(names.sorted().joined(separator: ", ")))")
        }
        return name
    }
}
