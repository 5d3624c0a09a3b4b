import CRabbitMQ
import Foundation
import Synchronization

/// The thread of its own that one ``AMQPConnection`` runs on: rabbitmq-c is blocking and not
/// thread-safe per connection, so every call into it for that connection happens here, never
/// on Swift's cooperative pool.
///
/// Jobs submitted from any thread run in submission order; between jobs the thread reads what
/// the broker sent, and when there is nothing to do it sleeps in `poll(2)` on the broker's
/// socket and an `eventfd` that ``submit(_:)`` signals.
final class AMQPIOThread: Sendable {
    typealias Job = @Sendable (AMQPSession) -> Void

    private struct Queue {
        var jobs: [Job] = []
        var stopped = false
        /// The thread is in (or about to enter) `poll`: only then does a submit signal the
        /// eventfd, which saves a system call per job under load.
        var sleeping = false
    }

    private let queue = Mutex(Queue())
    private let wakeDescriptor: Int32

    /// Starts the thread, which runs `session`'s loop until ``stop()``.
    init(name: String, session: AMQPSession) {
        wakeDescriptor = eventfd(0, Int32(EFD_NONBLOCK | EFD_CLOEXEC))
        let thread = Thread { [self] in session.run(on: self) }
        thread.name = name
        thread.start()
    }

    deinit { close(wakeDescriptor) }

    /// Queues `job`; `false` (the job is dropped) once the thread stopped.
    @discardableResult
    func submit(_ job: @escaping Job) -> Bool {
        let (accepted, sleeping) = queue.withLock { queue -> (Bool, Bool) in
            guard !queue.stopped else { return (false, false) }
            queue.jobs.append(job)
            defer { queue.sleeping = false }
            return (true, queue.sleeping)
        }
        if sleeping { wake() }
        return accepted
    }

    /// Refuses further jobs; the loop ends once it has run those already queued.
    func stop() {
        queue.withLock { $0.stopped = true }
        wake()
    }

    /// The queued jobs, and whether the thread was asked to stop.
    func takeJobs() -> (jobs: [Job], stopped: Bool) {
        queue.withLock { queue in
            defer { queue.jobs.removeAll(keepingCapacity: true) }
            return (queue.jobs, queue.stopped)
        }
    }

    /// Sleeps until a job arrives, `socket` becomes readable, or `timeout` passes.
    func waitForWork(socket: Int32, timeoutMilliseconds: Int32) {
        let pending = queue.withLock { queue in
            let pending = !queue.jobs.isEmpty || queue.stopped
            queue.sleeping = !pending
            return pending
        }
        if pending { return }
        var descriptors = [pollfd(fd: wakeDescriptor, events: Int16(POLLIN), revents: 0)]
        if socket >= 0 { descriptors.append(pollfd(fd: socket, events: Int16(POLLIN), revents: 0)) }
        _ = poll(&descriptors, nfds_t(descriptors.count), timeoutMilliseconds)
        queue.withLock { $0.sleeping = false }
        if descriptors[0].revents != 0 {
            var counter: UInt64 = 0
            _ = read(wakeDescriptor, &counter, 8)
        }
    }

    private func wake() {
        var one: UInt64 = 1
        _ = write(wakeDescriptor, &one, 8)
    }
}
