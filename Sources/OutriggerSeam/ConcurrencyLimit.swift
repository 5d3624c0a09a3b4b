import Synchronization

/// An async counting semaphore: at most `limit` holders at once; the rest wait in FIFO order.
///
/// Components use it to stop pulling from the broker when a subscription has `maxConcurrency`
/// handlers running (back-pressure instead of an unbounded buffer); the pipeline uses it for
/// `--app-max-concurrency`. Waiting is cancellable.
public final class ConcurrencyLimit: Sendable {
    private struct State {
        var available: Int
        var waiters: [(id: UInt64, continuation: CheckedContinuation<Void, any Error>)] = []
        var nextID: UInt64 = 0
    }

    public let limit: Int
    private let state: Mutex<State>

    public init(_ limit: Int) {
        precondition(limit > 0, "a concurrency limit must be positive")
        self.limit = limit
        self.state = Mutex(State(available: limit))
    }

    /// Holders right now.
    public var inUse: Int { state.withLock { limit - $0.available } }

    /// Waits for a slot; throws `CancellationError` if the task is cancelled while waiting.
    public func acquire() async throws {
        let id: UInt64? = state.withLock { state in
            if state.available > 0 {
                state.available -= 1
                return nil
            }
            state.nextID += 1
            return state.nextID
        }
        guard let id else { return }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let cancelled = state.withLock { state -> Bool in
                    if Task.isCancelled { return true }
                    if state.available > 0 {
                        state.available -= 1
                        continuation.resume()
                        return false
                    }
                    state.waiters.append((id, continuation))
                    return false
                }
                if cancelled { continuation.resume(throwing: CancellationError()) }
            }
        } onCancel: {
            let waiter = state.withLock { state -> CheckedContinuation<Void, any Error>? in
                guard let index = state.waiters.firstIndex(where: { $0.id == id }) else { return nil }
                return state.waiters.remove(at: index).continuation
            }
            waiter?.resume(throwing: CancellationError())
        }
    }

    /// Gives a slot back, waking the longest waiter.
    public func release() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, any Error>? in
            if state.waiters.isEmpty {
                state.available += 1
                return nil
            }
            return state.waiters.removeFirst().continuation
        }
        waiter?.resume()
    }

    /// Runs `body` holding a slot.
    public func withSlot<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        try await acquire()
        defer { release() }
        return try await body()
    }
}
