/// How to run one scenario.
public struct ScenarioSettings: Sendable {
    /// The component under test.
    public var broker: ChaosBroker
    /// The seed of the app's answers.
    public var seed: UInt64
    /// How many events to publish.
    public var events: Int
    /// Concurrent publishing clients.
    public var clients = 50
    /// The faults to inject.
    public var plan = FaultPlan.full
    /// The shortest time the publishing may take: event n is sent no earlier than
    /// n × publishSpan / events after the start, so the faults happen mid-stream.
    public var publishSpan = Duration.seconds(120)
    /// After the last publish and the last fault: how long to wait for the events still
    /// missing while no delivery comes at all.
    public var quietLimit = Duration.seconds(60)
    /// The `outrigger` binary.
    public var binary: String
    /// The repository (for conformance/kafka-mock).
    public var repositoryRoot: String
    /// Where the scenario keeps its brokers' data, resources and logs (a folder per scenario
    /// is made inside).
    public var workDirectory: String
    /// Where progress lines go.
    public var log: @Sendable (String) -> Void = { Console.line($0) }

    /// Settings with the defaults above.
    public init(broker: ChaosBroker, seed: UInt64, events: Int, binary: String, repositoryRoot: String, workDirectory: String) {
        self.broker = broker
        self.seed = seed
        self.events = events
        self.binary = binary
        self.repositoryRoot = repositoryRoot
        self.workDirectory = workDirectory
    }
}
