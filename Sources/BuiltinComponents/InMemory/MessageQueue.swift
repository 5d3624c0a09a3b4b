import OutriggerCore
import Synchronization

/// The messages of one topic for one consumer group, shared by that group's subscribers.
///
/// Each message goes to one subscriber of the group; a message handed back (nack) is queued
/// again for any subscriber of the group, so cancelling a subscriber loses nothing the group
/// still consumes. Bounded: ``offer(_:)`` refuses messages past `capacity`.
final class MessageQueue: Sendable {
    private struct State {
        var buffer: [IncomingMessage] = []
        var head = 0
        var waiters: [(consumer: UInt64, continuation: CheckedContinuation<IncomingMessage?, Never>)] = []
        var stopped: Set<UInt64> = []
    }

    let capacity: Int
    private let state = Mutex(State())

    init(capacity: Int) {
        self.capacity = capacity
    }

    var count: Int { state.withLock { $0.buffer.count - $0.head } }

    /// Queues `message`, or hands it straight to a waiting subscriber; `false` when full.
    func offer(_ message: IncomingMessage, force: Bool = false) -> Bool {
        enum Outcome { case handOver(CheckedContinuation<IncomingMessage?, Never>), queued, full }
        let outcome = state.withLock { state -> Outcome in
            if !state.waiters.isEmpty { return .handOver(state.waiters.removeFirst().continuation) }
            guard force || state.buffer.count - state.head < capacity else { return .full }
            state.buffer.append(message)
            return .queued
        }
        switch outcome {
        case .handOver(let waiter):
            waiter.resume(returning: message)
            return true
        case .queued:
            return true
        case .full:
            return false
        }
    }

    /// The next message for `consumer`, waiting for one; `nil` once ``stop(_:)`` was called for it.
    func take(_ consumer: UInt64) async -> IncomingMessage? {
        await withCheckedContinuation { continuation in
            let message = state.withLock { state -> IncomingMessage?? in
                if state.stopped.contains(consumer) { return .some(nil) }
                if state.head < state.buffer.count {
                    let message = state.buffer[state.head]
                    state.head += 1
                    if state.head > 1024 && state.head * 2 > state.buffer.count {
                        state.buffer.removeFirst(state.head)
                        state.head = 0
                    }
                    return .some(message)
                }
                state.waiters.append((consumer, continuation))
                return .none
            }
            if let message { continuation.resume(returning: message) }
        }
    }

    /// Ends `consumer`'s wait, if it waits.
    func stop(_ consumer: UInt64) {
        let waiter = state.withLock { state -> CheckedContinuation<IncomingMessage?, Never>? in
            state.stopped.insert(consumer)
            guard let index = state.waiters.firstIndex(where: { $0.consumer == consumer }) else { return nil }
            return state.waiters.remove(at: index).continuation
        }
        waiter?.resume(returning: nil)
    }
}
