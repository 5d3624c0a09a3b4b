import Foundation
import OutriggerTesting
import RedisClient

/// A redis-server of a test's own, on a port of its own, for what the shared server must not
/// see: restarts, TLS, server-wide counters. Stopped when the test ends (`stop()`), or at the
/// latest when this object goes away.
final class RedisServerProcess: @unchecked Sendable {
    // @unchecked: `process` changes only in start/stop, which a test calls one at a time.
    let port: Int
    let directory: URL
    private let arguments: [String]
    private var process: AwaitableProcess?

    /// Returns when `redis-server` is installed; else the test is skipped (a failure with `CI=true`).
    static func requireInstalled(_ test: String = #function) throws {
        guard !FileManager.default.isExecutableFile(atPath: "/usr/bin/redis-server") else { return }
        try TestRedis.skip("RedisComponentsTests.\(test): /usr/bin/redis-server is not installed (apt-get install redis-server)")
    }

    /// Starts a server with `arguments` added (`--appendonly yes`, TLS settings ...); with
    /// `tlsCertificate` the server listens with TLS only, on ``port``.
    static func start(_ arguments: [String] = [], tls: TestCertificates? = nil) async throws -> RedisServerProcess {
        var lastError: (any Error)?
        for _ in 0..<5 {
            let port = Int.random(in: 20_000..<40_000)
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("outrigger-redis-\(port)-\(UUID().uuidString.prefix(6))")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            var all = ["--bind", "127.0.0.1", "--dir", directory.path, "--save", "", "--daemonize", "no", "--logfile", directory.appendingPathComponent("redis.log").path]
            if let tls {
                all += ["--port", "0", "--tls-port", String(port), "--tls-cert-file", tls.serverCertificatePath, "--tls-key-file", tls.serverKeyPath, "--tls-auth-clients", "no"]
            } else {
                all += ["--port", String(port)]
            }
            let server = RedisServerProcess(port: port, directory: directory, arguments: all + arguments)
            do {
                try await server.launch(tls: tls != nil)
                return server
            } catch {
                lastError = error
                await server.kill()
                server.stop()
            }
        }
        throw lastError ?? DeadlinePassed(description: "redis-server did not start")
    }

    private init(port: Int, directory: URL, arguments: [String]) {
        self.port = port
        self.directory = directory
        self.arguments = arguments
    }

    deinit {
        if let process { Foundation.kill(process.pid, SIGKILL) }
    }

    /// Runs the server and waits until it answers (a TCP connect for TLS servers).
    func launch(tls: Bool = false) async throws {
        let process = try AwaitableProcess("/usr/bin/redis-server", arguments)
        self.process = process
        let port = port
        try await eventually(.seconds(10), "redis-server on port \(port) to answer") {
            guard process.isRunning else { throw DeadlinePassed(description: "redis-server on port \(port) exited") }
            if tls { return Self.accepts(port: port) }
            guard let connection = try? await RedisConnection.connect(RedisConfiguration(host: "127.0.0.1", port: port, dialTimeout: .seconds(1))) else { return false }
            await connection.close()
            return true
        }
    }

    /// Kills the server (SIGKILL: nothing is saved on the way out; a child of the test
    /// process inherits its blocked SIGTERM) and waits until it is gone. Its data directory
    /// stays, for a ``launch(tls:)`` on the same port.
    func kill() async {
        guard let process else { return }
        self.process = nil
        await process.kill()
    }

    /// Kills the server and removes its data directory: the end of a test (from a `defer`,
    /// so not awaited: the kernel ends the server at once and Foundation reaps it).
    func stop() {
        if let process { Foundation.kill(process.pid, SIGKILL) }
        process = nil
        try? FileManager.default.removeItem(at: directory)
    }

    static func accepts(port: Int) -> Bool {
        let socket = Foundation.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { return false }
        defer { close(socket) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
    }
}
