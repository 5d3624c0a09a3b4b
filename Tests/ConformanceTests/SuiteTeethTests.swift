import BuiltinComponents
import ConformanceKit
import OutriggerCore
import Synchronization
import Testing

/// The suite must catch broken components: each deliberately broken double fails the step
/// that guards against its fault.
@Suite("Conformance suite catches broken components")
struct SuiteTeethTests {
    func run(_ make: @escaping @Sendable (InMemoryPubSub) -> any PubSub, operations: Set<String> = ["drain"]) async -> ConformanceReport {
        let suite = PubSubConformance(messageCount: 10, maxReadDuration: .seconds(2), operations: operations) {
            make(try InMemoryPubSub(metadata: ComponentMetadata(name: "broken", type: "pubsub.in-memory")))
        }
        return await suite.run(subject: "broken double")
    }

    func failed(_ outcome: StepResult.Outcome?) -> Bool {
        if case .failed = outcome { return true }
        return false
    }

    @Test("the correct in-memory broker passes, so the doubles below fail for their fault alone")
    func baseline() async {
        let report = await run { $0 }
        #expect(report.failures.isEmpty, "\(report)")
    }

    @Test("a broker that loses one message in N fails 'verify'")
    func dropsMessages() async {
        let report = await run { DroppingPubSub(base: $0) }
        #expect(failed(report.result(of: "verify")), "\(report)")
    }

    @Test("a broker that acknowledges before the handler finished fails 'redelivery'")
    func acksBeforeHandler() async {
        let report = await run { AckFirstPubSub(base: $0) }
        #expect(failed(report.result(of: "redelivery")), "\(report)")
        #expect(failed(report.result(of: "drain")), "\(report)")
    }

    @Test("a broker that delivers to the wrong topic fails 'multiplehandlers'")
    func wrongTopic() async {
        let report = await run { CrossTopicPubSub(base: $0) }
        #expect(failed(report.result(of: "multiplehandlers")), "\(report)")
    }

    @Test("a subscription that keeps delivering after cancel fails 'stopsubscribers'")
    func ignoresCancel() async {
        let report = await run { IgnoresCancelPubSub(base: $0) }
        #expect(failed(report.result(of: "stopsubscribers")), "\(report)")
    }
}

/// Silently loses every third publish.
final class DroppingPubSub: PubSub {
    let base: InMemoryPubSub
    private let count = Mutex(0)
    init(base: InMemoryPubSub) { self.base = base }

    func publish(_ message: OutgoingMessage) async throws {
        let number = count.withLock { $0 += 1; return $0 }
        if number % 3 == 0 { return }
        try await base.publish(message)
    }

    func subscribe(_ request: SubscribeRequest, handler: @escaping MessageHandler) async throws -> Subscription {
        try await base.subscribe(request, handler: handler)
    }

    func close() async throws { try await base.close() }
}

/// Acknowledges every message whatever the handler says.
final class AckFirstPubSub: PubSub {
    let base: InMemoryPubSub
    init(base: InMemoryPubSub) { self.base = base }

    func publish(_ message: OutgoingMessage) async throws { try await base.publish(message) }

    func subscribe(_ request: SubscribeRequest, handler: @escaping MessageHandler) async throws -> Subscription {
        try await base.subscribe(request) { message in try? await handler(message) }
    }

    func close() async throws { try await base.close() }
}

/// Delivers what is published to a topic named `...-first-...` to the `...-second-...` topic.
final class CrossTopicPubSub: PubSub {
    let base: InMemoryPubSub
    init(base: InMemoryPubSub) { self.base = base }

    func publish(_ message: OutgoingMessage) async throws {
        var message = message
        message.topic = message.topic.replacingOccurrences(of: "-first-", with: "-second-")
        try await base.publish(message)
    }

    func subscribe(_ request: SubscribeRequest, handler: @escaping MessageHandler) async throws -> Subscription {
        try await base.subscribe(request, handler: handler)
    }

    func close() async throws { try await base.close() }
}

/// Returns a subscription whose cancel does nothing.
final class IgnoresCancelPubSub: PubSub {
    let base: InMemoryPubSub
    init(base: InMemoryPubSub) { self.base = base }

    func publish(_ message: OutgoingMessage) async throws { try await base.publish(message) }

    func subscribe(_ request: SubscribeRequest, handler: @escaping MessageHandler) async throws -> Subscription {
        _ = try await base.subscribe(request, handler: handler)
        return Subscription {}
    }

    func close() async throws { try await base.close() }
}

import Foundation
