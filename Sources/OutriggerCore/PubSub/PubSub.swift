/// A pub/sub broker adapter: translates between a broker and the pipeline's message types.
///
/// Contract (see docs/components.md):
/// - A `handler` that returns means the message is done (delivered, dropped, or dead-lettered):
///   acknowledge it. A `handler` that throws means the broker must redeliver it. Components
///   never retry on their own; the delivery pipeline owns retries.
/// - ``subscribe(_:handler:)`` returns once the subscription is live.
/// - Cancelling one ``Subscription`` stops only that one; its in-flight handlers finish first.
public protocol PubSub: Component {
    /// What the component can do beyond the required operations.
    var features: Set<PubSubFeature> { get }
    /// Puts one message on the broker; returns once the broker has accepted it.
    func publish(_ message: OutgoingMessage) async throws
    /// Puts many messages on the broker; returns the ones that failed (empty on full success).
    func bulkPublish(_ messages: [OutgoingMessage]) async throws -> [BulkPublishFailure]
    /// Starts consuming `request.topic`, calling `handler` per message.
    func subscribe(_ request: SubscribeRequest, handler: @escaping MessageHandler) async throws -> Subscription
}

/// Called by a component for every message it receives; see ``PubSub`` for the ack rules.
public typealias MessageHandler = @Sendable (IncomingMessage) async throws -> Void

extension PubSub {
    public var features: Set<PubSubFeature> { [] }

    /// Publishes one by one; components with a native batch API override this.
    public func bulkPublish(_ messages: [OutgoingMessage]) async throws -> [BulkPublishFailure] {
        var failures: [BulkPublishFailure] = []
        for (index, message) in messages.enumerated() {
            do {
                try await publish(message)
            } catch {
                failures.append(BulkPublishFailure(index: index, error: error))
            }
        }
        return failures
    }
}

/// Optional abilities of a pub/sub component, as Dapr names them.
public enum PubSubFeature: String, Sendable, Hashable, CaseIterable {
    case bulkPublish = "BULK_PUBLISH"
    case bulkSubscribe = "BULK_SUBSCRIBE"
    case messageTTL = "MESSAGE_TTL"
    case subscribeWildcards = "SUBSCRIBE_WILDCARDS"
}

/// One message to put on a broker.
public struct OutgoingMessage: Sendable {
    public var topic: String
    /// The bytes to store: a structured CloudEvent, or the app's bytes with `rawPayload`.
    public var data: [UInt8]
    public var contentType: String
    /// Publish request metadata (`metadata.X` query parameters), e.g. `partitionKey`.
    public var metadata: [String: String]

    public init(topic: String, data: [UInt8], contentType: String, metadata: [String: String] = [:]) {
        self.topic = topic
        self.data = data
        self.contentType = contentType
        self.metadata = metadata
    }
}

/// One message received from a broker.
public struct IncomingMessage: Sendable {
    public var topic: String
    public var data: [UInt8]
    /// The content type the broker carried, when it carries one.
    public var contentType: String?
    /// Broker-specific attributes (headers, message id, partition ...).
    public var metadata: [String: String]

    public init(topic: String, data: [UInt8], contentType: String? = nil, metadata: [String: String] = [:]) {
        self.topic = topic
        self.data = data
        self.contentType = contentType
        self.metadata = metadata
    }
}

/// What a subscriber asks of the component.
public struct SubscribeRequest: Sendable {
    public var topic: String
    /// Subscription metadata (e.g. `consumerGroup`, `rawPayload`).
    public var metadata: [String: String]
    /// The consumer group shared by all instances of the app; defaults to the app id.
    public var consumerGroup: String
    /// How many handler calls may run at once; a component stops pulling at this bound.
    public var maxConcurrency: Int
    /// Messages with the same ordering key (`partitionKey` publish metadata) are handled one at
    /// a time in order, different keys in parallel: subscription metadata `orderedByKey: "true"`.
    public var orderedByKey: Bool

    public init(topic: String, metadata: [String: String] = [:], consumerGroup: String, maxConcurrency: Int = 100, orderedByKey: Bool = false) {
        self.topic = topic
        self.metadata = metadata
        self.consumerGroup = consumerGroup
        self.maxConcurrency = maxConcurrency
        self.orderedByKey = orderedByKey
    }
}

/// One failed entry of a bulk publish.
public struct BulkPublishFailure: Sendable {
    /// Index into the published array.
    public var index: Int
    public var error: any Error

    public init(index: Int, error: any Error) {
        self.index = index
        self.error = error
    }
}

/// A live subscription; ``cancel()`` stops consuming and returns after in-flight handlers finish.
public struct Subscription: Sendable {
    private let stop: @Sendable () async -> Void

    public init(cancel: @escaping @Sendable () async -> Void) {
        self.stop = cancel
    }

    /// Stops this subscription only; returns once its in-flight handlers have finished.
    public func cancel() async {
        await stop()
    }
}
