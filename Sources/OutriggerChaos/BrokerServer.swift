import Foundation
import OutriggerCore
import OutriggerTesting

/// A private broker process of the scenario, on ports of its own with its data in the
/// scenario's directory, so it can be killed and restarted without touching the shared
/// brokers of `conformance/brokers.sh`.
final class BrokerServer: @unchecked Sendable {
    // @unchecked: start/restart/stop are called by the scenario's one fault driver, in turn.
    static let ports = LoopbackPortAllocator(range: 20_000..<32_000)

    let broker: ChaosBroker
    let port: Int
    private let directory: String
    private let launch: BrokerLaunch
    private var child: ChildProcess?

    /// A broker not started yet; fails naming the missing program when it is not installed.
    init(_ broker: ChaosBroker, directory: String, repositoryRoot: String) async throws {
        self.broker = broker
        self.directory = directory + "/broker"
        try FileManager.default.createDirectory(atPath: self.directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o777])
        port = Self.ports.allocate()
        launch = try await BrokerLaunch.make(broker, port: port, directory: self.directory, repositoryRoot: repositoryRoot)
    }

    /// Starts the broker (with the data it kept) and returns once it accepts connections.
    func start() async throws {
        child = try ChildProcess(
            executable: launch.executable, arguments: launch.arguments, environment: launch.environment, logPath: directory + "/broker.log")
        try await launch.ready(port)
    }

    /// The "broker restart" fault, as ``ChaosBroker/restartDescription`` says.
    func restart() async throws {
        guard let child else { return }
        switch broker {
        case .kafka:
            child.signal(SIGSTOP)
            try await Task.sleep(for: .seconds(10))
            child.signal(SIGCONT)
        case .mqtt3:
            await child.terminate(grace: .seconds(20))
            try await start()
        case .redis, .rabbitmq, .jetstream:
            await child.kill9(group: broker == .rabbitmq)
            try await start()
        }
    }

    /// Stops the broker for good.
    func stop() async {
        await child?.kill9(group: true)
        child = nil
    }
}
