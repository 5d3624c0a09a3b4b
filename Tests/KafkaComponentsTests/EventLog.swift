import Synchronization

/// What the tests' handlers saw, in one global order: `(receiver, event, payload, partition)`.
final class EventLog: Sendable {
    struct Entry: Sendable {
        var receiver: String
        var event: String
        var payload: String
        var partition: String
    }

    private let entries = Mutex<[Entry]>([])

    func record(_ receiver: String, _ event: String, _ payload: String, partition: String = "") {
        entries.withLock { $0.append(Entry(receiver: receiver, event: event, payload: payload, partition: partition)) }
    }

    var snapshot: [Entry] { entries.withLock { $0 } }

    func payloads(_ receiver: String? = nil, event: String) -> Set<String> {
        Set(snapshot.filter { ($0.receiver == receiver || receiver == nil) && $0.event == event }.map(\.payload))
    }

    /// Polls `condition` until it holds; the wait ends with the test's deadline.
    func wait(until condition: @Sendable (EventLog) -> Bool) async throws {
        while !condition(self) {
            try await Task.sleep(for: .milliseconds(20))
        }
    }
}

/// A gate handlers wait at until the test opens it.
final class TestGate: Sendable {
    private let state = Mutex<(open: Bool, waiters: [CheckedContinuation<Void, Never>])>((false, []))

    func wait() async {
        await withCheckedContinuation { continuation in
            let open = state.withLock { state -> Bool in
                if !state.open { state.waiters.append(continuation) }
                return state.open
            }
            if open { continuation.resume() }
        }
    }

    func open() {
        let waiters = state.withLock { state in
            state.open = true
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }
}
