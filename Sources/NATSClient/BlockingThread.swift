import Dispatch
import Foundation
import Synchronization

/// A thread of its own that runs submitted jobs one at a time, in submission order.
///
/// Every libnats call that can block (connecting, a JetStream API request, a fetch that waits
/// for messages, a publish that waits for room in the outgoing buffer) runs on one of these,
/// never on Swift's cooperative pool. Callers await the result through ``run(_:)``. The queue
/// is unbounded, but each thread serves one owner whose callers await their jobs, so it holds
/// only as many jobs as that owner has callers waiting.
final class BlockingThread: Sendable {
    private struct Queue {
        var jobs: [@Sendable () -> Void] = []
        var stopped = false
        /// The thread waits for a signal; only then does a submission signal it, so a busy
        /// thread takes many jobs per wake-up instead of one.
        var sleeping = false
    }

    private let queue = Mutex(Queue())
    /// Signalled when a job arrives for the sleeping thread, and by ``stop()``.
    private let wakeUp = DispatchSemaphore(value: 0)

    /// Starts the thread; `name` shows in debuggers and `top -H`.
    init(name: String) {
        let thread = Thread { [self] in runLoop() }
        thread.name = name
        thread.start()
    }

    /// Queues `job`; `false` (and the job is dropped) once the thread was stopped.
    @discardableResult
    func submit(_ job: @escaping @Sendable () -> Void) -> Bool {
        let (accepted, wake) = queue.withLock { queue -> (Bool, Bool) in
            guard !queue.stopped else { return (false, false) }
            queue.jobs.append(job)
            defer { queue.sleeping = false }
            return (true, queue.sleeping)
        }
        if wake { wakeUp.signal() }
        return accepted
    }

    /// Runs `body` on the thread and returns its result; throws ``NATSError/closed`` when the
    /// thread was stopped before the job could be queued.
    func run<T: Sendable>(_ body: @escaping @Sendable () throws(NATSError) -> T) async throws(NATSError) -> T {
        let result: Result<T, NATSError> = await withCheckedContinuation { continuation in
            let accepted = submit {
                do throws(NATSError) {
                    continuation.resume(returning: .success(try body()))
                } catch {
                    continuation.resume(returning: .failure(error))
                }
            }
            if !accepted { continuation.resume(returning: .failure(.closed)) }
        }
        return try result.get()
    }

    /// Refuses further jobs; those already queued still run, then the thread ends.
    func stop() {
        let wake = queue.withLock { queue -> Bool in
            defer {
                queue.stopped = true
                queue.sleeping = false
            }
            return !queue.stopped && queue.sleeping
        }
        if wake { wakeUp.signal() }
    }

    private func runLoop() {
        while true {
            let (jobs, stopped) = queue.withLock { queue -> ([@Sendable () -> Void], Bool) in
                defer { queue.jobs = [] }
                if queue.jobs.isEmpty && !queue.stopped { queue.sleeping = true }
                return (queue.jobs, queue.stopped)
            }
            for job in jobs { job() }
            if jobs.isEmpty {
                // Jobs queued before the stop have run; nothing is queued after it.
                if stopped { return }
                wakeUp.wait()
            }
        }
    }
}
