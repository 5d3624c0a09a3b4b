import CloudEvents
import Logging
import OutriggerCore
import OutriggerDelivery
import OutriggerTesting

/// A pipeline wired to a fake broker and a scripted app, with one subscription on topic `orders`.
struct PipelineFixture {
    /// The trace context every fixture event carries.
    static let traceParent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"

    let app: RecordingAppChannel
    let broker = FakePubSub()
    let pipeline: DeliveryPipeline
    let subscription: ActiveSubscription

    static let fastRetries = DeliveryPolicy(backoff: .constant(.milliseconds(1)), maxRetries: 2)

    init(
        spec: SubscriptionSpec = SubscriptionSpec(pubsubName: "pubsub", topic: "orders", defaultRoute: "/orders", source: .app),
        policy: DeliveryPolicy = fastRetries,
        appMaxConcurrency: Int? = nil,
        clock: AnyClock = .continuous,
        script: @escaping RecordingAppChannel.Script = { _, _ in .success }
    ) async throws {
        app = RecordingAppChannel(script: script)
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        pipeline = DeliveryPipeline(appID: "tests", channel: app, appMaxConcurrency: appMaxConcurrency, clock: clock, logger: logger)
        subscription = try ActiveSubscription(spec: spec, policy: policy, clock: clock)
        _ = try await broker.subscribe(
            SubscribeRequest(topic: spec.topic, consumerGroup: "tests"),
            handler: pipeline.handler(for: subscription, pubsub: broker))
    }

    /// Plays the broker: delivers a CloudEvent with `data` and reports ack or nack.
    func deliver(id: String = "e1", json data: String = #"{"item":"paddle"}"#, expiration: String? = nil) async -> FakePubSub.Outcome {
        var event = Envelope.wrap(
            data: Array(data.utf8), dataContentType: "application/json", id: id, source: "orders-app", type: nil,
            subject: nil, topic: subscription.spec.topic, pubsubName: "pubsub", traceParent: PipelineFixture.traceParent, traceState: "")
        event.expiration = expiration
        return await broker.deliver(event.structuredBytes(), topic: subscription.spec.topic)
    }
}
