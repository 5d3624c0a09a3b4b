import OutriggerCore
import Synchronization

/// A broker double that lets a test play the broker: hand a message to the subscriber and see
/// whether it was acknowledged, and make publishes fail on demand.
public final class FakePubSub: PubSub {
    /// What the subscriber's handler did with a message.
    public enum Outcome: Sendable, Equatable {
        case acked
        case nacked(String)
    }

    private struct State {
        var handlers: [String: MessageHandler] = [:]
        var published: [OutgoingMessage] = []
        var publishError: String?
        var publishAttempts = 0
    }

    private let state = Mutex(State())

    public init() {}

    /// Makes every later publish fail with `reason` (or succeed again with `nil`).
    public func failPublishes(_ reason: String?) { state.withLock { $0.publishError = reason } }

    /// Publish calls so far, failed ones included.
    public var publishAttempts: Int { state.withLock { $0.publishAttempts } }

    /// Everything published so far.
    public var published: [OutgoingMessage] { state.withLock { $0.published } }

    public func publish(_ message: OutgoingMessage) async throws {
        try state.withLock { state in
            state.publishAttempts += 1
            if let reason = state.publishError { throw ComponentError(.retriable, reason) }
            state.published.append(message)
        }
    }

    public func subscribe(_ request: SubscribeRequest, handler: @escaping MessageHandler) async throws -> Subscription {
        state.withLock { $0.handlers[request.topic] = handler }
        return Subscription { [self] in _ = self.state.withLock { $0.handlers.removeValue(forKey: request.topic) } }
    }

    /// Hands `data` to the subscriber of `topic` as the broker would, and reports ack or nack.
    public func deliver(_ data: [UInt8], topic: String) async -> Outcome {
        guard let handler = state.withLock({ $0.handlers[topic] }) else { return .nacked("no subscriber") }
        do {
            try await handler(IncomingMessage(topic: topic, data: data))
            return .acked
        } catch {
            return .nacked("\(error)")
        }
    }

    public func close() async throws {}
}
