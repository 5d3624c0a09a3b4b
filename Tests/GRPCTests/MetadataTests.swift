import DaprProto
import Foundation
import GRPCCore
import Testing

@Suite("GetMetadata and Shutdown over gRPC")
struct MetadataTests {
    static let declared = """
        apiVersion: dapr.io/v2alpha1
        kind: Subscription
        metadata:
          name: orders
        spec:
          pubsubname: pubsub
          topic: orders
          routes:
            rules:
              - match: event.type == "order.created"
                path: /orders/created
            default: /orders
          deadLetterTopic: orders-dead
          metadata:
            maxConcurrency: "5"

        """

    @Test("GetMetadata reports the id, components, declared and streaming subscriptions, and the runtime version")
    func getMetadata() async throws {
        try await withSidecar(resources: ["pubsub.yaml": Resources.pubsub, "subscription.yaml": Self.declared], appID: "inventory") { _, client in
            let stream = try await TestSubscriber.open(client, topic: "stock", deadLetterTopic: "stock-dead", metadata: ["maxConcurrency": "3"])
            let metadata = try await client.getMetadata(Dapr_Proto_Runtime_V1_GetMetadataRequest())
            #expect(metadata.id == "inventory")
            #expect(!metadata.runtimeVersion.isEmpty)
            #expect(metadata.extendedMetadata["daprRuntimeVersion"]?.hasPrefix("outrigger-") == true)
            let component = try #require(metadata.registeredComponents.first)
            #expect(component.name == "pubsub")
            #expect(component.type == "pubsub.in-memory")
            #expect(component.version == "v1")
            #expect(metadata.appConnectionProperties.protocol == "http")

            // Without --app-port declared subscriptions are not delivered, so only the stream is live.
            let streaming = try #require(metadata.subscriptions.first { $0.topic == "stock" })
            #expect(streaming.type == .streaming)
            #expect(streaming.pubsubName == "pubsub")
            #expect(streaming.deadLetterTopic == "stock-dead")
            #expect(streaming.metadata == ["maxConcurrency": "3"])
            try await stream.close()
        }
    }

    @Test("a declared subscription is listed with its rules, dead-letter topic and type DECLARATIVE")
    func declaredSubscription() async throws {
        try await withGRPCApp(
            subscriptions: [],
            resources: ["pubsub.yaml": Resources.pubsub, "subscription.yaml": Self.declared],
            ready: { $0.subscriptions.contains { $0.topic == "orders" } }
        ) { _, client, app in
            let metadata = try await client.getMetadata(Dapr_Proto_Runtime_V1_GetMetadataRequest())
            let orders = try #require(metadata.subscriptions.first { $0.topic == "orders" })
            #expect(orders.type == .declarative)
            #expect(orders.deadLetterTopic == "orders-dead")
            #expect(orders.metadata == ["maxConcurrency": "5"])
            #expect(orders.rules.rules.map(\.match) == [#"event.type == "order.created""#, ""])
            #expect(orders.rules.rules.map(\.path) == ["/orders/created", "/orders"])
            #expect(metadata.appConnectionProperties.protocol == "grpc")
            #expect(metadata.appConnectionProperties.port == Int32(try await app.port))
            #expect(app.calls.value.listed == 1)
        }
    }

    @Test("Shutdown stops the sidecar gracefully")
    func shutdown() async throws {
        let sidecar = try await Sidecar.start()
        do {
            try await sidecar.withClient { client in
                _ = try await client.shutdown(Dapr_Proto_Runtime_V1_ShutdownRequest())
            }
            let status = try await sidecar.exitStatus.wait(for: .seconds(60), "outrigger to exit after Shutdown") { $0 != nil }
            #expect(status == 0)
        } catch {
            Issue.record(error, Comment(rawValue: sidecar.logTail))
        }
        await sidecar.stop()
    }
}
