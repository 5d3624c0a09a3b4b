import Foundation
import RedisClient

/// A redis-server of a test's own, on a port of its own, for what the shared server must not
/// see: restarts, TLS, server-wide counters. Stopped when the test ends (`stop()`), or at the
/// latest when this object goes away.
final class RedisServerProcess: @unchecked Sendable {
    // @unchecked: `process` changes only in start/stop, which a test calls one at a time.
    let port: Int
    let directory: URL
    private let arguments: [String]
    private var process: Process?

    /// Returns when `redis-server` is installed; else the test is skipped (a failure with `CI=true`).
    static func requireInstalled(_ test: String = #function) throws {
        guard !FileManager.default.isExecutableFile(atPath: "/usr/bin/redis-server") else { return }
        try TestRedis.skip("RedisComponentsTests.\(test): /usr/bin/redis-server is not installed (apt-get install redis-server)")
    }

    /// Starts a server with `arguments` added (`--appendonly yes`, TLS settings ...); with
    /// `tlsCertificate` the server listens with TLS only, on ``port``.
    static func start(_ arguments: [String] = [], tls: TestCertificate? = nil) async throws -> RedisServerProcess {
        var lastError: (any Error)?
        for _ in 0..<5 {
            let port = Int.random(in: 20_000..<40_000)
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("outrigger-redis-\(port)-\(UUID().uuidString.prefix(6))")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            var all = ["--bind", "127.0.0.1", "--dir", directory.path, "--save", "", "--daemonize", "no", "--logfile", directory.appendingPathComponent("redis.log").path]
            if let tls {
                all += ["--port", "0", "--tls-port", String(port), "--tls-cert-file", tls.certificatePath, "--tls-key-file", tls.keyPath, "--tls-auth-clients", "no"]
            } else {
                all += ["--port", String(port)]
            }
            let server = RedisServerProcess(port: port, directory: directory, arguments: all + arguments)
            do {
                try await server.launch(tls: tls != nil)
                return server
            } catch {
                lastError = error
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
        if let process { Foundation.kill(process.processIdentifier, SIGKILL) }
    }

    /// Runs the server and waits until it answers (a TCP connect for TLS servers).
    func launch(tls: Bool = false) async throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/redis-server")
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
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
    func kill() {
        guard let process else { return }
        self.process = nil
        Foundation.kill(process.processIdentifier, SIGKILL)
        // Reaped by Foundation's child watcher; wait without blocking on a run loop.
        var waited = 0
        while process.isRunning && waited < 5_000 {
            usleep(1_000)
            waited += 1
        }
    }

    /// Kills the server and removes its data directory: the end of a test.
    func stop() {
        kill()
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

/// A self-signed certificate for `localhost` and `127.0.0.1`, made with openssl for a test.
struct TestCertificate: Sendable {
    let certificatePath: String
    let keyPath: String

    var certificatePEM: String { (try? String(contentsOfFile: certificatePath, encoding: .utf8)) ?? "" }

    /// Deletes the files (a running server has read them already).
    func remove() {
        try? FileManager.default.removeItem(atPath: URL(fileURLWithPath: certificatePath).deletingLastPathComponent().path)
    }

    static func make() throws -> TestCertificate {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("outrigger-tls-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let certificate = directory.appendingPathComponent("cert.pem").path
        let key = directory.appendingPathComponent("key.pem").path
        let openssl = Process()
        openssl.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        openssl.arguments = [
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost",
            "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1", "-keyout", key, "-out", certificate,
        ]
        openssl.standardOutput = FileHandle.nullDevice
        openssl.standardError = FileHandle.nullDevice
        try openssl.run()
        while openssl.isRunning { usleep(2_000) }
        guard openssl.terminationStatus == 0 else { throw DeadlinePassed(description: "openssl could not make a certificate") }
        return TestCertificate(certificatePath: certificate, keyPath: key)
    }
}
