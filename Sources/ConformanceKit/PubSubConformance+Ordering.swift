import OutriggerCore

extension PubSubConformance {
    /// The ordering keys of the per-key phase.
    static let orderingKeys = ["a", "b", "c"]

    /// `ordering`, for profiles that declare it (operation or feature `ordering`).
    ///
    /// Phase 1: one subscriber handling one message at a time receives one key's messages in
    /// publish order. Phase 2 (`keyordering`): with `maxConcurrency: 8, orderedByKey: true`,
    /// messages spread over three partition keys arrive in publish order per key.
    func ordering(_ pubsub: any PubSub) async -> StepResult {
        let step = Step.ordering.rawValue
        guard declares("ordering") || declares("keyordering") else {
            return StepResult(step, .skipped("the profile declares no ordering (features: [ordering])"))
        }
        do {
            let single = payloads("ordered")
            let key = ["partitionKey": "key-\(runID)"]
            let request = SubscribeRequest(topic: topic("ordering"), consumerGroup: group("ordering"), maxConcurrency: 1)
            if let problem = try await orderProblem(pubsub, request, single.map { ($0, key) }, keyed: false) {
                return StepResult(step, .failed(problem))
            }
            guard declares("keyordering") else {
                return StepResult(step, .passed, detail: "per-key phase not run: the profile does not list keyordering")
            }
            let keyed = payloads("keyed", count: messageCount * Self.orderingKeys.count).enumerated().map { index, payload in
                let key = Self.orderingKeys[index % Self.orderingKeys.count]
                return ("\(payload)-\(key)", ["partitionKey": "\(key)-\(runID)"])
            }
            let keyedRequest = SubscribeRequest(topic: topic("keyordering"), consumerGroup: group("keyordering"), maxConcurrency: 8, orderedByKey: true)
            if let problem = try await orderProblem(pubsub, keyedRequest, keyed, keyed: true) {
                return StepResult(step, .failed("per key with maxConcurrency 8: \(problem)"))
            }
            return StepResult(step, .passed, detail: "in order with one key, and per key over \(Self.orderingKeys.count) keys")
        } catch {
            return StepResult(step, .failed("\(error)"))
        }
    }

    /// Publishes `messages` in order and returns what is wrong with the order they arrived in,
    /// per partition key when `keyed`.
    private func orderProblem(_ pubsub: any PubSub, _ request: SubscribeRequest, _ messages: [(payload: String, metadata: [String: String])], keyed: Bool) async throws -> String? {
        let log = DeliveryLog()
        let subscription = try await pubsub.subscribe(request, handler: recordingHandler(log, topic: request.topic))
        for message in messages {
            try await publish(pubsub, message.payload, to: request.topic, metadata: message.metadata)
        }
        let wanted = messages.map(\.payload)
        let arrived = await log.wait(within: maxReadDuration) { $0.allAcknowledged(wanted) }
        await subscription.cancel()
        guard arrived else { return "not every message arrived within \(maxReadDuration)" }
        let order = await log.snapshot.successOrder[request.topic] ?? []
        let keys = keyed ? messages.map { $0.metadata["partitionKey"] ?? "" } : [""]
        for key in Set(keys).sorted() {
            let sent = messages.filter { !keyed || $0.metadata["partitionKey"] == key }.map(\.payload)
            let received = order.filter(Set(sent).contains)
            if received != sent {
                let at = sent.indices.first { sent[$0] != received[$0] } ?? 0
                return "\(keyed ? "key \(key): " : "")delivered out of publish order from #\(at + 1): expected \(sent[at]), got \(received[at])"
            }
        }
        return nil
    }
}
