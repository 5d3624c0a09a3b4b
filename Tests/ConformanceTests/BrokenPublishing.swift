import BuiltinComponents
import ConformanceKit
import OutriggerCore
import Synchronization

/// Answers ping with an error, as a component whose broker went away.
final class PingFailingPubSub: ForwardingPubSub, PingableComponent {
    let base: InMemoryPubSub
    init(base: InMemoryPubSub) { self.base = base }

    func ping() async throws { throw ConformanceError("broker unreachable") }
}

/// Refuses every single publish (bulk publish still works through the base).
final class PublishFailingPubSub: ForwardingPubSub {
    let base: InMemoryPubSub
    init(base: InMemoryPubSub) { self.base = base }

    func publish(_ message: OutgoingMessage) async throws { throw ConformanceError("publish refused") }

    func bulkPublish(_ messages: [OutgoingMessage]) async throws -> [BulkPublishFailure] {
        try await base.bulkPublish(messages)
    }
}

/// Bulk publish puts the even entries on the broker and reports the odd ones failed.
final class BulkFailingPubSub: ForwardingPubSub {
    let base: InMemoryPubSub
    init(base: InMemoryPubSub) { self.base = base }

    func bulkPublish(_ messages: [OutgoingMessage]) async throws -> [BulkPublishFailure] {
        var failures: [BulkPublishFailure] = []
        for (index, message) in messages.enumerated() {
            if index % 2 == 1 {
                failures.append(BulkPublishFailure(index: index, error: ConformanceError("entry refused")))
            } else {
                try await base.publish(message)
            }
        }
        return failures
    }
}

/// Bulk publish puts only the first half of the entries on the broker and reports success.
final class BulkLosingPubSub: ForwardingPubSub {
    let base: InMemoryPubSub
    init(base: InMemoryPubSub) { self.base = base }

    func bulkPublish(_ messages: [OutgoingMessage]) async throws -> [BulkPublishFailure] {
        for message in messages.prefix(messages.count / 2) { try await base.publish(message) }
        return []
    }
}

/// Silently loses every third publish.
final class DroppingPubSub: ForwardingPubSub {
    let base: InMemoryPubSub
    private let count = Mutex(0)
    init(base: InMemoryPubSub) { self.base = base }

    func publish(_ message: OutgoingMessage) async throws {
        let number = count.withLock { $0 += 1; return $0 }
        if number % 3 == 0 { return }
        try await base.publish(message)
    }
}

/// After every `every`-th acknowledged message of a subscription, delivers that message again.
final class DuplicatingPubSub: ForwardingPubSub {
    let base: InMemoryPubSub
    let every: Int
    init(base: InMemoryPubSub, every: Int) {
        self.base = base
        self.every = every
    }

    func subscribe(_ request: SubscribeRequest, handler: @escaping MessageHandler) async throws -> Subscription {
        let acknowledged = Mutex(0)
        let every = every
        return try await base.subscribe(request) { message in
            try await handler(message)
            let number = acknowledged.withLock { $0 += 1; return $0 }
            if number % every == 0 { try? await handler(message) }
        }
    }
}

/// Acknowledges every message whatever the handler says.
final class AckFirstPubSub: ForwardingPubSub {
    let base: InMemoryPubSub
    init(base: InMemoryPubSub) { self.base = base }

    func subscribe(_ request: SubscribeRequest, handler: @escaping MessageHandler) async throws -> Subscription {
        try await base.subscribe(request) { message in try? await handler(message) }
    }
}
