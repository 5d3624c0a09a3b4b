import Foundation
import OutriggerCore
import Testing

/// A librdkafka mock cluster of the test's own (conformance/kafka-mock, built into a temporary
/// directory) on a free port, so a test can kill and restart its broker without touching the
/// shared one on 9092. `@unchecked Sendable`: one test drives it, from one task at a time.
final class PrivateKafkaMock: @unchecked Sendable {
    let port: Int
    private let binary: URL
    private var process: Process?

    var brokers: String { "127.0.0.1:\(port)" }

    /// Builds the mock; skips the test (an issue in CI) when it cannot be built.
    convenience init() throws {
        let binary = try Self.build()
        var port = 0
        for _ in 0..<50 {
            let candidate = Int.random(in: 20_000..<40_000)
            if TCPPortCheck.isFree(port: candidate) {
                port = candidate
                break
            }
        }
        self.init(binary: binary, port: port)
    }

    private init(binary: URL, port: Int) {
        self.binary = binary
        self.port = port
    }

    private static func build() throws -> URL {
        let source = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("conformance/kafka-mock/build.sh")
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("outrigger-kafka-mock-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let binary = directory.appendingPathComponent("kafka-mock")
        let build = Process()
        build.executableURL = URL(fileURLWithPath: "/bin/bash")
        build.arguments = [source.path, binary.path]
        build.standardOutput = FileHandle.nullDevice
        build.standardError = FileHandle.nullDevice
        try build.run()
        build.waitUntilExit()
        if build.terminationStatus != 0 {
            let reason = "cannot build the Kafka mock cluster (\(source.path) needs gcc, pkg-config and librdkafka-dev)"
            if ProcessInfo.processInfo.environment["CI"] == "true" { Issue.record(Comment(rawValue: reason)) }
            try Test.cancel(Comment(rawValue: reason))
        }
        return binary
    }

    /// Starts the cluster and returns once it accepts connections.
    func start() async throws {
        let process = Process()
        process.executableURL = binary
        process.arguments = ["-p", String(port)]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        self.process = process
        while !TCPPortCheck.accepts(port: port) {
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    /// `kill -9`: the cluster and everything it stored are gone at once.
    func kill() {
        guard let process else { return }
        Foundation.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        self.process = nil
    }

    deinit {
        kill()
        try? FileManager.default.removeItem(at: binary.deletingLastPathComponent())
    }
}
