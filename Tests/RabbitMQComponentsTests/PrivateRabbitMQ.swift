import AMQPClient
import Foundation
import OutriggerCore
import OutriggerTesting
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A rabbitmq-server of the test's own (node name, ports, data and logs private to it), so a
/// test may kill and restart it without touching the shared broker of `conformance/brokers.sh`.
/// Launched the way brokers.sh launches RabbitMQ, in a process group of its own, so the whole
/// node (beam and its helpers) is killed by that group's id.
final class PrivateRabbitMQ {
    static let server = "/usr/lib/rabbitmq/bin/rabbitmq-server"
    private static let ports = LoopbackPortAllocator(range: 20_000..<32_000)

    let port: Int
    /// The TLS listener's port, when started with ``init(tls:)``.
    let tlsPort: Int?
    private let distributionPort: Int
    private let directory: URL
    private let node: String
    /// The process group of the running node; only touched by the test that owns this broker.
    private var process: AwaitableProcess?

    /// A broker not yet started; skips the test (an Issue with `CI=true`) when rabbitmq-server
    /// is not installed. With `tls`, it also listens with TLS on ``tlsPort`` with that
    /// certificate (CA, certificate and key in PEM).
    init(tls: (ca: String, certificate: String, key: String)? = nil) throws {
        try Self.requireServer()
        port = Self.ports.allocate()
        distributionPort = Self.ports.allocate()
        tlsPort = tls == nil ? nil : Self.ports.allocate()
        let id = UUID().uuidString.prefix(8).lowercased()
        node = "outrigger-test-\(id)@localhost"
        directory = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("outrigger-rabbitmq-\(id)")
        let manager = FileManager.default
        try manager.createDirectory(at: directory.appendingPathComponent("mnesia"), withIntermediateDirectories: true)
        try manager.createDirectory(at: directory.appendingPathComponent("log"), withIntermediateDirectories: true)
        var configuration = "listeners.tcp.default = 127.0.0.1:\(port)\nloopback_users.guest = true\nlog.file.level = warning\n"
        if let tls, let tlsPort {
            for (name, pem) in [("ca.pem", tls.ca), ("server.pem", tls.certificate), ("server.key", tls.key)] {
                try pem.write(to: directory.appendingPathComponent(name), atomically: true, encoding: .utf8)
            }
            configuration += """
                listeners.ssl.default = 127.0.0.1:\(tlsPort)
                ssl_options.cacertfile = \(directory.path)/ca.pem
                ssl_options.certfile = \(directory.path)/server.pem
                ssl_options.keyfile = \(directory.path)/server.key
                ssl_options.verify = verify_peer
                ssl_options.fail_if_no_peer_cert = false

                """
        }
        try configuration.write(to: directory.appendingPathComponent("rabbitmq.conf"), atomically: true, encoding: .utf8)
        try "[].\n".write(to: directory.appendingPathComponent("enabled_plugins"), atomically: true, encoding: .utf8)
        try "".write(to: directory.appendingPathComponent("rabbitmq-env.conf"), atomically: true, encoding: .utf8)
    }

    private static func requireServer() throws {
        guard !FileManager.default.isExecutableFile(atPath: server) else { return }
        if ProcessInfo.processInfo.environment["CI"] == "true" { Issue.record("\(server) is missing; the broker-restart test needs rabbitmq-server") }
        try Test.cancel("\(server) is not installed")
    }

    deinit {
        // Not awaited: the kernel ends the group at once, Foundation reaps the node.
        if let process { Glibc.kill(-process.pid, SIGKILL) }
        try? FileManager.default.removeItem(at: directory)
    }

    var connectionString: String { "amqp://guest:guest@127.0.0.1:\(port)/" }

    /// Starts the node (keeping the data of an earlier run) and waits until it accepts connections.
    func start(within limit: Duration = .seconds(120)) async throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.server)
        let path = directory.path
        process.environment = [
            "PATH": "/usr/bin:/bin:/usr/sbin:/sbin", "HOME": path,
            "RABBITMQ_NODENAME": node, "RABBITMQ_NODE_IP_ADDRESS": "127.0.0.1", "RABBITMQ_NODE_PORT": "\(port)",
            "RABBITMQ_DIST_PORT": "\(distributionPort)", "ERL_EPMD_ADDRESS": "127.0.0.1", "ERL_EPMD_PORT": "4369",
            "RABBITMQ_CONF_ENV_FILE": "\(path)/rabbitmq-env.conf", "RABBITMQ_CONFIG_FILE": "\(path)/rabbitmq.conf",
            "RABBITMQ_ADVANCED_CONFIG_FILE": "\(path)/advanced.config", "RABBITMQ_ENABLED_PLUGINS_FILE": "\(path)/enabled_plugins",
            "RABBITMQ_MNESIA_BASE": "\(path)/mnesia", "RABBITMQ_LOG_BASE": "\(path)/log", "RABBITMQ_PID_FILE": "\(path)/mnesia/rabbit.pid",
            // A node killed mid-boot writes a crash dump; it belongs with the node's files, not in
            // the directory the tests run from.
            "ERL_CRASH_DUMP": "\(path)/erl_crash.dump",
        ]
        let log = FileHandle(forWritingAtPath: "/dev/null")
        process.standardOutput = log
        process.standardError = log
        let child = try AwaitableProcess(launching: process)
        // Foundation starts the child as the leader of a process group of its own; the node's
        // beam and helpers inherit the group.
        guard getpgid(child.pid) == child.pid else {
            await child.kill()
            throw PrivateBrokerError("rabbitmq-server did not start in a process group of its own")
        }
        self.process = child
        let port = port
        try await withDeadline(limit, "rabbitmq-server on 127.0.0.1:\(port)") {
            while !TCPPortCheck.accepts(host: "127.0.0.1", port: port) {
                try await Task.sleep(for: .milliseconds(100))
            }
            // The port opens before the node has finished booting; on a loaded box an AMQP
            // handshake can then take longer than a component's connect timeout. Ready means
            // a connection opens.
            while true {
                if let connection = try? await AMQPConnection.open(AMQPConfiguration(host: "127.0.0.1", port: port, connectTimeout: .seconds(5))) {
                    await connection.close()
                    return
                }
                try await Task.sleep(for: .milliseconds(200))
            }
        }
    }

    /// `kill -9` of the node's process group: a crash, not a shutdown.
    func kill() async {
        guard let process else { return }
        self.process = nil
        await process.killGroup()
    }
}

struct PrivateBrokerError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
