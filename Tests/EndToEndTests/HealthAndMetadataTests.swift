import Foundation
import Testing

/// Behaviour 6: `/v1.0/healthz`, `/v1.0/healthz/outbound` and `/v1.0/metadata`.
@Suite("Health and metadata", .timeLimit(.minutes(1)))
struct HealthAndMetadataTests {
    @Test("healthz and healthz/outbound answer 204 once the sidecar is ready")
    func healthy() async throws {
        try await withSidecar { sidecar, _ in
            let health = try await sidecar.get("/v1.0/healthz")
            #expect(health.status == 204, sidecar.comment)
            #expect(health.body.isEmpty)
            let outbound = try await sidecar.get("/v1.0/healthz/outbound")
            #expect(outbound.status == 204, sidecar.comment)
        }
    }

    @Test("healthz is 500 while the app port is closed, outbound already 204; 204 once the app listens")
    func readinessWaitsForTheApp() async throws {
        let folder = try ResourceFolder(["pubsub.yaml": YAML.pubsub()])
        defer { folder.remove() }
        let appPort = Ports.allocate()
        let httpPort = Ports.allocate()
        let sidecar = try SidecarProcess.launch(
            ["run", "--app-id", "orders", "--app-port", String(appPort), "--dapr-http-port", String(httpPort),
             "--resources-path", folder.path, "--drain-timeout", "1s"],
            httpPort: httpPort)
        var app: TestApp?
        do {
            try await sidecar.waitUntilHealthy(path: "/v1.0/healthz/outbound")
            #expect(try await sidecar.get("/v1.0/healthz").status == 500, sidecar.comment)
            let subscriptions = #"[{"pubsubname": "pubsub", "topic": "late", "route": "/late"}]"#
            app = try await TestApp.start(port: appPort, subscriptions: subscriptions)
            try await sidecar.waitUntilHealthy()
            try await sidecar.mustPublish(topic: "late", json: #"{"late": true}"#)
            #expect(try await app?.waitFor("/late").map(\.data) == [["late": true]])
        } catch {
            Issue.record(error, sidecar.comment)
        }
        await sidecar.stop()
        await app?.stop()
    }

    @Test("metadata: id, runtimeVersion, components and subscriptions with their rules and dead-letter topic")
    func metadata() async throws {
        let resources = [
            "pubsub.yaml": YAML.documents(YAML.pubsub(), YAML.pubsub(name: "events")),
            "orders.yaml": YAML.subscriptionV2(
                name: "orders", topic: "orders",
                rules: [(#"event.data.priority == "high""#, "/orders/priority")], defaultRoute: "/orders",
                deadLetterTopic: "orders-dead", metadata: ["maxConcurrency": "5"]),
        ]
        let subscriptions = #"[{"pubsubname": "events", "topic": "receipts", "route": "/receipts"}]"#
        let version = try await SidecarProcess.runToExit(["--version"])
        #expect(version.status == 0)
        // "Outrigger version: X" and the Dapr API version it serves, as `dapr --version` prints two lines.
        let lines = version.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 2 && lines[1] == "Dapr API version: v1.0", "\(version.stdout)")
        let runtimeVersion = lines.first.map { $0.replacingOccurrences(of: "Outrigger version: ", with: "") } ?? ""
        #expect(!runtimeVersion.isEmpty && lines.first?.hasPrefix("Outrigger version: ") == true)

        try await withSidecar(SidecarOptions(appID: "checkout", resources: resources), subscriptions: subscriptions) { sidecar, _ in
            let response = try await sidecar.get("/v1.0/metadata")
            #expect(response.status == 200)
            #expect(response.headers["content-type"] == "application/json")
            let metadata = try #require(response.json, "not JSON: \(response.text)")
            #expect(metadata["id"] == "checkout")
            #expect(metadata["runtimeVersion"]?.string == runtimeVersion)

            let components = try #require(metadata["components"]?.array)
            let byName = Dictionary(uniqueKeysWithValues: components.compactMap { item in item["name"]?.string.map { ($0, item) } })
            #expect(byName.keys.sorted() == ["events", "pubsub"])
            for name in ["events", "pubsub"] {
                #expect(byName[name]?["type"] == "pubsub.in-memory")
                #expect(byName[name]?["version"] == "v1")
            }

            let subscriptionList = try #require(metadata["subscriptions"]?.array)
            #expect(subscriptionList.count == 2, "\(subscriptionList)")
            let orders = try #require(subscriptionList.first { $0["topic"] == "orders" })
            #expect(orders["pubsubname"] == "pubsub")
            #expect(orders["deadLetterTopic"] == "orders-dead")
            #expect(orders["rules"] == [
                ["match": #"event.data.priority == "high""#, "path": "/orders/priority"],
                ["match": "", "path": "/orders"],
            ])
            #expect(orders["metadata"]?["maxConcurrency"] == "5")
            #expect(orders["type"] == "DECLARATIVE")
            let receipts = try #require(subscriptionList.first { $0["topic"] == "receipts" })
            #expect(receipts["pubsubname"] == "events")
            #expect(receipts["rules"] == [["match": "", "path": "/receipts"]])
            #expect(receipts["type"] == "PROGRAMMATIC")
            #expect(receipts["deliveries"]?["delivered"] == 0)
        }
    }
}
