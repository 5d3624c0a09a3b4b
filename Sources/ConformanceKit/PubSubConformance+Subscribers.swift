import OutriggerCore
import Synchronization

extension PubSubConformance {
    /// `multiplehandlers` (two topics, each handler gets only its own topic's messages) and
    /// `stopsubscribers` (cancelling one subscription leaves the other running, and the cancelled
    /// one starts no handler call once its cancel returned).
    func multipleHandlers(_ pubsub: any PubSub) async -> [StepResult] {
        let first = topic("first")
        let second = topic("second")
        let log = DeliveryLog()
        let firstWatch = CancelledSubscriptionWatch()
        do {
            let firstHandler = recordingHandler(log, topic: first)
            let firstSubscription = try await pubsub.subscribe(SubscribeRequest(topic: first, consumerGroup: group("handlers"))) { message in
                firstWatch.handlerStarted()
                try await firstHandler(message)
            }
            let secondSubscription = try await pubsub.subscribe(SubscribeRequest(topic: second, consumerGroup: group("handlers")), handler: recordingHandler(log, topic: second))
            let firstPayloads = payloads("first")
            let secondPayloads = payloads("second")
            for (a, b) in zip(firstPayloads, secondPayloads) {
                try await publish(pubsub, a, to: first)
                try await publish(pubsub, b, to: second)
            }
            let all = firstPayloads + secondPayloads
            let arrived = await log.wait(within: maxReadDuration) { $0.allAcknowledged(all) }
            if arrived { await settle() }
            var snapshot = await log.snapshot
            var results: [StepResult] = []
            let leaked = firstPayloads.filter { snapshot.topicOf[$0] != first } + secondPayloads.filter { snapshot.topicOf[$0] != second }
            let duplicateCount = snapshot.duplicateCount(of: all)
            let step = Step.multipleHandlers.rawValue
            if !arrived {
                results.append(StepResult(step, .failed("missing: \(all.filter { snapshot.successes[$0] == nil }.prefix(3))")))
            } else if !leaked.isEmpty {
                results.append(StepResult(step, .failed("messages delivered to the wrong topic's handler: \(leaked.prefix(3))")))
            } else if let violation = duplicatePolicy.violation(duplicates: duplicateCount, messages: all.count, examples: all.filter { snapshot.duplicates[$0] != nil }) {
                results.append(StepResult(step, .failed(violation)))
            } else {
                results.append(StepResult(step, .passed, detail: "\(duplicateCount) duplicates"))
            }

            await firstSubscription.cancel()
            firstWatch.cancelReturned()
            let afterFirst = payloads("after-first")
            let afterSecond = payloads("after-second")
            for (a, b) in zip(afterFirst, afterSecond) {
                try await publish(pubsub, a, to: first)
                try await publish(pubsub, b, to: second)
            }
            let secondKeptGoing = await log.wait(within: maxReadDuration) { $0.allAcknowledged(afterSecond) }
            await settle()
            snapshot = await log.snapshot
            let stillDelivered = afterFirst.filter { snapshot.attempts[$0] != nil }
            let lateCalls = firstWatch.callsAfterCancel
            let stop = Step.stopSubscribers.rawValue
            if !secondKeptGoing {
                results.append(StepResult(stop, .failed("cancelling one subscription stopped another")))
            } else if lateCalls > 0 {
                results.append(StepResult(stop, .failed("the cancelled subscription started \(lateCalls) handler calls after its cancel() returned")))
            } else if !stillDelivered.isEmpty {
                results.append(StepResult(stop, .failed("a cancelled subscription still received \(stillDelivered.count) messages")))
            } else {
                results.append(StepResult(stop, .passed))
            }
            await secondSubscription.cancel()
            return results
        } catch {
            return [StepResult(Step.multipleHandlers.rawValue, .failed("\(error)"))]
        }
    }
}

/// Counts the handler calls a subscription starts after its `cancel()` returned.
final class CancelledSubscriptionWatch: Sendable {
    private struct State {
        var cancelled = false
        var callsAfterCancel = 0
    }

    private let state = Mutex(State())

    /// Call first thing in the watched subscription's handler.
    func handlerStarted() {
        state.withLock { if $0.cancelled { $0.callsAfterCancel += 1 } }
    }

    /// Call right after the watched subscription's `cancel()` returned.
    func cancelReturned() {
        state.withLock { $0.cancelled = true }
    }

    var callsAfterCancel: Int { state.withLock { $0.callsAfterCancel } }
}
