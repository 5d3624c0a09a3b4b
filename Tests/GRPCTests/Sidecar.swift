import DaprProto
import Foundation
import OutriggerTesting
import GRPCCore
import GRPCNIOTransportHTTP2Posix
import Synchronization
import Testing

typealias DaprClient = Dapr_Proto_Runtime_V1_Dapr.Client<HTTP2ClientTransport.Posix>

/// Where the package and the `outrigger` binary under test are.
enum Package {
    /// Three levels above this file (Tests/GRPCTests/Sidecar.swift).
    static let root: String = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    /// `$OUTRIGGER_BIN`, else `.build/debug/outrigger`; a clear failure when it is missing.
    static func binary() throws -> String {
        let environment = ProcessInfo.processInfo.environment["OUTRIGGER_BIN"] ?? ""
        let path = environment.isEmpty ? root + "/.build/debug/outrigger" : environment
        guard FileManager.default.isExecutableFile(atPath: path) else {
            throw HarnessFailure("no outrigger binary at \(path): run `swift build` first (or set OUTRIGGER_BIN)")
        }
        return path
    }
}

/// Ports for the sidecars of this target: 10000–19999, below the range the end-to-end tests use
/// and the kernel's ephemeral range, a slot per process, each checked free by binding it.
enum TestPorts {
    private static let allocator = LoopbackPortAllocator(range: 10_000..<20_000)

    static func allocate() -> Int { allocator.allocate() }
}

/// Resource YAML for the sidecars.
enum Resources {
    static let pubsub = """
        apiVersion: dapr.io/v1alpha1
        kind: Component
        metadata:
          name: pubsub
        spec:
          type: pubsub.in-memory
          version: v1

        """

    /// A `bindings.localstorage` output binding named `files` writing under `root`.
    static func localStorage(root: String) -> String {
        """
        apiVersion: dapr.io/v1alpha1
        kind: Component
        metadata:
          name: files
        spec:
          type: bindings.localstorage
          version: v1
          metadata:
            - name: rootPath
              value: "\(root)"

        """
    }

    /// Retries every 50 ms, `maxRetries` times, for deliveries from `pubsub`.
    static func fastRetries(maxRetries: Int = 20) -> String {
        """
        apiVersion: dapr.io/v1alpha1
        kind: Resiliency
        metadata:
          name: fast
        spec:
          policies:
            retries:
              fast: {policy: constant, duration: 50ms, maxRetries: \(maxRetries)}
          targets:
            components:
              pubsub:
                inbound: {retry: fast}

        """
    }
}

/// An `outrigger run` child process with its own ports and resources folder.
final class Sidecar: Sendable {
    let grpcPort: Int
    let httpPort: Int
    let folder: String
    /// `DAPR_API_TOKEN` of the sidecar's environment: the harness's own calls carry it.
    let apiToken: String?
    let exitStatus = Watched<Int32?>(nil)
    private let process: Process
    private let output = Mutex<[UInt8]>([])

    private init(grpcPort: Int, httpPort: Int, folder: String, apiToken: String?, process: Process) {
        self.grpcPort = grpcPort
        self.httpPort = httpPort
        self.folder = folder
        self.apiToken = apiToken
        self.process = process
    }

    /// Starts a sidecar with `resources` (file name → YAML) and `arguments` after the ports, and
    /// waits until its gRPC API answers `GetMetadata` (and, with `ready`, until `ready` holds for
    /// the metadata, e.g. the app's subscriptions are live).
    static func start(
        resources: [String: String] = ["pubsub.yaml": Resources.pubsub], arguments: [String] = [],
        environment: [String: String] = [:], appID: String = "grpc-tests",
        ready: @escaping @Sendable (Dapr_Proto_Runtime_V1_GetMetadataResponse) -> Bool = { _ in true }
    ) async throws -> Sidecar {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("outrigger-grpc-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        for (name, text) in resources { try text.write(toFile: folder + "/" + name, atomically: true, encoding: .utf8) }
        var lastFailure: (any Error)?
        for _ in 1...3 {
            let sidecar = try launch(folder: folder, appID: appID, arguments: arguments, environment: environment)
            do {
                try await sidecar.waitUntilServing(ready: ready)
                return sidecar
            } catch {
                lastFailure = HarnessFailure("\(error)\n\(sidecar.logTail)")
                await sidecar.stop()
                // Another process took a port between the check and the bind: try other ports.
                guard sidecar.log.contains("ddress already in use") else { break }
            }
        }
        try? FileManager.default.removeItem(atPath: folder)
        throw lastFailure ?? HarnessFailure("the sidecar did not start")
    }

    private static func launch(folder: String, appID: String, arguments: [String], environment: [String: String]) throws -> Sidecar {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try Package.binary())
        let grpcPort = TestPorts.allocate()
        let httpPort = TestPorts.allocate()
        var all = [
            "run", "--app-id", appID, "--dapr-grpc-port", String(grpcPort), "--dapr-http-port", String(httpPort),
            "--metrics-port", String(TestPorts.allocate()), "--resources-path", folder, "--drain-timeout", "2s",
        ]
        all += arguments
        process.arguments = all
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        let pipe = ProcessLaunch.pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        process.standardInput = FileHandle.nullDevice
        let sidecar = Sidecar(grpcPort: grpcPort, httpPort: httpPort, folder: folder, apiToken: environment["DAPR_API_TOKEN"], process: process)
        process.terminationHandler = { [exitStatus = sidecar.exitStatus] process in
            let status = process.terminationReason == .uncaughtSignal ? 128 + process.terminationStatus : process.terminationStatus
            exitStatus.update { $0 = status }
        }
        try ProcessLaunch.run(process)
        let handle = pipe.fileHandleForReading
        Thread.detachNewThread {
            while true {
                let chunk = handle.availableData
                if chunk.isEmpty { break }
                sidecar.append(chunk)
            }
        }
        return sidecar
    }

    var processID: Int32 { process.processIdentifier }

    private func append(_ chunk: Data) {
        output.withLock { $0.append(contentsOf: chunk) }
    }

    /// Everything the sidecar (and its app) printed so far.
    var log: String { String(decoding: output.withLock { $0 }, as: UTF8.self) }

    /// The last lines of ``log``, for failure messages.
    var logTail: String {
        "--- outrigger log (last 80 lines) ---\n" + log.split(separator: "\n", omittingEmptySubsequences: false).suffix(80).joined(separator: "\n")
    }

    private func waitUntilServing(ready: @escaping @Sendable (Dapr_Proto_Runtime_V1_GetMetadataResponse) -> Bool) async throws {
        try await withDeadline(.seconds(60), "the sidecar's gRPC API to answer GetMetadata") {
            while true {
                if let status = self.exitStatus.value { throw HarnessFailure("outrigger exited with status \(status) during start-up") }
                var headers: Metadata = [:]
                if let token = self.apiToken { headers.addString(token, forKey: "dapr-api-token") }
                // Each attempt on a new connection, bounded: a client whose first connect found
                // nothing listening backs off for seconds before it tries again.
                let metadata = try? await withDeadline(.seconds(5), "GetMetadata") { [headers] in
                    try await self.withClient { client in
                        try await client.getMetadata(Dapr_Proto_Runtime_V1_GetMetadataRequest(), metadata: headers)
                    }
                }
                if let metadata, ready(metadata) { return }
                try await Task.sleep(for: .milliseconds(50))
            }
        }
    }

    /// Runs `body` with a gRPC client of the sidecar's Dapr API.
    func withClient<R: Sendable>(_ body: (DaprClient) async throws -> R) async throws -> R {
        try await withGRPCClient(
            transport: .http2NIOPosix(target: .ipv4(address: "127.0.0.1", port: grpcPort), transportSecurity: .plaintext)
        ) { client in
            try await body(DaprClient(wrapping: client))
        }
    }

    /// SIGTERM, then SIGKILL if it has not exited 15 s later; removes the resources folder.
    /// Returns the exit status.
    @discardableResult
    func stop() async -> Int32? {
        defer { try? FileManager.default.removeItem(atPath: folder) }
        if exitStatus.value == nil { kill(process.processIdentifier, SIGTERM) }
        if let status = try? await exitStatus.wait(for: .seconds(15), "outrigger to exit", until: { $0 != nil }) { return status }
        kill(process.processIdentifier, SIGKILL)
        return try? await exitStatus.wait(for: .seconds(5), "outrigger to die", until: { $0 != nil })
    }
}

/// Starts a sidecar, runs `body` with it and a client of its gRPC API, and always stops it; a
/// failure is recorded with the sidecar's log.
func withSidecar(
    resources: [String: String] = ["pubsub.yaml": Resources.pubsub], arguments: [String] = [],
    environment: [String: String] = [:], appID: String = "grpc-tests",
    ready: @escaping @Sendable (Dapr_Proto_Runtime_V1_GetMetadataResponse) -> Bool = { _ in true },
    sourceLocation: SourceLocation = #_sourceLocation,
    _ body: (Sidecar, DaprClient) async throws -> Void
) async throws {
    let sidecar = try await Sidecar.start(resources: resources, arguments: arguments, environment: environment, appID: appID, ready: ready)
    do {
        try await sidecar.withClient { client in try await body(sidecar, client) }
    } catch {
        Issue.record(error, Comment(rawValue: sidecar.logTail), sourceLocation: sourceLocation)
    }
    await sidecar.stop()
}
