import OutriggerCore
import Synchronization

/// The messages of one topic for one consumer group, shared by that group's subscribers.
///
/// Each message goes to one subscriber of the group; a message handed back (nack) is queued
/// again for any subscriber of the group, so cancelling a subscriber loses nothing the group
/// still consumes. Bounded: ``offer(_:expiresAt:)`` refuses messages past `capacity`; messages
/// handed back are always taken. A message whose time to live has passed is discarded when it
/// reaches the head of the queue, never delivered.
final class MessageQueue: Sendable {
    struct Queued: Sendable {
        var message: IncomingMessage
        var expiresAt: ContinuousClock.Instant?
    }

    private struct State {
        var buffer: [Queued] = []
        var head = 0
        var waiters: [(id: UInt64, continuation: CheckedContinuation<[Queued], any Error>)] = []
        var nextWaiter: UInt64 = 0
        var expired = 0
    }

    let capacity: Int
    private let state = Mutex(State())

    init(capacity: Int) {
        self.capacity = capacity
    }

    var count: Int { state.withLock { $0.buffer.count - $0.head } }

    /// Messages discarded because their time to live passed.
    var expiredCount: Int { state.withLock { $0.expired } }

    /// Queues `message`, or hands it straight to a waiting subscriber; `false` when full.
    func offer(_ message: IncomingMessage, expiresAt: ContinuousClock.Instant? = nil) -> Bool {
        let queued = Queued(message: message, expiresAt: expiresAt)
        enum Outcome { case handOver(CheckedContinuation<[Queued], any Error>), queued, full }
        let outcome = state.withLock { state -> Outcome in
            if !state.waiters.isEmpty { return .handOver(state.waiters.removeFirst().continuation) }
            guard state.buffer.count - state.head < capacity else { return .full }
            state.buffer.append(queued)
            return .queued
        }
        switch outcome {
        case .handOver(let waiter):
            waiter.resume(returning: [queued])
            return true
        case .queued:
            return true
        case .full:
            return false
        }
    }

    /// Queues messages handed back by a subscriber: at the head (in their order) when they go
    /// back untouched, so the group's order holds; at the tail when they failed.
    func requeue(_ messages: [Queued], atHead: Bool) {
        guard !messages.isEmpty else { return }
        var rest = messages[...]
        let handed = state.withLock { state -> [(CheckedContinuation<[Queued], any Error>, Queued)] in
            var handed: [(CheckedContinuation<[Queued], any Error>, Queued)] = []
            while !state.waiters.isEmpty, let first = rest.first {
                handed.append((state.waiters.removeFirst().continuation, first))
                rest = rest.dropFirst()
            }
            if atHead {
                state.buffer.replaceSubrange(state.head..<state.head, with: rest)
            } else {
                state.buffer.append(contentsOf: rest)
            }
            return handed
        }
        for (waiter, queued) in handed { waiter.resume(returning: [queued]) }
    }

    /// Up to `limit` unexpired messages, waiting for at least one. Throws `CancellationError`
    /// when the calling task is cancelled while waiting.
    func take(limit: Int) async throws -> [Queued] {
        let id = state.withLock { state -> UInt64 in
            state.nextWaiter += 1
            return state.nextWaiter
        }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                enum Now { case ready([Queued]), cancelled, wait }
                let now = state.withLock { state -> Now in
                    let ready = Self.takeReady(&state, limit: limit, now: .now)
                    if !ready.isEmpty { return .ready(ready) }
                    if Task.isCancelled { return .cancelled }
                    state.waiters.append((id, continuation))
                    return .wait
                }
                switch now {
                case .ready(let messages): continuation.resume(returning: messages)
                case .cancelled: continuation.resume(throwing: CancellationError())
                case .wait: break
                }
            }
        } onCancel: {
            let waiter = state.withLock { state -> CheckedContinuation<[Queued], any Error>? in
                guard let index = state.waiters.firstIndex(where: { $0.id == id }) else { return nil }
                return state.waiters.remove(at: index).continuation
            }
            waiter?.resume(throwing: CancellationError())
        }
    }

    private static func takeReady(_ state: inout State, limit: Int, now: ContinuousClock.Instant) -> [Queued] {
        var taken: [Queued] = []
        while taken.count < limit, state.head < state.buffer.count {
            let queued = state.buffer[state.head]
            state.head += 1
            if let expiry = queued.expiresAt, expiry <= now {
                state.expired += 1
            } else {
                taken.append(queued)
            }
        }
        if state.head > 1024 && state.head * 2 > state.buffer.count {
            state.buffer.removeFirst(state.head)
            state.head = 0
        }
        return taken
    }
}
