import DaprProto
import Foundation
import GRPCCore
import Testing

/// What the sidecar sends a gRPC app besides the event: `dapr-api-token` (`APP_API_TOKEN`) and
/// the W3C trace context of each delivery attempt.
@Suite("gRPC app channel metadata")
struct AppChannelMetadataTests {
    @Test("with APP_API_TOKEN every call to the app carries dapr-api-token; OnTopicEvent carries a traceparent in the publisher's trace")
    func tokenAndTrace() async throws {
        let orders = Dapr_Proto_Runtime_V1_TopicSubscription.make(topic: "orders")
        try await withGRPCApp(
            subscriptions: [orders], environment: ["APP_API_TOKEN": "app-token-7"], ready: { !$0.subscriptions.isEmpty }
        ) { _, client, app in
            var request = Dapr_Proto_Runtime_V1_PublishEventRequest()
            request.pubsubName = "pubsub"
            request.topic = "orders"
            request.data = Data(#"{"n":1}"#.utf8)
            request.dataContentType = "application/json"
            var headers: Metadata = [:]
            headers.addString("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", forKey: "traceparent")
            _ = try await client.publishEvent(request, metadata: headers)
            let calls = try await app.metadata.wait(for: .seconds(60), "an OnTopicEvent call") { calls in
                calls.contains { $0.method == "OnTopicEvent" }
            }
            for call in calls {
                #expect(call.metadata["dapr-api-token"] == "app-token-7", "\(call.method): \(call.metadata)")
            }
            #expect(calls.contains { $0.method == "ListTopicSubscriptions" })
            let event = try #require(calls.first { $0.method == "OnTopicEvent" })
            let trace = event.metadata["traceparent"]?.split(separator: "-") ?? []
            #expect(trace.count == 4 && trace[1] == "0af7651916cd43dd8448eb211c80319c" && trace[2] != "b7ad6b7169203331", "\(event.metadata)")
        }
    }
}
