import DaprProto
import Foundation
import GRPCCore
import Testing

@Suite("--app-protocol grpc: delivery through the app's AppCallback service")
struct AppCallbackTests {
    static func publish(_ client: DaprClient, topic: String, json: String) async throws {
        var request = Dapr_Proto_Runtime_V1_PublishEventRequest()
        request.pubsubName = "pubsub"
        request.topic = topic
        request.data = Data(json.utf8)
        request.dataContentType = "application/json"
        _ = try await client.publishEvent(request)
    }

    static func text(_ event: TopicEvent) -> String { String(decoding: event.data, as: UTF8.self) }

    @Test("OnTopicEvent gets the CloudEvent's fields and the route as the app declared it")
    func routesAndFields() async throws {
        let subscription = Dapr_Proto_Runtime_V1_TopicSubscription.make(
            topic: "orders", rules: [(#"event.data.priority == "high""#, "urgent")], defaultPath: "regular")
        let plain = Dapr_Proto_Runtime_V1_TopicSubscription.make(topic: "plain")
        try await withGRPCApp(subscriptions: [subscription, plain], ready: { $0.subscriptions.count == 2 }) { _, client, app in
            try await Self.publish(client, topic: "orders", json: #"{"priority":"high"}"#)
            try await Self.publish(client, topic: "orders", json: #"{"priority":"low"}"#)
            try await Self.publish(client, topic: "plain", json: #"{"n":1}"#)
            let events = try await app.calls.wait(for: .seconds(60), "three OnTopicEvent calls") { $0.events.count >= 3 }.events
            let byData = Dictionary(events.map { (Self.text($0), $0) }, uniquingKeysWith: { first, _ in first })
            let high = try #require(byData[#"{"priority":"high"}"#])
            #expect(high.path == "urgent")
            #expect(byData[#"{"priority":"low"}"#]?.path == "regular")
            // No routes at all: Dapr's empty default path.
            #expect(byData[#"{"n":1}"#]?.path == "")
            #expect(high.topic == "orders")
            #expect(high.pubsubName == "pubsub")
            #expect(high.source == "grpc-tests")
            #expect(high.type == "com.dapr.event.sent")
            #expect(high.specVersion == "1.0")
            #expect(high.dataContentType == "application/json")
            #expect(high.extensions.fields["pubsubname"]?.stringValue == "pubsub")
            let listed = try await client.getMetadata(Dapr_Proto_Runtime_V1_GetMetadataRequest()).subscriptions
            #expect(listed.allSatisfy { $0.type == .programmatic })
        }
    }

    @Test("input bindings: only those ListInputBindings names are read; their events arrive as OnBindingEvent")
    func inputBindings() async throws {
        func cron(_ name: String) -> String {
            """
            apiVersion: dapr.io/v1alpha1
            kind: Component
            metadata:
              name: \(name)
            spec:
              type: bindings.cron
              version: v1
              metadata:
                - name: schedule
                  value: "@every 1s"

            """
        }
        let resources = ["pubsub.yaml": Resources.pubsub, "tick.yaml": cron("tick"), "ignored.yaml": cron("ignored")]
        try await withGRPCApp(subscriptions: [], inputBindings: ["tick"], resources: resources, ready: { _ in true }) { _, _, app in
            let events = try await app.calls.wait(for: .seconds(60), "two OnBindingEvent calls") { $0.bindingEvents.count >= 2 }.bindingEvents
            #expect(Set(events.map(\.name)) == ["tick"])
            #expect(events.first?.metadata["scheduledTime"] != nil, "\(events.first?.metadata ?? [:])")
        }
    }

    @Test("RETRY and gRPC errors are retried; UNIMPLEMENTED drops the event, as in Dapr")
    func retriesAndDrops() async throws {
        // One delivery at a time per topic: a retried event would come before the next one.
        let orders = Dapr_Proto_Runtime_V1_TopicSubscription.make(topic: "orders", metadata: ["maxConcurrency": "1"])
        let script: AppCallbackHandler.Script = { event, attempt in
            switch (Self.text(event), attempt) {
            case (#"{"step":"retry"}"#, 1): .success(.retry)
            case (#"{"step":"retry"}"#, 2): .failure(RPCError(code: .internalError, message: "database down"))
            case (#"{"step":"unhandled"}"#, _): .failure(RPCError(code: .unimplemented, message: "no handler"))
            case (#"{"step":"drop"}"#, _): .success(.drop)
            default: .success(.success)
            }
        }
        try await withGRPCApp(subscriptions: [orders], script: script, ready: { !$0.subscriptions.isEmpty }) { _, client, app in
            for step in ["retry", "unhandled", "drop", "last"] {
                try await Self.publish(client, topic: "orders", json: #"{"step":"\#(step)"}"#)
            }
            let events = try await app.calls.wait(for: .seconds(60), "the last event") { $0.events.contains { Self.text($0) == #"{"step":"last"}"# } }.events
            #expect(events.map(Self.text) == [
                #"{"step":"retry"}"#, #"{"step":"retry"}"#, #"{"step":"retry"}"#,
                #"{"step":"unhandled"}"#, #"{"step":"drop"}"#, #"{"step":"last"}"#,
            ])
            #expect(Set(events.prefix(3).map(\.id)).count == 1)
        }
    }

    @Test("a bulk subscription gets OnBulkTopicEvent batches; an entry answered RETRY comes in a later batch")
    func bulk() async throws {
        // A batch leaves with 3 events or 1.5 s after its first: the three events, published
        // in one bulk request so that they reach the broker together however loaded the box
        // is, make one batch, the retried entry a second one.
        let subscription = Dapr_Proto_Runtime_V1_TopicSubscription.make(topic: "batch", defaultPath: "batches", bulk: (count: 3, awaitMs: 1500))
        let bulkScript: AppCallbackHandler.BulkScript = { entry, attempt in
            String(decoding: entry.cloudEvent.data, as: UTF8.self) == #"{"n":2}"# && attempt == 1 ? .retry : .success
        }
        try await withGRPCApp(subscriptions: [subscription], bulkScript: bulkScript, ready: { !$0.subscriptions.isEmpty }) { _, client, app in
            let request = Dapr_Proto_Runtime_V1_BulkPublishRequest.json(topic: "batch", (1...3).map { n in ("\(n)", #"{"n":\#(n)}"#) })
            let published = try await client.bulkPublishEvent(request)
            #expect(published.failedEntries.isEmpty)
            let bulks = try await app.calls.wait(for: .seconds(60), "two batches") { $0.bulks.count >= 2 }.bulks
            let first = bulks[0]
            #expect(first.topic == "batch")
            #expect(first.pubsubName == "pubsub")
            #expect(first.path == "batches")
            #expect(first.type == "com.dapr.event.sent.bulk")
            #expect(Set(first.entries.map { String(decoding: $0.cloudEvent.data, as: UTF8.self) }) == [#"{"n":1}"#, #"{"n":2}"#, #"{"n":3}"#])
            #expect(first.entries.allSatisfy { $0.contentType == "application/cloudevents+json" && $0.cloudEvent.source == "grpc-tests" })
            #expect(bulks[1].entries.map { String(decoding: $0.cloudEvent.data, as: UTF8.self) } == [#"{"n":2}"#])
            #expect(app.calls.value.events.isEmpty)
        }
    }
}
