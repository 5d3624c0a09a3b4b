import BuiltinComponents
import ConformanceKit
import Foundation
import OutriggerCore
import Synchronization

/// Delivers what is published to a topic named `...-first-...` to the `...-second-...` topic.
final class CrossTopicPubSub: ForwardingPubSub {
    let base: InMemoryPubSub
    init(base: InMemoryPubSub) { self.base = base }

    func publish(_ message: OutgoingMessage) async throws {
        var message = message
        message.topic = message.topic.replacingOccurrences(of: "-first-", with: "-second-")
        try await base.publish(message)
    }
}

/// Returns a subscription whose cancel does nothing.
final class IgnoresCancelPubSub: ForwardingPubSub {
    let base: InMemoryPubSub
    init(base: InMemoryPubSub) { self.base = base }

    func subscribe(_ request: SubscribeRequest, handler: @escaping MessageHandler) async throws -> Subscription {
        _ = try await base.subscribe(request, handler: handler)
        return Subscription {}
    }
}

/// Its cancel returns at once; the subscription really stops only after one more delivery.
final class LateStopPubSub: ForwardingPubSub {
    let base: InMemoryPubSub
    init(base: InMemoryPubSub) { self.base = base }

    func subscribe(_ request: SubscribeRequest, handler: @escaping MessageHandler) async throws -> Subscription {
        let stopping = Mutex(false)
        let subscription = Mutex<Subscription?>(nil)
        let live = try await base.subscribe(request) { message in
            let stop = stopping.withLock { $0 }
            try await handler(message)
            if stop, let live = subscription.withLock({ $0 }) { Task { await live.cancel() } }
        }
        subscription.withLock { $0 = live }
        return Subscription { stopping.withLock { $0 = true } }
    }
}

/// Gives each subscription a consumer group of its own: every subscriber gets every message.
final class FanOutGroupPubSub: ForwardingPubSub {
    let base: InMemoryPubSub
    init(base: InMemoryPubSub) { self.base = base }

    func subscribe(_ request: SubscribeRequest, handler: @escaping MessageHandler) async throws -> Subscription {
        var request = request
        request.consumerGroup += "-\(UUID().uuidString)"
        return try await base.subscribe(request, handler: handler)
    }
}

/// Once a subscription is being cancelled, acknowledges a failed in-flight message instead of
/// handing it back, so it is lost.
final class DropsInFlightOnCancelPubSub: ForwardingPubSub {
    let base: InMemoryPubSub
    init(base: InMemoryPubSub) { self.base = base }

    func subscribe(_ request: SubscribeRequest, handler: @escaping MessageHandler) async throws -> Subscription {
        let cancelling = Mutex(false)
        let live = try await base.subscribe(request) { message in
            do {
                try await handler(message)
            } catch where cancelling.withLock({ $0 }) {
                return
            }
        }
        return Subscription {
            cancelling.withLock { $0 = true }
            await live.cancel()
        }
    }
}

/// A subscriber allowed more than one handler at a time loses every other message.
final class ConcurrencyLosingPubSub: ForwardingPubSub {
    let base: InMemoryPubSub
    init(base: InMemoryPubSub) { self.base = base }

    func subscribe(_ request: SubscribeRequest, handler: @escaping MessageHandler) async throws -> Subscription {
        guard request.maxConcurrency > 1 else { return try await base.subscribe(request, handler: handler) }
        let count = Mutex(0)
        return try await base.subscribe(request) { message in
            guard count.withLock({ $0 += 1; return $0 }) % 2 == 1 else { return }
            try await handler(message)
        }
    }
}
