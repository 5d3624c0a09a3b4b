import BuiltinComponents
import ConformanceKit
import OutriggerCore

/// Knobs small enough for `make test`. The doubles run in memory: a broken double that loses a
/// message costs each step that waits for it `maxReadDuration`, so that is short; a run that
/// must pass gets `patient`, which it never uses up unless the machine is badly overloaded (it
/// did use up 10 s once in CI, in the first minute of `make test`, when every suite starts at
/// once on two cores). 20 ms is long enough for a stray delivery of an in-memory double to show up.
enum Teeth {
    static let maxReadDuration = Duration.seconds(1)
    static let patient = Duration.seconds(30)
    static let settleDuration = Duration.milliseconds(20)

    /// Runs every pub/sub step against `make(correct in-memory broker)`.
    static func run(
        operations: Set<String> = ["bulkpublish", "inflightdrain"], features: Set<String> = ["ordering"],
        duplicates: DuplicatePolicy = .forbidden, maxReadDuration: Duration = maxReadDuration,
        _ make: @escaping @Sendable (InMemoryPubSub) -> any PubSub
    ) async -> ConformanceReport {
        let suite = PubSubConformance(
            messageCount: 10, maxReadDuration: maxReadDuration, settleDuration: settleDuration,
            operations: operations, features: features, duplicatePolicy: duplicates
        ) {
            make(try InMemoryPubSub(metadata: ComponentMetadata(name: "double", type: "pubsub.in-memory")))
        }
        return await suite.run(subject: "double")
    }

    static func failed(_ outcome: StepResult.Outcome?) -> Bool {
        if case .failed = outcome { return true }
        return false
    }

    static func skipped(_ outcome: StepResult.Outcome?) -> Bool {
        if case .skipped = outcome { return true }
        return false
    }
}

/// A double built on the correct in-memory broker: it forwards whatever it does not break.
protocol ForwardingPubSub: PubSub {
    var base: InMemoryPubSub { get }
}

extension ForwardingPubSub {
    func publish(_ message: OutgoingMessage) async throws { try await base.publish(message) }

    func subscribe(_ request: SubscribeRequest, handler: @escaping MessageHandler) async throws -> Subscription {
        try await base.subscribe(request, handler: handler)
    }

    func close() async throws { try await base.close() }
}
