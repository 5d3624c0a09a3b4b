import Foundation
import OutriggerCore
import OutriggerTesting
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A `nats-server -js` of a test's own, on a free port with its own store directory, so a
/// test can kill and restart it without touching the shared server.
final class PrivateNATSServer: @unchecked Sendable {
    let port: Int
    let storeDirectory: String
    let extraArguments: [String]
    private var process: AwaitableProcess?

    var url: String { "nats://127.0.0.1:\(port)" }

    /// The nats-server binary, or a cancelled test (an Issue in CI) when there is none.
    static func binary() throws -> String {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        let candidates = path.split(separator: ":").map { "\($0)/nats-server" } + ["/usr/sbin/nats-server", "/usr/bin/nats-server", "/usr/local/bin/nats-server"]
        if let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) { return found }
        let reason = "nats-server is not installed (Debian: nats-server)"
        if ProcessInfo.processInfo.environment["CI"] == "true" { Issue.record(Comment(rawValue: reason)) }
        try Test.cancel(Comment(rawValue: reason))
    }

    /// - Parameter configuration: a configuration file's text, passed with `-c`.
    init(arguments: [String] = [], configuration: String? = nil) throws {
        guard let port = TCPPortCheck.freePort() else { throw ComponentError(.terminal, "no free port") }
        self.port = port
        storeDirectory = NSTemporaryDirectory() + "outrigger-nats-\(UUID().uuidString.prefix(8))"
        var arguments = arguments
        if let configuration {
            try FileManager.default.createDirectory(atPath: storeDirectory, withIntermediateDirectories: true)
            let file = storeDirectory + "/server.conf"
            try configuration.write(toFile: file, atomically: true, encoding: .utf8)
            arguments += ["-c", file]
        }
        extraArguments = arguments
    }

    deinit {
        if let process, process.isRunning { kill(process.pid, SIGKILL) }
        try? FileManager.default.removeItem(atPath: storeDirectory)
    }

    /// Starts the server and returns once it accepts connections (at most 15 s).
    func start() async throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try Self.binary())
        process.arguments = ["-js", "-a", "127.0.0.1", "-p", "\(port)", "-sd", storeDirectory] + extraArguments
        try FileManager.default.createDirectory(atPath: storeDirectory, withIntermediateDirectories: true)
        let log = storeDirectory + "/server.log"
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        let output = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        output.seekToEndOfFile()
        process.standardOutput = output
        process.standardError = output
        let child = try AwaitableProcess(launching: process)
        self.process = child
        let deadline = ContinuousClock.now.advanced(by: .seconds(15))
        while !TCPPortCheck.accepts(port: port) {
            guard ContinuousClock.now < deadline, child.isRunning else {
                let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
                throw ComponentError(.terminal, "nats-server on \(port) did not start: \(text.suffix(600))")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    /// Kills the server with SIGKILL (no shutdown of its own) and waits for it to exit.
    func kill9() async {
        guard let process else { return }
        self.process = nil
        await process.kill()
    }
}
