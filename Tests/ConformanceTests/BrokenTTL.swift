import BuiltinComponents
import Foundation
import OutriggerCore
import Synchronization

/// Declares `messageTTL` and honours `ttlInSeconds`: an expired message is dropped unseen.
final class TTLHonouringPubSub: ForwardingPubSub {
    let base: InMemoryPubSub
    private let deadlines = Mutex<[String: ContinuousClock.Instant]>([:])
    var features: Set<PubSubFeature> { [.messageTTL] }
    init(base: InMemoryPubSub) { self.base = base }

    func publish(_ message: OutgoingMessage) async throws {
        guard let ttl = message.metadata["ttlInSeconds"].flatMap(Int.init) else { return try await base.publish(message) }
        var message = message
        let id = UUID().uuidString
        message.metadata["double-expiry-id"] = id
        deadlines.withLock { $0[id] = .now + .seconds(ttl) }
        try await base.publish(message)
    }

    func subscribe(_ request: SubscribeRequest, handler: @escaping MessageHandler) async throws -> Subscription {
        try await base.subscribe(request) { [double = self] message in
            if let id = message.metadata["double-expiry-id"], let deadline = double.deadline(id), deadline <= .now { return }
            try await handler(message)
        }
    }

    private func deadline(_ id: String) -> ContinuousClock.Instant? { deadlines.withLock { $0[id] } }
}

/// Declares `messageTTL` but delivers expired messages anyway: it drops `ttlInSeconds` before
/// the message reaches the broker (which may honour it itself).
final class TTLIgnoringPubSub: ForwardingPubSub {
    let base: InMemoryPubSub
    var features: Set<PubSubFeature> { [.messageTTL] }
    init(base: InMemoryPubSub) { self.base = base }

    func publish(_ message: OutgoingMessage) async throws {
        var message = message
        message.metadata["ttlInSeconds"] = nil
        try await base.publish(message)
    }
}
