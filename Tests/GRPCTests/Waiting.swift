import OutriggerTesting
import Synchronization

/// A broken precondition of the harness (missing binary, sidecar that exited...).
struct HarnessFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// A value the tests watch: ``wait(for:_:until:)`` is resumed by the change that makes its
/// condition true, so nothing sleeps to synchronise.
final class Watched<Value: Sendable>: Sendable {
    private struct Waiter {
        var condition: @Sendable (Value) -> Bool
        var continuation: CheckedContinuation<Value, any Error>
    }

    private struct State {
        var value: Value
        var waiters: [UInt64: Waiter] = [:]
        var cancelled: Set<UInt64> = []
        var nextID: UInt64 = 0
    }

    private let state: Mutex<State>

    init(_ value: Value) {
        state = Mutex(State(value: value))
    }

    var value: Value { state.withLock { $0.value } }

    /// Changes the value and resumes the waiters whose condition now holds.
    func update(_ change: (inout Value) -> Void) {
        let ready = state.withLock { state -> [(CheckedContinuation<Value, any Error>, Value)] in
            change(&state.value)
            var ready: [(CheckedContinuation<Value, any Error>, Value)] = []
            for (id, waiter) in state.waiters where waiter.condition(state.value) {
                ready.append((waiter.continuation, state.value))
                state.waiters[id] = nil
            }
            return ready
        }
        for (continuation, value) in ready { continuation.resume(returning: value) }
    }

    /// Waits at most `limit` until `condition` holds; returns the value that satisfied it.
    @discardableResult
    func wait(for limit: Duration, _ what: String, until condition: @escaping @Sendable (Value) -> Bool) async throws -> Value {
        try await withDeadline(limit, what) { try await self.wait(until: condition) }
    }

    private func wait(until condition: @escaping @Sendable (Value) -> Bool) async throws -> Value {
        let id = state.withLock { state -> UInt64 in
            state.nextID += 1
            return state.nextID
        }
        defer { _ = state.withLock { $0.cancelled.remove(id) } }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Value, any Error>) in
                let now = state.withLock { state -> Result<Value, any Error>? in
                    if state.cancelled.contains(id) { return .failure(CancellationError()) }
                    if condition(state.value) { return .success(state.value) }
                    state.waiters[id] = Waiter(condition: condition, continuation: continuation)
                    return nil
                }
                if let now { continuation.resume(with: now) }
            }
        } onCancel: {
            let waiter = state.withLock { state -> Waiter? in
                if let waiter = state.waiters.removeValue(forKey: id) { return waiter }
                state.cancelled.insert(id)
                return nil
            }
            waiter?.continuation.resume(throwing: CancellationError())
        }
    }
}
