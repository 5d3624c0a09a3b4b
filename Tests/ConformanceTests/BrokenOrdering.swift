import BuiltinComponents
import OutriggerCore
import Synchronization

/// Swaps the first two messages published with each partition key.
final class ReorderingPubSub: ForwardingPubSub {
    let base: InMemoryPubSub
    private let held = Mutex<[String: OutgoingMessage]>([:])
    private let swapped = Mutex<Set<String>>([])
    init(base: InMemoryPubSub) { self.base = base }

    func publish(_ message: OutgoingMessage) async throws {
        guard let key = message.metadata["partitionKey"].map({ "\(message.topic)/\($0)" }) else { return try await base.publish(message) }
        if swapped.withLock({ $0.insert(key).inserted }) {
            held.withLock { $0[key] = message }
            return
        }
        try await base.publish(message)
        if let first = held.withLock({ $0.removeValue(forKey: key) }) { try await base.publish(first) }
    }
}

/// Honours `orderedByKey` the simplest correct way: one handler at a time.
final class KeyOrderedPubSub: ForwardingPubSub {
    let base: InMemoryPubSub
    init(base: InMemoryPubSub) { self.base = base }

    func subscribe(_ request: SubscribeRequest, handler: @escaping MessageHandler) async throws -> Subscription {
        var request = request
        if request.orderedByKey { request.maxConcurrency = 1 }
        return try await base.subscribe(request, handler: handler)
    }
}

/// Ignores `orderedByKey`: the first message of each key waits until the key's second one has
/// been handled, as concurrent handlers may do.
final class KeyOrderIgnoringPubSub: ForwardingPubSub {
    let base: InMemoryPubSub
    init(base: InMemoryPubSub) { self.base = base }

    func subscribe(_ request: SubscribeRequest, handler: @escaping MessageHandler) async throws -> Subscription {
        guard request.orderedByKey else { return try await base.subscribe(request, handler: handler) }
        var unordered = request
        unordered.orderedByKey = false
        let holds = FirstOfKeyHold()
        return try await base.subscribe(unordered) { message in
            let key = message.metadata["partitionKey"] ?? ""
            await holds.holdIfFirst(key)
            try await handler(message)
            await holds.handled(key)
        }
    }
}

/// Holds the first message of each key until another message of that key was handled.
actor FirstOfKeyHold {
    private var seen: Set<String> = []
    private var waiting: [String: CheckedContinuation<Void, Never>] = [:]

    func holdIfFirst(_ key: String) async {
        guard seen.insert(key).inserted else { return }
        await withCheckedContinuation { waiting[key] = $0 }
    }

    func handled(_ key: String) {
        waiting.removeValue(forKey: key)?.resume()
    }
}
