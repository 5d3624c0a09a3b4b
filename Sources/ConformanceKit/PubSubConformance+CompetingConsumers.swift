import OutriggerCore

extension PubSubConformance {
    /// `competingconsumers`: two subscriptions of one consumer group on one topic share its
    /// messages: each message is acknowledged by exactly one of them, and each gets some.
    ///
    /// At least 10 messages, each with its own partition key so that brokers that partition by
    /// key spread them. Each subscriber handles one message at a time and yields once per
    /// message, so neither can take the whole burst before the other asks for one.
    func competingConsumers(_ pubsub: any PubSub) async -> StepResult {
        let step = Step.competingConsumers.rawValue
        let topic = topic("competing")
        let log = DeliveryLog()
        let receivers = ["first", "second"]
        do {
            var subscriptions: [Subscription] = []
            for receiver in receivers {
                let record = recordingHandler(log, topic: topic, receiver: receiver)
                let request = SubscribeRequest(topic: topic, consumerGroup: group("competing"), maxConcurrency: 1)
                subscriptions.append(try await pubsub.subscribe(request) { message in
                    await Task.yield()
                    try await record(message)
                })
            }
            let sent = payloads("competing", count: max(messageCount, 10))
            for (index, payload) in sent.enumerated() {
                try await publish(pubsub, payload, to: topic, metadata: ["partitionKey": "competing-\(index)"])
            }
            let arrived = await log.wait(within: maxReadDuration) { $0.allAcknowledged(sent) }
            if arrived { await settle() }
            for subscription in subscriptions { await subscription.cancel() }
            let snapshot = await log.snapshot
            let shares = receivers.map { receiver in sent.count { snapshot.acknowledgedBy[$0]?.contains(receiver) == true } }
            let detail = "shares \(shares.map(String.init).joined(separator: "/")) of \(sent.count)"
            guard arrived else {
                return StepResult(step, .failed("\(sent.count { snapshot.successes[$0] == nil }) of \(sent.count) messages never acknowledged within \(maxReadDuration)"), detail: detail)
            }
            let both = sent.filter { (snapshot.acknowledgedBy[$0]?.count ?? 0) > 1 }
            let duplicateCount = snapshot.duplicateCount(of: sent)
            if !both.isEmpty, duplicatePolicy == .forbidden {
                return StepResult(step, .failed("\(both.count) of \(sent.count) messages went to both subscribers of the group, e.g. \(both.prefix(3))"), detail: detail)
            }
            if let violation = duplicatePolicy.violation(duplicates: duplicateCount, messages: sent.count, examples: sent.filter { snapshot.duplicates[$0] != nil }) {
                return StepResult(step, .failed(violation), detail: detail)
            }
            if shares.contains(0) {
                return StepResult(step, .failed("one subscriber of the group got every message"), detail: detail)
            }
            return StepResult(step, .passed, detail: detail)
        } catch {
            return StepResult(step, .failed("\(error)"))
        }
    }
}
