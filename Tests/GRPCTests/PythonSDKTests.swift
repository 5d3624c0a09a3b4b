import OutriggerTesting
import DaprProto
import Foundation
import GRPCCore
import Synchronization
import Testing

/// The official Dapr Python SDK (`dapr`, `dapr-ext-grpc`, version pinned in scripts/python-sdk.sh)
/// against the sidecar: its client, and an app written with `dapr.ext.grpc.App`.
@Suite("Dapr Python SDK", .timeLimit(.minutes(5)))
struct PythonSDKTests {
    /// The virtualenv's python, created by scripts/python-sdk.sh on first use. Without PyPI the
    /// tests fail under CI (CI=true) and are skipped elsewhere, saying why.
    static func python() async throws -> String {
        let result = try await ChildProgram.run(Package.root + "/scripts/python-sdk.sh", [], timeout: .seconds(300))
        let path = result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        if result.status == 0, FileManager.default.isExecutableFile(atPath: path) { return path }
        let reason = "the Dapr Python SDK could not be installed (scripts/python-sdk.sh exited \(result.status)): \(result.stderr)"
        if ProcessInfo.processInfo.environment["CI"] == "true" { throw HarnessFailure(reason) }
        try Test.cancel(Comment(rawValue: reason + " — skipped outside CI"))
    }

    @Test("DaprClient: publish_event, publish_events, get_metadata, invoke_binding, subscribe")
    func client() async throws {
        let python = try await Self.python()
        let files = FileManager.default.temporaryDirectory.appendingPathComponent("outrigger-sdk-files-\(UUID().uuidString.prefix(8))").path
        defer { try? FileManager.default.removeItem(atPath: files) }
        let resources = ["pubsub.yaml": Resources.pubsub, "resiliency.yaml": Resources.fastRetries(), "files.yaml": Resources.localStorage(root: files)]
        try await withSidecar(resources: resources, appID: "sdk-client") { sidecar, _ in
            let result = try await ChildProgram.run(
                python, [Package.root + "/examples/grpc/client.py"],
                environment: [
                    "DAPR_HTTP_PORT": String(sidecar.httpPort), "DAPR_GRPC_PORT": String(sidecar.grpcPort),
                    "EXPECTED_APP_ID": "sdk-client", "DAPR_HEALTH_TIMEOUT": "30",
                ],
                timeout: .seconds(120))
            var outcomes: [String: (ok: Bool, detail: String)] = [:]
            for line in result.stdout.split(separator: "\n") where line.hasPrefix("RESULT ") {
                guard let object = try? JSONSerialization.jsonObject(with: Data(line.dropFirst(7).utf8)) as? [String: Any],
                      let check = object["check"] as? String, let ok = object["ok"] as? Bool
                else { continue }
                outcomes[check] = (ok, object["detail"] as? String ?? "")
            }
            let comment = Comment(rawValue: "client.py exited \(result.status)\n\(result.stdout)\n\(result.stderr)")
            let expected = [
                "get_metadata", "subscribe", "publish_event_and_retry", "publish_event_raw_payload", "publish_events_bulk",
                "publish_event_unknown_pubsub", "invoke_binding_unknown", "invoke_binding", "invoke_binding_unsupported_operation",
                "unimplemented_api", "subscription_close",
            ]
            let failed = expected.filter { outcomes[$0]?.ok != true }.map { "\($0): \(outcomes[$0]?.detail ?? "not reported")" }
            #expect(failed.isEmpty, "failed checks: \(failed.joined(separator: "; "))")
            #expect(result.status == 0 && failed.isEmpty, comment)
        }
    }

    @Test("an app built on dapr.ext.grpc.App gets its events over --app-protocol grpc; RETRY is retried")
    func app() async throws {
        let python = try await Self.python()
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("outrigger-grpc-app-\(UUID().uuidString.prefix(8)).jsonl").path
        defer { try? FileManager.default.removeItem(atPath: log) }
        try await withSidecar(
            resources: ["pubsub.yaml": Resources.pubsub, "resiliency.yaml": Resources.fastRetries()],
            arguments: [
                "--app-port", String(TestPorts.allocate()), "--app-protocol", "grpc", "--app-startup-timeout", "60s",
                "--", python, Package.root + "/examples/grpc/app.py",
            ],
            environment: ["RECEIVED_LOG": log], appID: "sdk-app",
            ready: { metadata in Set(metadata.subscriptions.map(\.topic)).isSuperset(of: ["orders", "alerts"]) }
        ) { _, client in
            for (topic, json) in [("orders", #"{"order":7,"retries":2}"#), ("alerts", #"{"level":"low"}"#), ("alerts", #"{"level":"high"}"#)] {
                var request = Dapr_Proto_Runtime_V1_PublishEventRequest()
                request.pubsubName = "pubsub"
                request.topic = topic
                request.data = Data(json.utf8)
                request.dataContentType = "application/json"
                _ = try await client.publishEvent(request)
            }
            let entries = try await withDeadline(.seconds(60), "the app to record 3 order deliveries and the high alert") {
                while true {
                    let entries = Self.received(log)
                    if entries.filter({ $0["route"] as? String == "orders" }).count >= 3,
                       entries.contains(where: { $0["route"] as? String == "high_alert" })
                    {
                        return entries.map { ReceivedEntry($0) }
                    }
                    try await Task.sleep(for: .milliseconds(50))
                }
            }
            let orders = entries.filter { $0.route == "orders" }
            #expect(orders.map(\.attempt) == [1, 2, 3])
            #expect(orders.map(\.status) == ["retry", "retry", "success"])
            #expect(Set(orders.map(\.id)).count == 1)
            #expect(orders.first?.source == "sdk-app")
            #expect(orders.first?.contentType == "application/json")
            let alerts = entries.filter { $0.route == "high_alert" }
            #expect(alerts.count == 1)
        }
    }

    /// The app's RECEIVED_LOG lines.
    static func received(_ path: String) -> [[String: Any]] {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap { line in
            try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
        }
    }
}

/// One delivery the Python app recorded.
struct ReceivedEntry: Sendable {
    var route: String
    var id: String
    var attempt: Int
    var status: String
    var source: String
    var contentType: String

    init(_ object: [String: Any]) {
        route = object["route"] as? String ?? ""
        id = object["id"] as? String ?? ""
        attempt = object["attempt"] as? Int ?? 0
        status = object["status"] as? String ?? ""
        source = object["source"] as? String ?? ""
        contentType = object["contentType"] as? String ?? ""
    }
}

/// A program run to its end, with its output.
enum ChildProgram {
    struct Result: Sendable {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    static func run(_ executable: String, _ arguments: [String], environment: [String: String] = [:], timeout: Duration) async throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        process.standardInput = FileHandle.nullDevice
        let stdout = ProcessLaunch.pipe()
        let stderr = ProcessLaunch.pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        let ended = Watched<Int32?>(nil)
        process.terminationHandler = { process in ended.update { $0 = process.terminationStatus } }
        try ProcessLaunch.run(process)
        let output = Collected(stdout)
        let errors = Collected(stderr)
        do {
            let status = try await ended.wait(for: timeout, "\(executable) to exit") { $0 != nil }
            return Result(status: status ?? -1, stdout: await output.text(), stderr: await errors.text())
        } catch {
            process.terminate()
            throw HarnessFailure("""
                \(executable) \(arguments.joined(separator: " ")) did not finish: \(error)
                --- stdout ---
                \(await output.text())
                --- stderr ---
                \(await errors.text())
                """)
        }
    }

    /// Everything written to a pipe, read on a thread of its own until the writers close it.
    private final class Collected: Sendable {
        private let done = Watched<[UInt8]?>(nil)

        init(_ pipe: Pipe) {
            let handle = pipe.fileHandleForReading
            Thread.detachNewThread { [done] in
                let bytes = [UInt8](handle.readDataToEndOfFile())
                done.update { $0 = bytes }
            }
        }

        func text() async -> String {
            let bytes = try? await done.wait(for: .seconds(10), "the output to close") { $0 != nil }
            return String(decoding: (bytes ?? nil) ?? [], as: UTF8.self)
        }
    }
}
