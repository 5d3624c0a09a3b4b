import OutriggerCore

extension PubSubConformance {
    /// `bulksubscribe`: a batch published with `bulkPublish` is consumed completely, each
    /// message once, by a subscriber that may run as many handlers as the batch has messages.
    ///
    /// The delivery pipeline does the app-side batching; at component level a bulk subscription
    /// is a subscription with a high concurrency bound receiving a burst.
    func bulkSubscribe(_ pubsub: any PubSub) async -> StepResult {
        let step = Step.bulkSubscribe.rawValue
        let topic = topic("bulksubscribe")
        let log = DeliveryLog()
        do {
            let request = SubscribeRequest(topic: topic, consumerGroup: group("bulksubscribe"), maxConcurrency: messageCount)
            let subscription = try await pubsub.subscribe(request, handler: recordingHandler(log, topic: topic))
            let batch = payloads("batch")
            let failures = try await pubsub.bulkPublish(batch.map { message($0, to: topic) })
            if let first = failures.first {
                await subscription.cancel()
                return StepResult(step, .failed("bulk publish of the batch failed for \(failures.count) entries, first: \(first.error)"))
            }
            let arrived = await log.wait(within: maxReadDuration) { $0.allAcknowledged(batch) }
            if arrived { await settle() }
            await subscription.cancel()
            let snapshot = await log.snapshot
            let duplicateCount = snapshot.duplicateCount(of: batch)
            let detail = "\(batch.count) messages, \(duplicateCount) duplicates"
            guard arrived else {
                let missing = batch.filter { snapshot.successes[$0] == nil }
                return StepResult(step, .failed("\(missing.count) of \(batch.count) messages never arrived within \(maxReadDuration), e.g. \(missing.prefix(3))"), detail: detail)
            }
            if let violation = duplicatePolicy.violation(duplicates: duplicateCount, messages: batch.count, examples: batch.filter { snapshot.duplicates[$0] != nil }) {
                return StepResult(step, .failed(violation), detail: detail)
            }
            return StepResult(step, .passed, detail: detail)
        } catch {
            return StepResult(step, .failed("\(error)"))
        }
    }
}
