import OutriggerCore

extension PubSubConformance {
    /// `publish`, `bulkpublish`, `verify` and `redelivery`, on one topic whose handler fails
    /// some deliveries on purpose.
    func publishAndVerify(_ pubsub: any PubSub) async -> [StepResult] {
        let topic = topic("main")
        let log = DeliveryLog()
        let subscription: Subscription
        do {
            subscription = try await pubsub.subscribe(SubscribeRequest(topic: topic, consumerGroup: group("main")), handler: failingHandler(log, topic: topic))
        } catch {
            return [StepResult(Step.publish.rawValue, .failed("subscribe failed: \(error)"))]
        }
        var results: [StepResult] = []
        let single = payloads("message")
        var expected: [String] = []
        do {
            for payload in single {
                try await publish(pubsub, payload, to: topic)
                expected.append(payload)
            }
            results.append(StepResult(Step.publish.rawValue, .passed))
        } catch {
            results.append(StepResult(Step.publish.rawValue, .failed("publish #\(expected.count + 1) failed: \(error)")))
        }
        let bulk = declares(Step.bulkPublish.rawValue) ? payloads("bulk") : []
        var bulkFailure: String?
        var bulkAccepted: [String] = []
        if !bulk.isEmpty {
            do {
                let failures = try await pubsub.bulkPublish(bulk.map { message($0, to: topic) })
                if let first = failures.first { bulkFailure = "\(failures.count) of \(bulk.count) entries failed, first: \(first.error)" }
                let failedIndexes = Set(failures.map(\.index))
                bulkAccepted = bulk.enumerated().filter { !failedIndexes.contains($0.offset) }.map(\.element)
            } catch {
                bulkFailure = "\(error)"
            }
            expected += bulkAccepted
        }
        let wanted = expected
        let complete = await log.wait(within: maxReadDuration) { $0.allAcknowledged(wanted) }
        if complete { await settle() }
        let snapshot = await log.snapshot
        if bulk.isEmpty {
            results.append(StepResult(Step.bulkPublish.rawValue, .skipped("not listed in the profile's operations")))
        } else if let bulkFailure {
            results.append(StepResult(Step.bulkPublish.rawValue, .failed(bulkFailure)))
        } else {
            let lost = bulkAccepted.filter { snapshot.successes[$0] == nil }
            results.append(lost.isEmpty
                ? StepResult(Step.bulkPublish.rawValue, .passed)
                : StepResult(Step.bulkPublish.rawValue, .failed("\(lost.count) of \(bulk.count) entries reported published never arrived, e.g. \(lost.prefix(3))")))
        }
        results.append(verify(expected, sent: Set(single + bulk), complete: complete, snapshot))
        results.append(redelivery(snapshot))
        await subscription.cancel()
        return results
    }

    /// The exact multiset: every expected message acknowledged, nothing that was not sent, and
    /// no duplicate beyond what ``DuplicatePolicy`` tolerates.
    private func verify(_ expected: [String], sent: Set<String>, complete: Bool, _ snapshot: DeliveryLog.Snapshot) -> StepResult {
        let missing = expected.filter { snapshot.successes[$0] == nil }
        let duplicateCount = snapshot.duplicateCount(of: expected)
        let detail = "\(expected.count) messages, \(snapshot.redeliveryCount(of: expected)) redeliveries, \(duplicateCount) duplicates"
        if !missing.isEmpty {
            return StepResult(Step.verify.rawValue, .failed("\(missing.count) of \(expected.count) messages never acknowledged within \(maxReadDuration), e.g. \(missing.prefix(3))"), detail: detail)
        }
        if !complete {
            // The wait ended before the last acknowledgement, which came before the snapshot.
            return StepResult(Step.verify.rawValue, .failed("every message was acknowledged, but not all within \(maxReadDuration)"), detail: detail)
        }
        let strays = snapshot.attempts.keys.filter { !sent.contains($0) }.sorted()
        if !strays.isEmpty {
            return StepResult(Step.verify.rawValue, .failed("\(strays.count) deliveries of messages never published, e.g. \(strays.prefix(3))"), detail: detail)
        }
        let examples = expected.filter { snapshot.duplicates[$0] != nil }
        if let violation = duplicatePolicy.violation(duplicates: duplicateCount, messages: expected.count, examples: examples) {
            return StepResult(Step.verify.rawValue, .failed(violation), detail: detail)
        }
        return StepResult(Step.verify.rawValue, .passed, detail: detail)
    }

    private func redelivery(_ snapshot: DeliveryLog.Snapshot) -> StepResult {
        let notRetried = snapshot.failed.filter { snapshot.successes[$0] == nil }
        if snapshot.failed.isEmpty {
            return StepResult(Step.redelivery.rawValue, .failed("no handler failure was injected; nothing proves redelivery"))
        }
        if !notRetried.isEmpty {
            return StepResult(Step.redelivery.rawValue, .failed("messages whose handler failed were not redelivered: \(notRetried.sorted().prefix(3))"))
        }
        return StepResult(Step.redelivery.rawValue, .passed, detail: "\(snapshot.failed.count) messages failed once and came back")
    }
}
