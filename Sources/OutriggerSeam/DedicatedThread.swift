#if canImport(Glibc)
import Glibc
#endif
import Dispatch
import Synchronization

/// A thread of its own that runs submitted jobs one at a time, in submission order: where a C
/// client library's blocking calls run (a query, a fetch that waits for messages, a connect),
/// never on Swift's cooperative pool.
///
/// The queue is unbounded; each thread serves one owner (a connection) whose callers wait for
/// their jobs, so it holds only as many jobs as that owner has callers waiting. A busy thread
/// takes every queued job per wake-up; a sleeping one is signalled once.
public final class DedicatedThread: Sendable {
    private struct Queue {
        var jobs: [@Sendable () -> Void] = []
        var stopped = false
        /// The thread waits for a signal; only then does a submission signal it.
        var sleeping = false
    }

    private let queue = Mutex(Queue())
    /// Signalled when a job arrives for the sleeping thread, and by ``stop()``.
    private let wakeUp = DispatchSemaphore(value: 0)

    /// Starts the thread; `name` (its first 15 bytes) shows in debuggers and `top -H`.
    public init(name: String) {
        self.name = String(name.utf8.prefix(15)) ?? "outrigger"
        let retained = Unmanaged.passRetained(self).toOpaque()
        var thread = pthread_t()
        let created = pthread_create(&thread, nil, { argument in
            // The thread holds its object until its loop ends (after `stop()`).
            let owner = Unmanaged<DedicatedThread>.fromOpaque(argument!).takeRetainedValue()
            owner.nameThisThread()
            owner.runLoop()
            return nil
        }, retained)
        precondition(created == 0, "cannot start the thread '\(name)': error \(created)")
        pthread_detach(thread)
    }

    private let name: String

    /// `pthread_setname_np` is not visible from Swift's Glibc module; the kernel takes the name
    /// through the thread's own `comm` file as well.
    private func nameThisThread() {
        let fd = open("/proc/thread-self/comm", O_WRONLY)
        guard fd >= 0 else { return }
        _ = name.withCString { write(fd, $0, strlen($0)) }
        close(fd)
    }

    /// Queues `job`; `false` (and the job is dropped) once the thread was stopped.
    @discardableResult
    public func submit(_ job: @escaping @Sendable () -> Void) -> Bool {
        let (accepted, wake) = queue.withLock { queue -> (Bool, Bool) in
            guard !queue.stopped else { return (false, false) }
            queue.jobs.append(job)
            defer { queue.sleeping = false }
            return (true, queue.sleeping)
        }
        if wake { wakeUp.signal() }
        return accepted
    }

    /// Refuses further jobs; those already queued still run, then the thread ends.
    public func stop() {
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
