import OutriggerCore

extension PubSubConformance {
    /// The `ttlInSeconds` the `ttl` step publishes with.
    static let ttlSeconds = 1

    /// `ttl`, for components that declare ``PubSubFeature/messageTTL``: messages published with
    /// `ttlInSeconds` that expire before they can be consumed are never delivered, and a
    /// message published without one afterwards still is.
    ///
    /// The subscriber handles one message at a time and holds a "plug" message until the TTL
    /// has passed (plus the settle period), so the expiring messages wait in the broker. A
    /// "spacer" without TTL follows the plug: a consumer that holds one message ahead of its
    /// handler (as the in-memory broker's does) holds the spacer, not an expiring message.
    func ttl(_ pubsub: any PubSub) async -> StepResult {
        let step = Step.ttl.rawValue
        guard pubsub.features.contains(.messageTTL) else {
            return StepResult(step, .skipped("the component does not declare the messageTTL feature"))
        }
        let topic = topic("ttl")
        let log = DeliveryLog()
        let plugLog = DeliveryLog()
        let unplug = Gate()
        let plug = "ttl-plug-\(runID)"
        let spacer = "ttl-spacer-\(runID)"
        let fresh = "ttl-fresh-\(runID)"
        let expiring = payloads("ttl-expiring")
        do {
            let record = recordingHandler(log, topic: topic)
            let request = SubscribeRequest(topic: topic, consumerGroup: group("ttl"), maxConcurrency: 1)
            let subscription = try await pubsub.subscribe(request) { message in
                if payload(of: message) == plug {
                    await plugLog.record(topic: topic, payload: plug, succeeded: true)
                    await unplug.wait()
                }
                try await record(message)
            }
            try await publish(pubsub, plug, to: topic)
            try await publish(pubsub, spacer, to: topic)
            guard await plugLog.wait(within: maxReadDuration, until: { $0.successes[plug] != nil }) else {
                unplug.open()
                await subscription.cancel()
                return StepResult(step, .failed("the first message never arrived within \(maxReadDuration)"))
            }
            for payload in expiring {
                try await publish(pubsub, payload, to: topic, metadata: ["ttlInSeconds": "\(Self.ttlSeconds)"])
            }
            try? await Task.sleep(for: .seconds(Self.ttlSeconds) + settleDuration)
            unplug.open()
            try await publish(pubsub, fresh, to: topic)
            let arrived = await log.wait(within: maxReadDuration) { $0.allAcknowledged([plug, spacer, fresh]) }
            if arrived { await settle() }
            await subscription.cancel()
            let snapshot = await log.snapshot
            let delivered = expiring.filter { snapshot.attempts[$0] != nil }
            if !delivered.isEmpty {
                return StepResult(step, .failed("\(delivered.count) of \(expiring.count) messages were delivered after their ttlInSeconds \(Self.ttlSeconds) had passed"))
            }
            guard arrived else {
                return StepResult(step, .failed("a message published without TTL after the expired ones never arrived within \(maxReadDuration)"))
            }
            return StepResult(step, .passed, detail: "\(expiring.count) messages expired undelivered")
        } catch {
            unplug.open()
            return StepResult(step, .failed("\(error)"))
        }
    }
}
