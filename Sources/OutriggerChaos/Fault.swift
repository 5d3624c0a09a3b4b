/// One thing the scenario breaks on purpose.
public enum Fault: Sendable, Equatable {
    /// `kill -9` of a sidecar; it stays down for the broker's takeover window (so the other
    /// sidecar can take its messages over), then starts again.
    case killSidecar(SidecarIndex)
    /// SIGTERM of a sidecar (it drains), then it starts again.
    case terminateSidecar(SidecarIndex)
    /// The broker restart of ``ChaosBroker/restartDescription``.
    case restartBroker
    /// The app holds every request for this long, then answers them 503.
    case pauseApp(Duration)

    /// A short name for tables.
    public var name: String {
        switch self {
        case .killSidecar(let index): "kill -9 sidecar \(index)"
        case .terminateSidecar(let index): "SIGTERM sidecar \(index)"
        case .restartBroker: "broker restart"
        case .pauseApp(let duration): "app paused \(duration)"
        }
    }
}

/// The faults of a scenario, each injected once the publishers are done with the given share
/// of the events (and the previous fault is over).
public struct FaultPlan: Sendable {
    /// (share of the events published, fault), in order.
    public var steps: [(atShare: Double, fault: Fault)]

    /// A plan of `steps`.
    public init(_ steps: [(atShare: Double, fault: Fault)]) {
        self.steps = steps
    }

    /// The full run: each sidecar killed with -9 once (the other takes over), the broker
    /// restarted, the app paused 10 s, and one sidecar stopped with SIGTERM.
    public static let full = FaultPlan(named.map { ($0.atShare, $0.fault) })

    /// The steps of ``full`` by the names `--faults` takes.
    public static let named: [(name: String, atShare: Double, fault: Fault)] = [
        ("kill0", 0.10, .killSidecar(0)), ("broker", 0.25, .restartBroker), ("pause", 0.40, .pauseApp(.seconds(10))),
        ("kill1", 0.55, .killSidecar(1)), ("term0", 0.70, .terminateSidecar(0)),
    ]

    /// The steps of ``full`` named in `names` (`full`: all of them, `none`: none); nil when a
    /// name is unknown.
    public static func selecting(_ names: [String]) -> FaultPlan? {
        if names == ["full"] { return full }
        if names == ["none"] { return FaultPlan([]) }
        guard names.allSatisfy({ name in named.contains { $0.name == name } }) else { return nil }
        return FaultPlan(named.filter { names.contains($0.name) }.map { ($0.atShare, $0.fault) })
    }
}

/// What happened when a fault was injected, in seconds since the scenario started.
public struct FaultRecord: Sendable {
    /// The fault.
    public var fault: Fault
    /// When it was injected.
    public var injectedAt: Double
    /// When the broken part was back (restarted process healthy, app answering again).
    public var backAt: Double
    /// How many events had been published (accepted or given up on) when it was injected.
    public var publishedBefore: Int
}
