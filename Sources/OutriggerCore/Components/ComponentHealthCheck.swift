/// The live health of the loaded components, as `/v1.0/healthz/outbound` and `/v1.0/metadata`
/// report it: a component's own ``HealthReporting/health`` (its ``Supervisor``'s view of the
/// connection) when it has one, and a ``PingableComponent/ping()`` to its broker within
/// `timeout`. Components with neither are taken as healthy.
public enum ComponentHealthCheck {
    /// One unhealthy component and why.
    public struct Problem: Sendable, Equatable, CustomStringConvertible {
        public var component: String
        public var reason: String

        public init(component: String, reason: String) {
            self.component = component
            self.reason = reason
        }

        public var description: String { "component '\(component)': \(reason)" }
    }

    /// Every unhealthy component, in load order; empty when all are healthy. Pings run
    /// concurrently, each bounded by `timeout`.
    public static func problems(in components: LoadedComponents, timeout: Duration = .seconds(2), clock: AnyClock = .continuous) async -> [Problem] {
        await withTaskGroup(of: (Int, Problem?).self) { group in
            for (index, entry) in components.entries.enumerated() {
                group.addTask { (index, await problem(of: entry, timeout: timeout, clock: clock)) }
            }
            var found: [(Int, Problem)] = []
            for await (index, problem) in group {
                if let problem { found.append((index, problem)) }
            }
            return found.sorted { $0.0 < $1.0 }.map(\.1)
        }
    }

    /// The connection state a component reports, if it reports one.
    public static func reportedHealth(of component: any Component) -> ConnectionHealth? {
        (component as? any HealthReporting)?.health
    }

    private static func problem(of entry: LoadedComponents.Entry, timeout: Duration, clock: AnyClock) async -> Problem? {
        let name = entry.spec.name
        if let health = reportedHealth(of: entry.component), !health.isHealthy {
            return Problem(component: name, reason: health.description)
        }
        guard let pingable = entry.component as? any PingableComponent else { return nil }
        do {
            try await withTimeLimit(timeout, clock: clock) { try await pingable.ping() }
            return nil
        } catch {
            return Problem(component: name, reason: "ping failed: \(error)")
        }
    }
}
