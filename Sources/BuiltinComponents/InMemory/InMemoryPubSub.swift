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
/// with a retriable error instead of growing memory without bound.
public final class InMemoryPubSub: PubSub, PingableComponent {
    private struct State {
        var queues: [String: [String: MessageQueue]] = [:]
        var nextConsumer: UInt64 = 0
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

    public func ping() async throws {}

    public func publish(_ message: OutgoingMessage) async throws {
        let queues = try state.withLock { state -> [MessageQueue] in
            guard !state.closed else { throw ComponentError(.retriable, "the in-memory broker is closed") }
            return state.queues[message.topic].map { Array($0.values) } ?? []
        }
        let incoming = IncomingMessage(topic: message.topic, data: message.data, contentType: message.contentType, metadata: message.metadata)
        for queue in queues where !queue.offer(incoming) {
            throw ComponentError(.retriable, "topic '\(message.topic)' has \(capacity) undelivered messages (maxBufferedMessages); try again later")
        }
    }

    public func subscribe(_ request: SubscribeRequest, handler: @escaping MessageHandler) async throws -> Subscription {
        let (queue, consumer) = try state.withLock { state -> (MessageQueue, UInt64) in
            guard !state.closed else { throw ComponentError(.terminal, "the in-memory broker is closed") }
            state.nextConsumer += 1
            if let queue = state.queues[request.topic]?[request.consumerGroup] { return (queue, state.nextConsumer) }
            let queue = MessageQueue(capacity: capacity)
            state.queues[request.topic, default: [:]][request.consumerGroup] = queue
            return (queue, state.nextConsumer)
        }
        let limit = ConcurrencyLimit(max(request.maxConcurrency, 1))
        let consumerTask = Task {
            await withTaskGroup(of: Void.self) { group in
                while let message = await queue.take(consumer) {
                    do {
                        try await limit.acquire()
                    } catch {
                        _ = queue.offer(message, force: true)
                        break
                    }
                    group.addTask {
                        defer { limit.release() }
                        do {
                            try await handler(message)
                        } catch {
                            _ = queue.offer(message, force: true)
                        }
                    }
                }
            }
        }
        return Subscription {
            queue.stop(consumer)
            await consumerTask.value
        }
    }

    public func close() async throws {
        state.withLock { $0.closed = true }
    }
}
