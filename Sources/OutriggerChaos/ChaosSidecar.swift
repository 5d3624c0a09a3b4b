import AsyncHTTPClient
import Foundation
import NIOCore
import Synchronization

/// One `outrigger` sidecar of the scenario, run as a child process with a resources folder of
/// its own (the broker's Component and the Resiliency policy), delivering to its listener of
/// the ``ChaosApp``. It keeps its ports across restarts, so the publishers find it again.
final class ChaosSidecar: Sendable {
    let index: SidecarIndex
    let httpPort: Int
    private let arguments: [String]
    private let binary: String
    private let logPath: String
    private let metricsPort: Int
    private let http: HTTPClient
    private let child = Mutex<ChildProcess?>(nil)
    private let up = Mutex(false)
    /// The last dropped/expired/unrouted count scraped from each process that ran, by pid.
    private let dropped = Mutex<[Int32: Int]>([:])

    /// A sidecar not started yet; writes its resources under `directory`.
    init(index: SidecarIndex, broker: ChaosBroker, brokerPort: Int, appPort: Int, binary: String, directory: String, http: HTTPClient) throws {
        self.index = index
        self.binary = binary
        self.http = http
        let folder = directory + "/sidecar-\(index)"
        try FileManager.default.createDirectory(atPath: folder + "/resources", withIntermediateDirectories: true)
        try ChaosResources.component(broker, port: brokerPort, sidecar: index).write(toFile: folder + "/resources/component.yaml", atomically: true, encoding: .utf8)
        try ChaosResources.resiliency.write(toFile: folder + "/resources/resiliency.yaml", atomically: true, encoding: .utf8)
        logPath = folder + "/outrigger.log"
        httpPort = BrokerServer.ports.allocate()
        metricsPort = BrokerServer.ports.allocate()
        arguments = [
            "run", "--app-id", "chaos", "--app-port", "\(appPort)", "--dapr-http-port", "\(httpPort)",
            "--dapr-grpc-port", "\(BrokerServer.ports.allocate())", "--metrics-port", "\(metricsPort)",
            "--resources-path", folder + "/resources", "--log-level", "warn",
        ]
    }

    /// Whether the publishers may send to it.
    var isUp: Bool { up.withLock { $0 } }

    /// Starts the process and returns once `GET /v1.0/healthz` answers 204 (every
    /// subscription live).
    func start() async throws {
        let process = try ChildProcess(executable: binary, arguments: arguments, logPath: logPath)
        child.withLock { $0 = process }
        try await waitFor(within: .seconds(120), "sidecar \(index) to become healthy (log: \(logPath))") {
            guard process.isRunning else { throw ChaosError("sidecar \(index) exited during start-up; its log: \(logPath)") }
            return await self.healthy()
        }
        up.withLock { $0 = true }
    }

    /// `kill -9`, no drain.
    func kill9() async {
        await scrapeDropped()
        up.withLock { $0 = false }
        await child.withLock { $0 }?.kill9()
    }

    /// SIGTERM: the sidecar drains and exits.
    func terminate() async {
        await scrapeDropped()
        up.withLock { $0 = false }
        await child.withLock { $0 }?.terminate(grace: .seconds(30))
    }

    /// Events the sidecar's processes dropped (the `dropped`, `expired` and `unrouted`
    /// outcomes of `outrigger_deliveries_total`), as last scraped from each of them.
    var droppedTotal: Int { dropped.withLock { $0.values.reduce(0, +) } }

    /// Reads the metrics of the running process.
    func scrapeDropped() async {
        guard let pid = child.withLock({ $0?.pid }) else { return }
        guard let response = try? await http.execute(HTTPClientRequest(url: "http://127.0.0.1:\(metricsPort)/metrics"), timeout: .seconds(5)),
            let body = try? await response.body.collect(upTo: 1 << 20)
        else { return }
        var count = 0
        for line in String(buffer: body).split(separator: "\n") where line.hasPrefix("outrigger_deliveries_total") {
            guard ["dropped", "expired", "unrouted"].contains(where: { line.contains("outcome=\"\($0)\"") }) else { continue }
            count += Int(line.split(separator: " ").last ?? "") ?? 0
        }
        dropped.withLock { $0[pid] = count }
    }

    private func healthy() async -> Bool {
        guard let response = try? await http.execute(HTTPClientRequest(url: "http://127.0.0.1:\(httpPort)/v1.0/healthz"), timeout: .seconds(2)) else {
            return false
        }
        _ = try? await response.body.collect(upTo: 1 << 16)
        return response.status.code == 204
    }
}
