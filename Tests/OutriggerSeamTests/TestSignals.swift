import OutriggerTesting
import Synchronization

/// How long a test waits for an event before failing; generous, since a passing test never
/// waits this long. 60 s: in make test's first pass ~1,000 tests share the process's two
/// cooperative threads, and a 20-message driver run once waited past 10 s there.
let eventDeadline: Duration = .seconds(60)

/// Values the code under test reports, received by the test in the order sent.
///
/// `receive` honours cancellation, so it fails at its deadline instead of hanging when a bug
/// means the value never comes.
final class Mailbox<Value: Sendable>: Sendable {
    private struct State {
        var unread: [Value] = []
        var all: [Value] = []
        var receiver: (id: UInt64, continuation: CheckedContinuation<Value, any Error>)?
        var nextID: UInt64 = 0
    }

    private enum Arrival { case value(Value), cancelled, wait }

    private let state = Mutex(State())

    init() {}

    func send(_ value: Value) {
        let receiver = state.withLock { state -> CheckedContinuation<Value, any Error>? in
            state.all.append(value)
            guard let receiver = state.receiver else {
                state.unread.append(value)
                return nil
            }
            state.receiver = nil
            return receiver.continuation
        }
        receiver?.resume(returning: value)
    }

    /// Everything sent so far, received or not.
    var sent: [Value] { state.withLock { $0.all } }

    /// Values sent and not received yet.
    var unread: [Value] { state.withLock { $0.unread } }

    /// The next value; throws `DeadlineExceeded` naming `what` when none comes in time.
    func receive(_ what: String, within limit: Duration = eventDeadline) async throws -> Value {
        try await withDeadline(limit, what) { try await self.next() }
    }

    /// The next `count` values.
    func receive(_ count: Int, _ what: String) async throws -> [Value] {
        var values: [Value] = []
        for _ in 0..<count { values.append(try await receive(what)) }
        return values
    }

    private func next() async throws -> Value {
        let id = state.withLock { state -> UInt64 in
            state.nextID += 1
            return state.nextID
        }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Value, any Error>) in
                let now = state.withLock { state -> Arrival in
                    if !state.unread.isEmpty { return .value(state.unread.removeFirst()) }
                    if Task.isCancelled { return .cancelled }
                    state.receiver = (id, continuation)
                    return .wait
                }
                switch now {
                case .value(let value): continuation.resume(returning: value)
                case .cancelled: continuation.resume(throwing: CancellationError())
                case .wait: break
                }
            }
        } onCancel: {
            let receiver = state.withLock { state -> CheckedContinuation<Value, any Error>? in
                guard let receiver = state.receiver, receiver.id == id else { return nil }
                state.receiver = nil
                return receiver.continuation
            }
            receiver?.resume(throwing: CancellationError())
        }
    }
}

/// A door the code under test waits at until the test opens it; once open it stays open. A
/// waiter that is cancelled stops waiting with `CancellationError`.
final class Gate: Sendable {
    private struct State {
        var isOpen = false
        var waiters: [UInt64: CheckedContinuation<Void, any Error>] = [:]
        var nextID: UInt64 = 0
    }

    private let state = Mutex(State())

    init(open: Bool = false) {
        state.withLock { $0.isOpen = open }
    }

    func open() {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, any Error>] in
            state.isOpen = true
            defer { state.waiters = [:] }
            return Array(state.waiters.values)
        }
        for waiter in waiters { waiter.resume() }
    }

    func wait() async throws {
        let id = state.withLock { state -> UInt64 in
            state.nextID += 1
            return state.nextID
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                enum Now { case open, cancelled, wait }
                let now = state.withLock { state -> Now in
                    if state.isOpen { return .open }
                    if Task.isCancelled { return .cancelled }
                    state.waiters[id] = continuation
                    return .wait
                }
                switch now {
                case .open: continuation.resume()
                case .cancelled: continuation.resume(throwing: CancellationError())
                case .wait: break
                }
            }
        } onCancel: {
            state.withLock { $0.waiters.removeValue(forKey: id) }?.resume(throwing: CancellationError())
        }
    }
}

/// Awaits `body`, which may ignore cancellation (such as `ConsumerDriver.finish()`), failing
/// with `DeadlineExceeded` instead of hanging when it does not return in time. `body` keeps
/// running in the background after a failure.
func completes<T: Sendable>(
    _ what: String, within limit: Duration = eventDeadline, _ body: @escaping @Sendable () async throws -> T
) async throws -> T {
    let outcome = Mailbox<Result<T, any Error>>()
    Task {
        do { outcome.send(.success(try await body())) } catch { outcome.send(.failure(error)) }
    }
    return try await outcome.receive(what, within: limit).get()
}
