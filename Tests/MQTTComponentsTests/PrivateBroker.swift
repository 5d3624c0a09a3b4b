import Foundation
import OutriggerCore
#if canImport(Glibc)
import Glibc
#endif
import Testing

/// A mosquitto of a test's own on a free port, with persistence in a temporary directory, so
/// the test may stop and restart it without touching the shared broker.
final class PrivateBroker: @unchecked Sendable {
    static let binary = ["/usr/sbin/mosquitto", "/usr/bin/mosquitto"].first { FileManager.default.isExecutableFile(atPath: $0) }

    let port: Int
    let directory: URL
    private var pid: pid_t = 0

    /// Skips the test (or records an issue in CI) when mosquitto is not installed.
    /// `listenerOptions` are mosquitto.conf lines for its listener (TLS files, say).
    init(listenerOptions: String = "") throws {
        try Self.requireMosquitto()
        port = Self.freePort()
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("outrigger-mosquitto-\(UUID().uuidString)")
        // Started as root, mosquitto drops to its own user, which must be able to write here.
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o777])
        let config = """
            listener \(port) 127.0.0.1
            allow_anonymous true
            persistence true
            persistence_location \(directory.path)/
            autosave_on_changes true
            autosave_interval 1
            max_queued_messages 100000
            log_dest none
            \(listenerOptions)

            """
        try config.write(to: directory.appendingPathComponent("mosquitto.conf"), atomically: true, encoding: .utf8)
    }

    private static func requireMosquitto() throws {
        guard binary == nil else { return }
        if ProcessInfo.processInfo.environment["CI"] == "true" { Issue.record("mosquitto is not installed (Debian package mosquitto)") }
        try Test.cancel("mosquitto is not installed")
    }

    deinit {
        discard()
        try? FileManager.default.removeItem(at: directory)
    }

    var url: String { "tcp://127.0.0.1:\(port)" }

    /// Starts the broker and waits until it accepts connections.
    ///
    /// Spawned with an empty signal mask and default handlers: the test process blocks some
    /// signals on its threads, and a child inheriting a blocked SIGTERM would never stop.
    func start() async throws {
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var none = sigset_t()
        sigemptyset(&none)
        var all = sigset_t()
        sigfillset(&all)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        let arguments = [Self.binary!, "-c", directory.appendingPathComponent("mosquitto.conf").path]
        var argv = arguments.map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var child: pid_t = 0
        let code = posix_spawn(&child, Self.binary!, nil, &attributes, &argv, environ)
        guard code == 0 else { throw BrokerFailed(reason: "posix_spawn mosquitto: \(code)") }
        pid = child
        let deadline = ContinuousClock.now.advanced(by: .seconds(10))
        while !TCPPortCheck.accepts(port: port) {
            guard ContinuousClock.now < deadline, kill(child, 0) == 0 else { throw BrokerFailed(reason: "mosquitto did not start on port \(port)") }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    /// Stops it with `signal` (SIGTERM: mosquitto writes its store on the way out) and waits
    /// for the exit.
    func stop(signal: Int32 = SIGTERM) async {
        guard pid > 0 else { return }
        let child = pid
        pid = 0
        kill(child, signal)
        // Polled, not waited for: a blocking waitpid would hold one of the few threads every
        // test's tasks share.
        var status: Int32 = 0
        while waitpid(child, &status, WNOHANG) == 0 {
            try? await Task.sleep(for: .milliseconds(5))
        }
    }

    /// Kills the broker without waiting (for a `defer`); a thread of its own reaps it.
    func discard() {
        guard pid > 0 else { return }
        let child = pid
        pid = 0
        kill(child, SIGKILL)
        Thread.detachNewThread {
            var status: Int32 = 0
            waitpid(child, &status, 0)
        }
    }

    /// Waits until mosquitto's store on disk holds `payload` (with `autosave_on_changes` it
    /// saves after every change, but only after it sent the PUBACK).
    func waitForSave(of payload: String) async throws {
        let store = directory.appendingPathComponent("mosquitto.db")
        let bytes = Data(payload.utf8)
        let deadline = ContinuousClock.now.advanced(by: .seconds(10))
        while (try? Data(contentsOf: store))?.range(of: bytes) == nil {
            guard ContinuousClock.now < deadline else { throw BrokerFailed(reason: "mosquitto did not save \(payload) to its store") }
            try await Task.sleep(for: .milliseconds(10))
        }
    }

    struct BrokerFailed: Error {
        var reason: String
    }

    static func freePort() -> Int {
        for _ in 0..<50 {
            let port = Int.random(in: 20000...40000)
            if TCPPortCheck.isFree(port: port) { return port }
        }
        return 31883
    }
}
