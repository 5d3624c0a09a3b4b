import DaprProto
import GRPCCore
import Logging
import OutriggerCore
import OutriggerDelivery
import Synchronization

/// One `SubscribeTopicEventsAlpha1` stream: its subscription on the component, its own
/// ``DeliveryPipeline`` and the ``StreamAppChannel`` to the subscriber.
///
/// Retries, dead-lettering and the drain are the pipeline's, as for every other subscription.
/// ``stop(reason:drainTimeout:)`` ends it: with a drain timeout (sidecar shutdown) deliveries in
/// flight may still be answered on the open stream; without one (the subscriber went away) they
/// fail at once and go back to the broker.
final class StreamingSubscription: Sendable {
    private struct State {
        var active: ActiveSubscription?
        var pipeline: DeliveryPipeline?
        var live: Subscription?
        var stopping = false
    }

    let id: UInt64
    let channel: StreamAppChannel
    private let state = Mutex(State())
    private let logger: Logger

    init(id: UInt64, logger: Logger) {
        self.id = id
        self.logger = logger
        self.channel = StreamAppChannel(logger: logger)
    }

    /// The subscription as `GetMetadata` lists it, once started.
    var active: ActiveSubscription? { state.withLock { $0.active } }

    /// Subscribes through `pubsub` and sends the initial response; returns once the subscription is live.
    func start(_ initial: Dapr_Proto_Runtime_V1_SubscribeTopicEventsRequestInitialAlpha1, pubsub: any PubSub, settings: StreamingSubscriptions.Settings) async throws {
        let spec = SubscriptionSpec(
            pubsubName: initial.pubsubName, topic: initial.topic, defaultRoute: "/",
            deadLetterTopic: initial.hasDeadLetterTopic && !initial.deadLetterTopic.isEmpty ? initial.deadLetterTopic : nil,
            metadata: initial.metadata, source: .stream)
        let policy = DeliveryPolicy.resolve(component: spec.pubsubName, inbound: true, resiliencies: settings.resiliencies)
        let active = try ActiveSubscription(spec: spec, policy: policy)
        let pipeline = DeliveryPipeline(appID: settings.appID, channel: channel, logger: logger)
        let request = spec.subscribeRequest(defaultConsumerGroup: settings.appID)
        let stopping = state.withLock { state -> Bool in
            guard !state.stopping else { return true }
            state.active = active
            state.pipeline = pipeline
            return false
        }
        if stopping { throw StreamingSubscriptions.shuttingDown }
        let subscription: Subscription
        do {
            subscription = try await pubsub.subscribe(request, handler: pipeline.handler(for: active, pubsub: pubsub))
        } catch {
            throw RPCError(code: .internalError, message: "subscribing to topic '\(spec.topic)' on pubsub '\(spec.pubsubName)' failed: \(error)")
        }
        let stoppedMeanwhile = state.withLock { state -> Bool in
            guard !state.stopping else { return true }
            state.live = subscription
            return false
        }
        if stoppedMeanwhile {
            await Subscription.stopAll([subscription]) { await pipeline.drain(timeout: .zero) }
            throw StreamingSubscriptions.shuttingDown
        }
        channel.open()
        logger.info("streaming subscription started", metadata: [
            "pubsub": "\(spec.pubsubName)", "topic": "\(spec.topic)", "deadLetterTopic": "\(spec.deadLetterTopic ?? "")",
        ])
    }

    /// A message after the initial request: an answer to an event.
    func receive(_ message: Dapr_Proto_Runtime_V1_SubscribeTopicEventsRequestAlpha1) throws {
        switch message.subscribeTopicEventsRequestType {
        case .eventProcessed(let processed):
            channel.answer(processed)
        case .initialRequest:
            throw RPCError(code: .invalidArgument, message: "only the first message of SubscribeTopicEventsAlpha1 may be the initial request; later ones answer events (event_processed)")
        case nil:
            logger.debug("empty message on a streaming subscription; ignored")
        }
    }

    /// Phase one of a stop: the component stops reading for this stream; deliveries in flight
    /// go on until ``stop(reason:drainTimeout:)``.
    func stopPulling() {
        state.withLock { $0.live }?.stopPulling()
    }

    /// Stops the subscription once (later calls only fail pending answers when `drainTimeout`
    /// is nil): stops taking messages, lets deliveries in flight finish within `drainTimeout`
    /// (none: they fail at once and go back to the broker), then ends the outbox.
    func stop(reason: String, drainTimeout: Duration?) async {
        if drainTimeout == nil { channel.close(reason) }
        let claimed = state.withLock { state -> (pipeline: DeliveryPipeline?, live: Subscription?, active: ActiveSubscription?)? in
            guard !state.stopping else { return nil }
            state.stopping = true
            return (state.pipeline, state.live, state.active)
        }
        guard let claimed else { return }
        if let pipeline = claimed.pipeline {
            await Subscription.stopAll(claimed.live.map { [$0] } ?? []) { await pipeline.drain(timeout: drainTimeout ?? .zero) }
        }
        channel.close(reason)
        channel.finish()
        if let spec = claimed.active?.spec {
            logger.info("streaming subscription ended", metadata: ["pubsub": "\(spec.pubsubName)", "topic": "\(spec.topic)", "reason": "\(reason)"])
        }
    }
}
