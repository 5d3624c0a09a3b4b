import Foundation
import OutriggerCore

/// The pub/sub conformance steps, run against one component built by `makeComponent`.
///
/// Stricter than Dapr's suite: a message whose handler failed must be redelivered and finally
/// succeed; each message is acknowledged exactly once; topics do not leak into each other;
/// cancelling one subscription leaves the others running; a message in flight when its
/// subscriber closes reaches the next subscriber.
public struct PubSubConformance: Sendable {
    /// The steps, in the order they run.
    public enum Step: String, Sendable, CaseIterable {
        case initialize = "init"
        case ping
        case publish
        case bulkPublish = "bulkpublish"
        case verify
        case redelivery
        case ordering
        case multipleHandlers = "multiplehandlers"
        case stopSubscribers = "stopsubscribers"
        case drain
    }

    public var messageCount: Int
    public var maxReadDuration: Duration
    /// Optional steps to run: `bulkpublish`, `ordering`, `drain`.
    public var operations: Set<String>
    public var makeComponent: @Sendable () async throws -> any PubSub
    /// Unique per run, so messages left on a shared broker by other runs are ignored.
    public let runID = String(UUID().uuidString.prefix(8)).lowercased()

    public init(messageCount: Int = 10, maxReadDuration: Duration = .seconds(60), operations: Set<String> = [], makeComponent: @escaping @Sendable () async throws -> any PubSub) {
        self.messageCount = messageCount
        self.maxReadDuration = maxReadDuration
        self.operations = operations
        self.makeComponent = makeComponent
    }

    func topic(_ name: String) -> String { "conformance-\(name)-\(runID)" }

    /// Runs every step and reports each one; never throws.
    public func run(subject: String) async -> ConformanceReport {
        var report = ConformanceReport(subject: subject)
        let pubsub: any PubSub
        do {
            pubsub = try await makeComponent()
            report.results.append(StepResult(Step.initialize.rawValue, .passed))
        } catch {
            report.results.append(StepResult(Step.initialize.rawValue, .failed("\(error)")))
            return report
        }
        if let pingable = pubsub as? any PingableComponent {
            do {
                try await pingable.ping()
                report.results.append(StepResult(Step.ping.rawValue, .passed))
            } catch {
                report.results.append(StepResult(Step.ping.rawValue, .failed("\(error)")))
            }
        } else {
            report.results.append(StepResult(Step.ping.rawValue, .skipped("the component does not implement ping")))
        }
        report.results += await publishAndVerify(pubsub)
        if operations.contains(Step.ordering.rawValue) { report.results.append(await ordering(pubsub)) }
        report.results += await multipleHandlers(pubsub)
        if operations.contains(Step.drain.rawValue) { report.results.append(await drain(pubsub)) }
        try? await pubsub.close()
        return report
    }

    /// A handler that fails deliveries #1, #2 and every 5th, so redelivery is exercised.
    private func failingHandler(_ log: DeliveryLog, topic: String) -> MessageHandler {
        let counter = DeliveryCounter()
        return { message in
            let payload = String(decoding: message.data, as: UTF8.self)
            guard payload.contains(runID) else { return }
            let number = await counter.next()
            let fail = number == 1 || number == 2 || number % 5 == 0
            await log.record(topic: topic, payload: payload, succeeded: !fail)
            if fail { throw ConformanceError("injected failure of delivery #\(number)") }
        }
    }

    private func recordingHandler(_ log: DeliveryLog, topic: String) -> MessageHandler {
        { message in
            let payload = String(decoding: message.data, as: UTF8.self)
            guard payload.contains(runID) else { return }
            await log.record(topic: topic, payload: payload, succeeded: true)
        }
    }

    private func publishAndVerify(_ pubsub: any PubSub) async -> [StepResult] {
        let topic = topic("main")
        let log = DeliveryLog()
        var results: [StepResult] = []
        let subscription: Subscription
        do {
            subscription = try await pubsub.subscribe(SubscribeRequest(topic: topic, consumerGroup: "conformance-\(runID)"), handler: failingHandler(log, topic: topic))
        } catch {
            return [StepResult(Step.publish.rawValue, .failed("subscribe failed: \(error)"))]
        }
        var expected: [String] = []
        do {
            for seq in 1...messageCount {
                let payload = "message-\(runID)-\(seq)"
                try await pubsub.publish(OutgoingMessage(topic: topic, data: Array(payload.utf8), contentType: "text/plain"))
                expected.append(payload)
            }
            results.append(StepResult(Step.publish.rawValue, .passed))
        } catch {
            results.append(StepResult(Step.publish.rawValue, .failed("publish #\(expected.count + 1) failed: \(error)")))
        }
        if operations.contains(Step.bulkPublish.rawValue) {
            let payloads = (1...messageCount).map { "bulk-\(runID)-\($0)" }
            do {
                let failures = try await pubsub.bulkPublish(payloads.map { OutgoingMessage(topic: topic, data: Array($0.utf8), contentType: "text/plain") })
                if failures.isEmpty {
                    results.append(StepResult(Step.bulkPublish.rawValue, .passed))
                } else {
                    results.append(StepResult(Step.bulkPublish.rawValue, .failed("\(failures.count) entries failed, first: \(failures[0].error)")))
                }
                let failedIndexes = Set(failures.map(\.index))
                expected += payloads.enumerated().filter { !failedIndexes.contains($0.offset) }.map(\.element)
            } catch {
                results.append(StepResult(Step.bulkPublish.rawValue, .failed("\(error)")))
            }
        }
        let wanted = expected
        let complete = await log.wait(within: maxReadDuration) { snapshot in
            wanted.allSatisfy { (snapshot.successes[$0] ?? 0) >= 1 }
        }
        let snapshot = await log.snapshot
        let missing = expected.filter { (snapshot.successes[$0] ?? 0) == 0 }
        let duplicated = expected.filter { (snapshot.successes[$0] ?? 0) > 1 }
        if !complete || !missing.isEmpty {
            results.append(StepResult(Step.verify.rawValue, .failed("\(missing.count) of \(expected.count) messages never delivered successfully within \(maxReadDuration), e.g. \(missing.prefix(3))")))
        } else if !duplicated.isEmpty {
            results.append(StepResult(Step.verify.rawValue, .failed("acknowledged messages delivered again: \(duplicated.prefix(3))")))
        } else {
            results.append(StepResult(Step.verify.rawValue, .passed))
        }
        let failedPayloads = snapshot.failed
        let notRetried = failedPayloads.filter { (snapshot.successes[$0] ?? 0) == 0 }
        if failedPayloads.isEmpty {
            results.append(StepResult(Step.redelivery.rawValue, .failed("no handler failure was injected; nothing proves redelivery")))
        } else if !notRetried.isEmpty {
            results.append(StepResult(Step.redelivery.rawValue, .failed("messages whose handler failed were not redelivered: \(notRetried.sorted().prefix(3))")))
        } else {
            results.append(StepResult(Step.redelivery.rawValue, .passed))
        }
        await subscription.cancel()
        return results
    }

    private func ordering(_ pubsub: any PubSub) async -> StepResult {
        let topic = topic("ordering")
        let log = DeliveryLog()
        do {
            let subscription = try await pubsub.subscribe(SubscribeRequest(topic: topic, consumerGroup: "conformance-\(runID)", maxConcurrency: 1), handler: recordingHandler(log, topic: topic))
            var expected: [String] = []
            for seq in 1...messageCount {
                let payload = "ordered-\(runID)-\(seq)"
                try await pubsub.publish(OutgoingMessage(topic: topic, data: Array(payload.utf8), contentType: "text/plain", metadata: ["partitionKey": "key-\(runID)"]))
                expected.append(payload)
            }
            let wanted = expected
            guard await log.wait(within: maxReadDuration, until: { snapshot in wanted.allSatisfy { snapshot.successes[$0] != nil } }) else {
                await subscription.cancel()
                return StepResult(Step.ordering.rawValue, .failed("not every message arrived within \(maxReadDuration)"))
            }
            let order = await log.snapshot.successOrder[topic] ?? []
            await subscription.cancel()
            return order == expected
                ? StepResult(Step.ordering.rawValue, .passed)
                : StepResult(Step.ordering.rawValue, .failed("delivered out of publish order: \(order.prefix(5))..."))
        } catch {
            return StepResult(Step.ordering.rawValue, .failed("\(error)"))
        }
    }

    private func multipleHandlers(_ pubsub: any PubSub) async -> [StepResult] {
        let first = topic("first")
        let second = topic("second")
        let log = DeliveryLog()
        do {
            let firstSubscription = try await pubsub.subscribe(SubscribeRequest(topic: first, consumerGroup: "conformance-\(runID)"), handler: recordingHandler(log, topic: first))
            let secondSubscription = try await pubsub.subscribe(SubscribeRequest(topic: second, consumerGroup: "conformance-\(runID)"), handler: recordingHandler(log, topic: second))
            let firstPayloads = (1...messageCount).map { "first-\(runID)-\($0)" }
            let secondPayloads = (1...messageCount).map { "second-\(runID)-\($0)" }
            for (a, b) in zip(firstPayloads, secondPayloads) {
                try await pubsub.publish(OutgoingMessage(topic: first, data: Array(a.utf8), contentType: "text/plain"))
                try await pubsub.publish(OutgoingMessage(topic: second, data: Array(b.utf8), contentType: "text/plain"))
            }
            let all = firstPayloads + secondPayloads
            let arrived = await log.wait(within: maxReadDuration) { snapshot in all.allSatisfy { snapshot.successes[$0] != nil } }
            var snapshot = await log.snapshot
            var results: [StepResult] = []
            let leaked = firstPayloads.filter { snapshot.topicOf[$0] != first } + secondPayloads.filter { snapshot.topicOf[$0] != second }
            let duplicates = all.filter { (snapshot.successes[$0] ?? 0) > 1 }
            if !arrived {
                results.append(StepResult(Step.multipleHandlers.rawValue, .failed("missing: \(all.filter { snapshot.successes[$0] == nil }.prefix(3))")))
            } else if !leaked.isEmpty {
                results.append(StepResult(Step.multipleHandlers.rawValue, .failed("messages delivered to the wrong topic's handler: \(leaked.prefix(3))")))
            } else if !duplicates.isEmpty {
                results.append(StepResult(Step.multipleHandlers.rawValue, .failed("duplicates: \(duplicates.prefix(3))")))
            } else {
                results.append(StepResult(Step.multipleHandlers.rawValue, .passed))
            }

            await firstSubscription.cancel()
            let afterFirst = (1...messageCount).map { "after-first-\(runID)-\($0)" }
            let afterSecond = (1...messageCount).map { "after-second-\(runID)-\($0)" }
            for (a, b) in zip(afterFirst, afterSecond) {
                try await pubsub.publish(OutgoingMessage(topic: first, data: Array(a.utf8), contentType: "text/plain"))
                try await pubsub.publish(OutgoingMessage(topic: second, data: Array(b.utf8), contentType: "text/plain"))
            }
            let secondKeptGoing = await log.wait(within: maxReadDuration) { snapshot in afterSecond.allSatisfy { snapshot.successes[$0] != nil } }
            snapshot = await log.snapshot
            let stillDelivered = afterFirst.filter { snapshot.attempts[$0] != nil }
            if !secondKeptGoing {
                results.append(StepResult(Step.stopSubscribers.rawValue, .failed("cancelling one subscription stopped another")))
            } else if !stillDelivered.isEmpty {
                results.append(StepResult(Step.stopSubscribers.rawValue, .failed("a cancelled subscription still received \(stillDelivered.count) messages")))
            } else {
                results.append(StepResult(Step.stopSubscribers.rawValue, .passed))
            }
            await secondSubscription.cancel()
            return results
        } catch {
            return [StepResult(Step.multipleHandlers.rawValue, .failed("\(error)"))]
        }
    }

    private func drain(_ pubsub: any PubSub) async -> StepResult {
        let topic = topic("drain")
        let group = "conformance-drain-\(runID)"
        let slowLog = DeliveryLog()
        let log = DeliveryLog()
        let release = AsyncStream<Void>.makeStream()
        let payload = "drain-\(runID)"
        do {
            let slow = try await pubsub.subscribe(SubscribeRequest(topic: topic, consumerGroup: group, maxConcurrency: 1)) { message in
                guard String(decoding: message.data, as: UTF8.self) == payload else { return }
                await slowLog.record(topic: topic, payload: payload, succeeded: false)
                for await _ in release.stream { break }
                throw ConformanceError("the sidecar is shutting down")
            }
            try await pubsub.publish(OutgoingMessage(topic: topic, data: Array(payload.utf8), contentType: "text/plain"))
            let started = await slowLog.wait(within: maxReadDuration) { $0.attempts[payload] != nil }
            release.continuation.yield()
            release.continuation.finish()
            guard started else {
                await slow.cancel()
                return StepResult(Step.drain.rawValue, .failed("the message never reached the first subscriber within \(maxReadDuration)"))
            }
            await slow.cancel()
            let next = try await pubsub.subscribe(SubscribeRequest(topic: topic, consumerGroup: group), handler: recordingHandler(log, topic: topic))
            let redelivered = await log.wait(within: maxReadDuration) { $0.successes[payload] != nil }
            await next.cancel()
            return redelivered
                ? StepResult(Step.drain.rawValue, .passed)
                : StepResult(Step.drain.rawValue, .failed("the message in flight when its subscriber closed never reached the next subscriber"))
        } catch {
            return StepResult(Step.drain.rawValue, .failed("\(error)"))
        }
    }
}

/// Numbers deliveries across concurrent handler calls.
actor DeliveryCounter {
    private var count = 0

    func next() -> Int {
        count += 1
        return count
    }
}
