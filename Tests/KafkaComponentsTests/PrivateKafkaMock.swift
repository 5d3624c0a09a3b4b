import Foundation
import OutriggerCore
import OutriggerTesting
import Testing

/// A librdkafka mock cluster of the test's own (conformance/kafka-mock, built into a temporary
/// directory) on a free port, so a test can kill and restart its broker without touching the
/// shared one on 9092. `@unchecked Sendable`: one test drives it, from one task at a time.
final class PrivateKafkaMock: @unchecked Sendable {
    let port: Int
    private let binary: URL
    private var process: AwaitableProcess?

    var brokers: String { "127.0.0.1:\(port)" }

    /// Builds the mock (once per test process); skips the test (an issue in CI) when it cannot be built.
    static func make() async throws -> PrivateKafkaMock {
        let binary: URL
        switch await Self.binary.value {
        case let .success(built):
            binary = built
        case let .failure(unavailable):
            if ProcessInfo.processInfo.environment["CI"] == "true" { Issue.record(Comment(rawValue: unavailable.reason)) }
            try Test.cancel(Comment(rawValue: unavailable.reason))
        }
        var port = 0
        for _ in 0..<50 {
            let candidate = Int.random(in: 20_000..<40_000)
            if TCPPortCheck.isFree(port: candidate) {
                port = candidate
                break
            }
        }
        return PrivateKafkaMock(binary: binary, port: port)
    }

    private init(binary: URL, port: Int) {
        self.binary = binary
        self.port = port
    }

    /// The mock's binary, compiled by the first test that needs one and shared by the rest:
    /// a compile per test would keep gcc busy while other tests run.
    private static let binary = Task<Result<URL, KafkaMockUnavailable>, Never> {
        let source = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("conformance/kafka-mock/build.sh")
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("outrigger-kafka-mock-\(UUID().uuidString.prefix(8))")
        let binary = directory.appendingPathComponent("kafka-mock")
        let built = try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let status = built == nil ? -1 : ((try? await AwaitableProcess.run("/bin/bash", [source.path, binary.path])) ?? -1)
        guard status == 0 else {
            return .failure(KafkaMockUnavailable(reason: "cannot build the Kafka mock cluster (\(source.path) needs gcc, pkg-config and librdkafka-dev)"))
        }
        return .success(binary)
    }

    /// Starts the cluster and returns once it accepts connections.
    func start() async throws {
        let process = try AwaitableProcess(binary.path, ["-p", String(port)])
        self.process = process
        while !TCPPortCheck.accepts(port: port) {
            guard process.isRunning else { throw KafkaMockUnavailable(reason: "the Kafka mock cluster on port \(port) exited") }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    /// `kill -9`: the cluster and everything it stored are gone at once.
    func kill() async {
        guard let process else { return }
        self.process = nil
        await process.kill()
    }

    deinit {
        // The binary is shared by every test of the process; the cluster goes with its test.
        if let process { _ = Foundation.kill(process.pid, SIGKILL) }
    }
}

/// The mock cluster cannot be built or started here: the test is skipped, and in CI it is an issue.
struct KafkaMockUnavailable: Error, CustomStringConvertible {
    var reason: String
    var description: String { reason }
}
