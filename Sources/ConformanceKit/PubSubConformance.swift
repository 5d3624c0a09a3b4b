import Foundation
import OutriggerCore

/// The pub/sub conformance steps, run against one component built by `makeComponent`.
///
/// Stricter than Dapr's suite: a message whose handler failed must be redelivered and finally
/// succeed; after a settle period the acknowledged messages are checked as an exact multiset
/// (no loss, no duplicate unless the profile allows them); topics do not leak into each other;
/// a cancelled subscription receives nothing once its cancel returned; a consumer group shares
/// its messages; a message in flight when its subscriber closes reaches the next subscriber.
///
/// ```swift
/// let suite = PubSubConformance(messageCount: 10, operations: ["bulkpublish"]) {
///     try InMemoryPubSub(metadata: ComponentMetadata(name: "x", type: "pubsub.in-memory"))
/// }
/// let report = await suite.run(subject: "pubsub.in-memory/default")
/// ```
public struct PubSubConformance: Sendable {
    /// The steps, in the order they run.
    public enum Step: String, Sendable, CaseIterable {
        case initialize = "init"
        case ping
        case publish
        case bulkPublish = "bulkpublish"
        case verify
        case redelivery
        case bulkSubscribe = "bulksubscribe"
        case ordering
        case multipleHandlers = "multiplehandlers"
        case stopSubscribers = "stopsubscribers"
        case competingConsumers = "competingconsumers"
        case inFlightDrain = "inflightdrain"
        case ttl
    }

    /// The `operations` names tests.yml may list: optional steps (`drain` is the old name of
    /// `inflightdrain`) and `keyordering`, the per-key phase of the ordering step.
    public static let optionalOperations: Set<String> = ["bulkpublish", "ordering", "keyordering", "inflightdrain", "drain"]
    /// The `features` names tests.yml may list: guarantees of the broker that switch steps on.
    public static let declarableFeatures: Set<String> = ["ordering", "keyordering"]

    public var messageCount: Int
    public var maxReadDuration: Duration
    /// Wall-clock wait after a step's last expected message before its multiset is checked.
    public var settleDuration: Duration
    /// Optional steps to run, see ``optionalOperations``.
    public var operations: Set<String>
    /// Guarantees the profile declares, see ``declarableFeatures``.
    public var features: Set<String>
    /// Whether the broker may deliver an acknowledged message again.
    public var duplicatePolicy: DuplicatePolicy
    public var makeComponent: @Sendable () async throws -> any PubSub
    /// Unique per run, so messages left on a shared broker by other runs are ignored.
    public let runID = String(UUID().uuidString.prefix(8)).lowercased()

    public init(
        messageCount: Int = 10, maxReadDuration: Duration = .seconds(60), settleDuration: Duration = .seconds(1),
        operations: Set<String> = [], features: Set<String> = [], duplicatePolicy: DuplicatePolicy = .forbidden,
        makeComponent: @escaping @Sendable () async throws -> any PubSub
    ) {
        self.messageCount = max(messageCount, 1)
        self.maxReadDuration = maxReadDuration
        self.settleDuration = settleDuration
        self.operations = operations
        self.features = features
        self.duplicatePolicy = duplicatePolicy
        self.makeComponent = makeComponent
    }

    /// The suite for one `tests.yml` entry.
    public init(entry: ConformancePlan.Entry, makeComponent: @escaping @Sendable () async throws -> any PubSub) {
        self.init(
            messageCount: entry.messageCount, maxReadDuration: entry.maxReadDuration, settleDuration: entry.settleDuration,
            operations: entry.operations, features: entry.features, duplicatePolicy: entry.duplicates, makeComponent: makeComponent)
    }

    func declares(_ name: String) -> Bool { operations.contains(name) || features.contains(name) }

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
        report.results.append(await ping(pubsub))
        report.results += await publishAndVerify(pubsub)
        report.results.append(await bulkSubscribe(pubsub))
        report.results.append(await ordering(pubsub))
        report.results += await multipleHandlers(pubsub)
        report.results.append(await competingConsumers(pubsub))
        report.results.append(await inFlightDrain(pubsub))
        report.results.append(await ttl(pubsub))
        try? await pubsub.close()
        return report
    }

    private func ping(_ pubsub: any PubSub) async -> StepResult {
        guard let pingable = pubsub as? any PingableComponent else {
            return StepResult(Step.ping.rawValue, .skipped("the component does not implement ping"))
        }
        do {
            try await pingable.ping()
            return StepResult(Step.ping.rawValue, .passed)
        } catch {
            return StepResult(Step.ping.rawValue, .failed("\(error)"))
        }
    }

    func topic(_ name: String) -> String { "conformance-\(name)-\(runID)" }

    func group(_ name: String) -> String { "conformance-\(name)-\(runID)" }

    /// `count` payloads named after `name` and this run.
    func payloads(_ name: String, count: Int? = nil) -> [String] { (1...(count ?? messageCount)).map { "\(name)-\(runID)-\($0)" } }

    func publish(_ pubsub: any PubSub, _ payload: String, to topic: String, metadata: [String: String] = [:]) async throws {
        try await pubsub.publish(message(payload, to: topic, metadata: metadata))
    }

    func message(_ payload: String, to topic: String, metadata: [String: String] = [:]) -> OutgoingMessage {
        OutgoingMessage(topic: topic, data: Array(payload.utf8), contentType: "text/plain", metadata: metadata)
    }

    /// Keeps listening for late duplicates and stray deliveries before a step checks its log.
    func settle() async {
        try? await Task.sleep(for: settleDuration)
    }

    /// This run's payload in `message`, or `nil` for a message left by another run.
    func payload(of message: IncomingMessage) -> String? {
        let payload = String(decoding: message.data, as: UTF8.self)
        return payload.contains(runID) ? payload : nil
    }

    /// A handler that acknowledges every message and records it for `receiver`.
    func recordingHandler(_ log: DeliveryLog, topic: String, receiver: String = "") -> MessageHandler {
        { message in
            guard let payload = payload(of: message) else { return }
            await log.record(topic: topic, payload: payload, succeeded: true, receiver: receiver)
        }
    }

    /// A handler that fails deliveries #1, #2 and every 5th, so redelivery is exercised.
    func failingHandler(_ log: DeliveryLog, topic: String) -> MessageHandler {
        let counter = DeliveryCounter()
        return { message in
            guard let payload = payload(of: message) else { return }
            let number = await counter.next()
            let fail = number == 1 || number == 2 || number % 5 == 0
            await log.record(topic: topic, payload: payload, succeeded: !fail)
            if fail { throw ConformanceError("injected failure of delivery #\(number)") }
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
