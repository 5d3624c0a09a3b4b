import Foundation
import OutriggerCore

/// How to run one broker: the program, its arguments and environment, and when it is ready.
struct BrokerLaunch: Sendable {
    var executable: String
    var arguments: [String]
    var environment: [String: String]? = nil
    /// Returns once the broker on `port` takes clients.
    var ready: @Sendable (Int) async throws -> Void = { port in try await BrokerLaunch.waitForPort(port) }

    /// The launch of `broker` on `port` with its files in `directory`; fails naming the
    /// program when it is not installed.
    static func make(_ broker: ChaosBroker, port: Int, directory: String, repositoryRoot: String) async throws -> BrokerLaunch {
        switch broker {
        case .redis:
            return BrokerLaunch(
                executable: try installed("redis-server", ["/usr/bin/redis-server"]),
                arguments: [
                    "--port", "\(port)", "--bind", "127.0.0.1", "--dir", directory, "--save", "", "--appendonly", "yes",
                    "--appendfsync", "everysec", "--daemonize", "no",
                ])
        case .jetstream:
            return BrokerLaunch(
                executable: try installed("nats-server", ["/usr/sbin/nats-server", "/usr/bin/nats-server", "/usr/local/bin/nats-server"]),
                arguments: ["-js", "-a", "127.0.0.1", "-p", "\(port)", "-sd", directory + "/store"])
        case .mqtt3:
            let configuration = """
                listener \(port) 127.0.0.1
                allow_anonymous true
                persistence true
                persistence_location \(directory)/
                autosave_interval 1
                max_queued_messages 1000000
                log_dest none

                """
            try configuration.write(toFile: directory + "/mosquitto.conf", atomically: true, encoding: .utf8)
            return BrokerLaunch(
                executable: try installed("mosquitto", ["/usr/sbin/mosquitto", "/usr/bin/mosquitto"]),
                arguments: ["-c", directory + "/mosquitto.conf"])
        case .kafka:
            // The mock keeps about 5 MiB per partition and drops the oldest batches beyond
            // that, read or not: 32 partitions hold 100,000 events (~2 MB each), so a
            // consumer that restarts from its committed offset still finds its records.
            let topics = ["\(ChaosResources.topic):32", "\(ChaosResources.deadLetterTopic):4"]
            return BrokerLaunch(
                executable: try await buildKafkaMock(directory: directory, repositoryRoot: repositoryRoot), arguments: ["-p", "\(port)"] + topics)
        case .rabbitmq:
            return try rabbitMQ(port: port, directory: directory)
        }
    }

    /// A RabbitMQ node of its own: node name, distribution port, data and logs private to it.
    private static func rabbitMQ(port: Int, directory: String) throws -> BrokerLaunch {
        let server = try installed("rabbitmq-server", ["/usr/lib/rabbitmq/bin/rabbitmq-server"])
        let distribution = BrokerServer.ports.allocate()
        for folder in ["mnesia", "log"] {
            try FileManager.default.createDirectory(atPath: directory + "/" + folder, withIntermediateDirectories: true)
        }
        let files = [
            "rabbitmq.conf": "listeners.tcp.default = 127.0.0.1:\(port)\nloopback_users.guest = true\nlog.file.level = warning\n",
            "enabled_plugins": "[].\n", "rabbitmq-env.conf": "",
        ]
        for (name, text) in files { try text.write(toFile: directory + "/" + name, atomically: true, encoding: .utf8) }
        let environment = [
            "PATH": "/usr/bin:/bin:/usr/sbin:/sbin", "HOME": directory,
            "RABBITMQ_NODENAME": "outrigger-chaos-\(port)@localhost", "RABBITMQ_NODE_IP_ADDRESS": "127.0.0.1",
            "RABBITMQ_NODE_PORT": "\(port)", "RABBITMQ_DIST_PORT": "\(distribution)", "ERL_EPMD_ADDRESS": "127.0.0.1",
            "ERL_EPMD_PORT": "4369", "RABBITMQ_CONF_ENV_FILE": directory + "/rabbitmq-env.conf",
            "RABBITMQ_CONFIG_FILE": directory + "/rabbitmq.conf", "RABBITMQ_ADVANCED_CONFIG_FILE": directory + "/advanced.config",
            "RABBITMQ_ENABLED_PLUGINS_FILE": directory + "/enabled_plugins", "RABBITMQ_MNESIA_BASE": directory + "/mnesia",
            "RABBITMQ_LOG_BASE": directory + "/log", "RABBITMQ_PID_FILE": directory + "/mnesia/rabbit.pid",
            "ERL_CRASH_DUMP": directory + "/erl_crash.dump",
        ]
        // The port opens before the node has booted: ready means the AMQP handshake starts.
        return BrokerLaunch(executable: server, arguments: [], environment: environment) { port in
            try await waitForPort(port, within: .seconds(180))
            try await waitFor(within: .seconds(180), "rabbitmq-server on port \(port) to answer AMQP") {
                await ProtocolProbe.firstByte(port: port, sending: Array("AMQP".utf8) + [0, 0, 9, 1]) == 1
            }
        }
    }

    /// Builds the librdkafka mock cluster (conformance/kafka-mock) into `directory`.
    private static func buildKafkaMock(directory: String, repositoryRoot: String) async throws -> String {
        let script = repositoryRoot + "/conformance/kafka-mock/build.sh"
        let output = directory + "/kafka-mock"
        // Awaited, not waited for: the runner's tasks (and a test's) go on while gcc works.
        let build = try ChildProcess(executable: "/bin/bash", arguments: [script, output], logPath: directory + "/kafka-mock-build.log")
        guard await build.waitForExit(within: .seconds(600)), FileManager.default.isExecutableFile(atPath: output) else {
            build.signal(SIGKILL)
            throw BrokerMissing("the Kafka mock cluster could not be built (\(script) needs gcc, pkg-config and librdkafka-dev; see \(directory)/kafka-mock-build.log)")
        }
        return output
    }

    private static func installed(_ name: String, _ candidates: [String]) throws -> String {
        guard let path = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw BrokerMissing("\(name) is not installed (looked in \(candidates.joined(separator: ", ")))")
        }
        return path
    }

    /// Returns once something accepts connections on `port`.
    static func waitForPort(_ port: Int, within limit: Duration = .seconds(30)) async throws {
        try await waitFor(within: limit, "a broker to listen on port \(port)") { TCPPortCheck.accepts(port: port) }
    }
}

/// A broker program this machine does not have: the scenario is reported as not run.
public struct BrokerMissing: Error, CustomStringConvertible {
    /// Which program is missing and where it was looked for.
    public var description: String

    init(_ description: String) {
        self.description = description
    }
}

/// Polls `condition` every 100 ms until it holds; fails naming `what` after `limit`.
func waitFor(within limit: Duration, _ what: String, _ condition: @Sendable () async throws -> Bool) async throws {
    let deadline = ContinuousClock.now.advanced(by: limit)
    while try await !condition() {
        guard ContinuousClock.now < deadline else { throw ChaosError("timed out after \(limit) waiting for \(what)") }
        try await Task.sleep(for: .milliseconds(100))
    }
}
