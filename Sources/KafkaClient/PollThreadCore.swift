import Foundation
import Synchronization

/// A librdkafka handle with the dedicated thread that polls it: the thread runs until
/// ``requestClose()``, then frees the handle itself, and ``waitUntilFinished()`` returns.
/// The thread keeps this object (not its owner) alive, so an owner that is dropped without
/// closing still ends the thread from its `deinit`.
final class PollThreadCore: Sendable {
    let handle: RDKafkaHandle
    private let closing = Atomic<Bool>(false)
    /// Calls into the handle from other threads under way; the handle is freed only at zero.
    private let users = Mutex<(closed: Bool, count: Int)>((false, 0))
    private let finished = Mutex<(done: Bool, waiters: [CheckedContinuation<Void, Never>])>((false, []))
    /// Called after a close request to wake the thread from a blocking poll.
    let wake: Mutex<(@Sendable () -> Void)?> = Mutex(nil)

    init(handle: RDKafkaHandle) {
        self.handle = handle
    }

    var isClosing: Bool { closing.load(ordering: .acquiring) }

    /// Starts the thread running `body`, which must return once ``isClosing`` is true and
    /// must free the handle before it returns.
    func start(name: String, _ body: @escaping @Sendable (PollThreadCore) -> Void) {
        let thread = Thread { [self] in
            body(self)
            let waiters = finished.withLock { state in
                state.done = true
                defer { state.waiters = [] }
                return state.waiters
            }
            for waiter in waiters { waiter.resume() }
        }
        thread.name = name
        thread.start()
    }

    /// Runs `body` with the handle unless it is closing; `nil` when it is.
    func withOpenHandle<T>(_ body: (RDKafkaHandle) -> T) -> T? {
        let open = users.withLock { users -> Bool in
            guard !users.closed else { return false }
            users.count += 1
            return true
        }
        guard open else { return nil }
        defer { users.withLock { $0.count -= 1 } }
        return body(handle)
    }

    /// On the poll thread, before freeing the handle: no new caller gets in, and the ones
    /// inside (short librdkafka calls; a metadata request at most its timeout) are waited for.
    func shutOut() {
        users.withLock { $0.closed = true }
        while users.withLock({ $0.count }) > 0 { usleep(100) }
    }

    func requestClose() {
        closing.store(true, ordering: .releasing)
        wake.withLock { $0 }?()
    }

    func waitUntilFinished() async {
        await withCheckedContinuation { continuation in
            let done = finished.withLock { state -> Bool in
                if !state.done { state.waiters.append(continuation) }
                return state.done
            }
            if done { continuation.resume() }
        }
    }
}
