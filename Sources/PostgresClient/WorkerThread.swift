import Dispatch
import Foundation
import Synchronization

/// A thread of its own that runs submitted jobs one at a time, in submission order.
///
/// Every blocking libpq call of one connection runs here, so a slow query occupies this
/// thread and never one of Swift's cooperative pool. The queue is unbounded, but a pooled
/// connection is leased to one caller at a time, so it holds at most a couple of jobs.
final class WorkerThread: Sendable {
    private struct Queue {
        var jobs: [@Sendable () -> Void] = []
        var stopped = false
    }

    private let queue = Mutex(Queue())
    /// Signalled once per submitted job and once by ``stop()``.
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
        let accepted = queue.withLock { queue in
            guard !queue.stopped else { return false }
            queue.jobs.append(job)
            return true
        }
        if accepted { wakeUp.signal() }
        return accepted
    }

    /// Refuses further jobs; those already queued still run, then the thread ends.
    func stop() {
        let first = queue.withLock { queue in
            defer { queue.stopped = true }
            return !queue.stopped
        }
        if first { wakeUp.signal() }
    }

    private func runLoop() {
        while true {
            wakeUp.wait()
            let job = queue.withLock { queue in queue.jobs.isEmpty ? nil : queue.jobs.removeFirst() }
            // Every job has its own signal, so an empty queue on waking is the stop signal.
            guard let job else { return }
            job()
        }
    }
}
