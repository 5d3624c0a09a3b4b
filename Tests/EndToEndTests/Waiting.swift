import OutriggerTesting
import Synchronization

/// A problem in the test harness itself (missing binary, app that cannot listen...).
struct HarnessError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Calls `probe` every `interval` until it returns a value, for at most `limit`. Used only for
/// state the sidecar exposes by polling (health and metadata endpoints).
@discardableResult
func poll<T: Sendable>(
    every interval: Duration = .milliseconds(25), for limit: Duration, _ what: String,
    _ probe: @escaping @Sendable () async throws -> T?
) async throws -> T {
    try await withDeadline(limit, what) {
        while true {
            if let value = try await probe() { return value }
            try await Task.sleep(for: interval)
        }
    }
}

/// A value that changes over time, with waits for a condition on it. Waiters are resumed by the
/// update that makes their condition true: nothing sleeps to synchronise.
final class Observed<Value: Sendable>: Sendable {
    private struct Waiter: Sendable {
        var condition: @Sendable (Value) -> Bool
        var continuation: CheckedContinuation<Value, any Error>
    }

    private struct Storage: Sendable {
        var value: Value
        var waiters: [UInt64: Waiter] = [:]
        var nextID: UInt64 = 0
        var cancelled: Set<UInt64> = []
    }

    private let storage: Mutex<Storage>

    init(_ value: Value) {
        storage = Mutex(Storage(value: value))
    }

    var value: Value { storage.withLock { $0.value } }

    /// Changes the value and wakes the waiters whose condition now holds.
    func update<R: Sendable>(_ change: (inout Value) -> R) -> R {
        let (result, ready) = storage.withLock { storage -> (R, [(CheckedContinuation<Value, any Error>, Value)]) in
            let result = change(&storage.value)
            var ready: [(CheckedContinuation<Value, any Error>, Value)] = []
            for (id, waiter) in storage.waiters where waiter.condition(storage.value) {
                ready.append((waiter.continuation, storage.value))
                storage.waiters[id] = nil
            }
            return (result, ready)
        }
        for (continuation, value) in ready { continuation.resume(returning: value) }
        return result
    }

    func set(_ newValue: Value) {
        update { $0 = newValue }
    }

    /// Waits, without a deadline, until `condition` holds; throws `CancellationError` when cancelled.
    func wait(until condition: @escaping @Sendable (Value) -> Bool) async throws -> Value {
        let id = storage.withLock { storage -> UInt64 in
            storage.nextID += 1
            return storage.nextID
        }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Value, any Error>) in
                let immediate = storage.withLock { storage -> Result<Value, any Error>? in
                    if storage.cancelled.remove(id) != nil { return .failure(CancellationError()) }
                    if condition(storage.value) { return .success(storage.value) }
                    storage.waiters[id] = Waiter(condition: condition, continuation: continuation)
                    return nil
                }
                if let immediate { continuation.resume(with: immediate) }
            }
        } onCancel: {
            let waiter = storage.withLock { storage -> Waiter? in
                if let waiter = storage.waiters.removeValue(forKey: id) { return waiter }
                storage.cancelled.insert(id)
                return nil
            }
            waiter?.continuation.resume(throwing: CancellationError())
        }
    }

    /// Waits at most `limit` until `condition` holds.
    func wait(
        for limit: Duration, _ what: String, until condition: @escaping @Sendable (Value) -> Bool
    ) async throws -> Value {
        try await withDeadline(limit, what) { try await self.wait(until: condition) }
    }
}
