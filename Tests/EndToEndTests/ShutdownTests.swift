import Foundation
import Testing

/// Behaviour 8: graceful shutdown drains deliveries in flight, within `--drain-timeout`.
@Suite("Shutdown and drain", .timeLimit(.minutes(1)))
struct ShutdownTests {
    static let resources = [
        "pubsub.yaml": YAML.pubsub(),
        "slow.yaml": YAML.subscriptionV1(name: "slow", topic: "slow", route: "/slow"),
    ]

    @Test("SIGTERM while the app handles an event: the delivery completes, then the sidecar exits 0")
    func inFlightDeliveryCompletes() async throws {
        let answeredAt = Observed<ContinuousClock.Instant?>(nil)
        // The app holds the delivery until the drain checks below are done (at most 4 s), so
        // the checks run while it is in flight however slow the box is.
        let release = Observed(false)
        let script: TestApp.Script = { request in
            guard request.path == "/slow" else { return .success }
            _ = try? await release.wait(for: .seconds(4), "the test to release the delivery", until: { $0 })
            answeredAt.set(.now)
            return .success
        }
        try await withSidecar(SidecarOptions(resources: Self.resources, drainTimeout: "5s"), script: script) { sidecar, app in
            try await sidecar.mustPublish(topic: "slow", json: #"{"slow": true}"#)
            try await app.waitFor("/slow")
            let signalled = ContinuousClock.now
            sidecar.terminate()

            // While draining: not ready any more, but the API still takes publishes.
            try await poll(for: .seconds(1), "/v1.0/healthz to answer 500 during the drain") {
                try await sidecar.get("/v1.0/healthz").status == 500 ? true : nil
            }
            let followUp = try await sidecar.publish(topic: "audit", json: #"{"followUp": true}"#)
            #expect(followUp.status == 204, "a publish during the drain answered \(followUp.status) \(followUp.text)")
            #expect(answeredAt.value == nil, "the handler answered before the drain checks were done; the test proves nothing")
            release.set(true)

            let status = try await sidecar.waitForExit(timeout: .seconds(10))
            let exited = ContinuousClock.now
            #expect(status == 0, sidecar.comment)
            let answered = try #require(answeredAt.value, "the sidecar exited before the app answered")
            #expect(answered < exited)
            #expect(exited - signalled < .milliseconds(4500), "the drain took \(exited - signalled): it waited for the 5 s timeout instead of the delivery")
            #expect(app.received("/slow").count == 1)
            #expect(!sidecar.logs.contains("drain timeout"), sidecar.comment)
        }
    }

    @Test("SIGTERM with a handler that blocks for 10 s: --drain-timeout 1s is honoured, exit 0")
    func drainTimeoutHonoured() async throws {
        let script: TestApp.Script = { request in request.path == "/slow" ? .after(.seconds(10), .success) : .success }
        try await withSidecar(SidecarOptions(resources: Self.resources, drainTimeout: "1s"), script: script) { sidecar, app in
            try await sidecar.mustPublish(topic: "slow", json: #"{"blocking": true}"#)
            try await app.waitFor("/slow")
            let signalled = ContinuousClock.now
            sidecar.terminate()
            let status = try await sidecar.waitForExit(timeout: .seconds(8))
            let took = ContinuousClock.now - signalled
            #expect(status == 0, sidecar.comment)
            #expect(took >= .milliseconds(900), "exited after \(took), before the 1 s drain timeout")
            #expect(took < .milliseconds(3500), "exited after \(took); the drain timeout is 1 s")
            #expect(app.received("/slow").count == 1)
        }
    }

    @Test("SIGTERM while a delivery waits for its next retry: it goes back to the broker at once")
    func retryWaitEndsAtShutdown() async throws {
        var resources = Self.resources
        resources["resiliency.yaml"] = YAML.resiliency(maxRetries: 5, duration: "10s")
        let script: TestApp.Script = { request in request.path == "/slow" ? .retry : .success }
        try await withSidecar(SidecarOptions(resources: resources, drainTimeout: "5s"), script: script) { sidecar, app in
            try await sidecar.mustPublish(topic: "slow", json: #"{"retry": true}"#)
            try await app.waitFor("/slow")
            try await sidecar.waitForCounters(topic: "slow", ["retried": 1])
            let signalled = ContinuousClock.now
            sidecar.terminate()
            let status = try await sidecar.waitForExit(timeout: .seconds(12))
            let took = ContinuousClock.now - signalled
            #expect(status == 0, sidecar.comment)
            #expect(took < .milliseconds(2500), "exited after \(took): the retry wait (10 s) or the drain timeout (5 s) held the shutdown")
            #expect(app.received("/slow").count == 1)
        }
    }

    enum Stop: String, Sendable, CaseIterable, CustomStringConvertible {
        case sigterm, sigint, shutdownEndpoint
        var description: String { rawValue }
    }

    @Test("SIGTERM, SIGINT and POST /v1.0/shutdown stop an idle sidecar with status 0", arguments: Stop.allCases)
    func gracefulStop(_ stop: Stop) async throws {
        try await withSidecar(SidecarOptions(resources: Self.resources)) { sidecar, _ in
            switch stop {
            case .sigterm: sidecar.signal(SIGTERM)
            case .sigint: sidecar.signal(SIGINT)
            case .shutdownEndpoint:
                let response = try await HTTP.request("POST", sidecar.baseURL + "/v1.0/shutdown")
                #expect(response.status == 204)
            }
            let status = try await sidecar.waitForExit(timeout: .seconds(10))
            #expect(status == 0, sidecar.comment)
        }
    }

    @Test("SIGTERM while the sidecar still waits for the app port: it exits at once with status 0")
    func sigtermWhileWaitingForTheApp() async throws {
        let folder = try ResourceFolder(["pubsub.yaml": YAML.pubsub()])
        defer { folder.remove() }
        let httpPort = Ports.allocate()
        let sidecar = try SidecarProcess.launch(
            ["run", "--app-id", "orders", "--app-port", String(Ports.allocate()), "--dapr-http-port", String(httpPort),
             "--resources-path", folder.path, "--drain-timeout", "1s", "--app-startup-timeout", "120s"],
            httpPort: httpPort)
        do {
            try await sidecar.waitUntilHealthy(path: "/v1.0/healthz/outbound")
            #expect(try await sidecar.get("/v1.0/healthz").status == 500)
            let signalled = ContinuousClock.now
            sidecar.terminate()
            let status = try? await sidecar.waitForExit(timeout: .seconds(4))
            #expect(status == 0, "after SIGTERM the sidecar \(status.map { "exited with \($0)" } ?? "was still running") after \(ContinuousClock.now - signalled)\n\(sidecar.logTail)")
        } catch {
            Issue.record(error, sidecar.comment)
        }
        await sidecar.stop()
    }
}
