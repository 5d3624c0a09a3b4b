import CloudEvents
import Logging
import OutriggerCore

extension DeliveryPipeline {
    /// One message from arrival to done: decode, expire, route, attempt with retries, dead-letter.
    func process(_ message: IncomingMessage, delivery id: UInt64, subscription: ActiveSubscription, pubsub: any PubSub) async throws {
        let spec = subscription.spec
        let (event, body) = decode(message, subscription: subscription)

        if let expiration = event.expiration, let deadline = CloudEventTime.parse(expiration),
           deadline < CloudEventTime.currentSeconds()
        {
            subscription.counters.update { $0.expired += 1 }
            logger.debug("event expired before delivery; dropped", metadata: ["id": "\(event.id)", "topic": "\(spec.topic)"])
            return
        }
        guard let path = subscription.path(for: event) else {
            subscription.counters.update { $0.unrouted += 1 }
            logger.warning("no route matches the event and the subscription has no default route; dropped",
                           metadata: ["id": "\(event.id)", "topic": "\(spec.topic)"])
            return
        }
        let appEvent = AppEvent(
            path: path, body: body, contentType: ContentType.cloudEventJSON, topic: spec.topic,
            pubsubName: spec.pubsubName, traceParent: event.traceParent, traceState: event.traceState, event: event)

        let observer = RetryCore.Observer(
            willRetry: { [self] attempt, reason, wait in
                subscription.counters.update { $0.retried += 1 }
                logger.debug("delivery will be retried", metadata: [
                    "id": "\(event.id)", "topic": "\(spec.topic)", "attempt": "\(attempt)", "reason": "\(reason)",
                    "wait": "\(GoDuration.format(wait))",
                ])
                try enterRetryWait(id, true)
            },
            didWait: { [self] in try enterRetryWait(id, false) })
        let outcome = try await subscription.retries.run(slot: appLimit, observer: observer) { [channel, tracer] in
            let span = tracer.start("process \(spec.topic)", kind: .consumer, parent: event.traceParent, traceState: event.traceState, attributes: [
                ("messaging.operation.type", "process"), ("messaging.destination.name", spec.topic),
                ("dapr.pubsub", spec.pubsubName), ("messaging.message.id", event.id), ("url.path", path),
            ])
            var attempt = appEvent
            (attempt.traceParent, attempt.traceState) = (span.traceParent, span.traceState)
            let answer: AppAnswer
            do {
                if let bulk = subscription.bulk { answer = await bulk.submit(attempt, via: channel) } else { answer = try await channel.deliver(attempt) }
            } catch {
                span.end(error: "\(error)")
                throw error
            }
            span.end(error: answer == .success ? nil : "\(answer)")
            return answer
        }
        switch outcome {
        case .succeeded:
            subscription.counters.update { $0.delivered += 1 }
        case .dropped(let reason, _):
            subscription.counters.update { $0.dropped += 1 }
            logger.warning("event dropped", metadata: ["id": "\(event.id)", "topic": "\(spec.topic)", "reason": "\(reason)"])
        case .exhausted(let reason, let attempts):
            try await giveUp(event, attempts: attempts, reason: reason, subscription: subscription, pubsub: pubsub)
        }
    }

    /// The event and the bytes the app receives. A non-CloudEvent payload on a subscription
    /// without `rawPayload` is still delivered, wrapped like a raw payload, never lost.
    private func decode(_ message: IncomingMessage, subscription: ActiveSubscription) -> (CloudEvent, [UInt8]) {
        let spec = subscription.spec
        if !spec.rawPayload, let event = try? CloudEvent(structured: message.data) {
            return (event, message.data)
        }
        if !spec.rawPayload {
            logger.warning("message is not a CloudEvent; delivered wrapped as a raw payload",
                           metadata: ["topic": "\(spec.topic)", "pubsub": "\(spec.pubsubName)"])
        }
        let event = Envelope.fromRawPayload(message.data, topic: spec.topic, pubsubName: spec.pubsubName)
        return (event, event.structuredBytes())
    }

    private func giveUp(_ event: CloudEvent, attempts: Int, reason: String, subscription: ActiveSubscription, pubsub: any PubSub) async throws {
        let spec = subscription.spec
        guard let topic = spec.deadLetterTopic, !topic.isEmpty else {
            logger.error("delivery failed; the broker will redeliver", metadata: [
                "id": "\(event.id)", "topic": "\(spec.topic)", "attempts": "\(attempts)", "reason": "\(reason)",
            ])
            throw DeliveryFailure.retriesExhausted(attempts: attempts, lastReason: reason)
        }
        if Task.isCancelled { throw DeliveryFailure.draining }
        var dead = event
        dead.extensions["deadletterreason"] = .string(reason)
        dead.extensions["deadletterattempts"] = .number(String(attempts))
        dead.extensions["deadlettertopic"] = .string(spec.topic)
        do {
            try await pubsub.publish(OutgoingMessage(topic: topic, data: dead.structuredBytes(), contentType: ContentType.cloudEventJSON))
        } catch {
            logger.error("dead-letter publish failed; the broker will redeliver", metadata: [
                "id": "\(event.id)", "deadLetterTopic": "\(topic)", "error": "\(error)",
            ])
            throw DeliveryFailure.deadLetterFailed(topic: topic, reason: "\(error)")
        }
        subscription.counters.update { $0.deadLettered += 1 }
        logger.warning("event sent to the dead-letter topic", metadata: [
            "id": "\(event.id)", "topic": "\(spec.topic)", "deadLetterTopic": "\(topic)", "attempts": "\(attempts)",
        ])
    }
}
