import OutriggerCore
import Synchronization

/// `pubsub.in-memory`: a broker inside the sidecar process, for development and tests.
///
/// Every consumer group subscribed to a topic gets each message published after it subscribed;
/// within a group, each message goes to one subscriber. A message a handler fails is queued again
/// for the group. Messages live only as long as the process: a publish with no subscriber is
/// discarded, as with Dapr's in-memory broker.
///
/// Metadata: `maxBufferedMessages` (default 100000): per topic and group; a publish past it fails
/// with a retriable error instead of growing memory without bound. Publish metadata
/// `ttlInSeconds` gives a message a time to live: once it passes, the message is discarded
/// unseen. Consuming runs on the shared ``ConsumerDriver``, so `maxConcurrency` and
/// `orderedByKey` (per `partitionKey`) behave as on every broker component.
public final class InMemoryPubSub: PubSub, PingableComponent, HealthReporting {
    private struct State {
        var queues: [String: [String: MessageQueue]] = [:]
        var closed = false
    }

    public static let descriptor = ComponentDescriptor(
        type: "pubsub.in-memory",
        summary: "A broker inside the sidecar process, for development and tests"
    ) { metadata in
        try InMemoryPubSub(metadata: metadata)
    }

    private let capacity: Int
    private let state = Mutex(State())

    public init(metadata: ComponentMetadata) throws {
        capacity = try metadata.int("maxBufferedMessages", default: 100_000, in: 1...100_000_000)
    }

    public func ping() async throws {
        if state.withLock({ $0.closed }) { throw ComponentError(.terminal, "the in-memory broker is closed") }
    }

    /// Always connected while open: the broker is in the process.
    public var health: ConnectionHealth { state.withLock { $0.closed } ? .closed : .connected }

    public var features: Set<PubSubFeature> { [.messageTTL] }

    public func publish(_ message: OutgoingMessage) async throws {
        let queues = try state.withLock { state -> [MessageQueue] in
            guard !state.closed else { throw ComponentError(.retriable, "the in-memory broker is closed") }
            return state.queues[message.topic].map { Array($0.values) } ?? []
        }
        try offer(message, to: queues)
    }

    /// The whole batch under one look at the broker's state: each topic's groups are found once,
    /// and a topic nobody subscribed to discards its messages there. A message fails alone, as a
    /// single publish of it would (full queue, bad `ttlInSeconds`); all fail when the broker is closed.
    public func bulkPublish(_ messages: [OutgoingMessage]) async throws -> [BulkPublishFailure] {
        // A batch is nearly always one topic: a short list beats hashing every message's topic.
        var topics: [String] = []
        for message in messages where topics.last != message.topic && !topics.contains(message.topic) {
            topics.append(message.topic)
        }
        let groups = state.withLock { state -> [[MessageQueue]]? in
            guard !state.closed else { return nil }
            return topics.map { topic in state.queues[topic].map { Array($0.values) } ?? [] }
        }
        guard let groups else {
            let closed = ComponentError(.retriable, "the in-memory broker is closed")
            return messages.indices.map { BulkPublishFailure(index: $0, error: closed) }
        }
        var failures: [BulkPublishFailure] = []
        var topic = 0
        for (index, message) in messages.enumerated() {
            if topics[topic] != message.topic { topic = topics.firstIndex(of: message.topic)! }
            do {
                try offer(message, to: groups[topic])
            } catch {
                failures.append(BulkPublishFailure(index: index, error: error))
            }
        }
        return failures
    }

    /// Hands `message` to every group subscribed to its topic (none: it is discarded).
    private func offer(_ message: OutgoingMessage, to queues: [MessageQueue]) throws {
        let expiresAt = try Self.expiry(of: message)
        guard !queues.isEmpty else { return }
        let incoming = IncomingMessage(topic: message.topic, data: message.data, contentType: message.contentType, metadata: message.metadata)
        for queue in queues where !queue.offer(incoming, expiresAt: expiresAt) {
            throw ComponentError(.retriable, "topic '\(message.topic)' has \(capacity) undelivered messages (maxBufferedMessages); try again later")
        }
    }

    /// When a message published with `ttlInSeconds` metadata stops being deliverable.
    static func expiry(of message: OutgoingMessage) throws -> ContinuousClock.Instant? {
        guard !message.metadata.isEmpty, let text = message.metadata["ttlInSeconds"], !text.isEmpty else { return nil }
        guard let seconds = Int(text), seconds >= 0 else {
            throw ComponentError(.terminal, "metadata ttlInSeconds must be a non-negative whole number of seconds, got '\(text)'")
        }
        return .now.advanced(by: .seconds(seconds))
    }

    public func subscribe(_ request: SubscribeRequest, handler: @escaping MessageHandler) async throws -> Subscription {
        let queue = try state.withLock { state -> MessageQueue in
            guard !state.closed else { throw ComponentError(.terminal, "the in-memory broker is closed") }
            if let queue = state.queues[request.topic]?[request.consumerGroup] { return queue }
            let queue = MessageQueue(capacity: capacity)
            state.queues[request.topic, default: [:]][request.consumerGroup] = queue
            return queue
        }
        var orderingKey: (@Sendable (MessageQueue.Queued) -> String?)?
        if request.orderedByKey {
            orderingKey = { queued in queued.message.metadata["partitionKey"] }
        }
        let driver = ConsumerDriver<MessageQueue.Queued>(
            configuration: .init(maxConcurrency: request.maxConcurrency, orderingKey: orderingKey),
            handler: { try await handler($0.message) },
            settle: { settlement in
                // Messages that were not handled keep their place; failed ones go to the back.
                queue.requeue(settlement.nacks.filter { !$0.reason.isFailure }.map(\.message), atHead: true)
                queue.requeue(settlement.nacks.filter { $0.reason.isFailure }.map(\.message), atHead: false)
            })
        driver.start { room in try await queue.take(limit: room) }
        return driver.subscription
    }

    public func close() async throws {
        state.withLock { $0.closed = true }
    }
}
