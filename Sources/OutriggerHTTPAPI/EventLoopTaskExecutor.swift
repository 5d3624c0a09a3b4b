import NIOCore

/// A task executor that runs jobs on one SwiftNIO event loop.
///
/// A task started with `Task(executorPreference:)` on the event loop of the connection it
/// answers runs its non-isolated async code on that loop's thread: the request, the publish and
/// the response stay on one thread instead of waking a cooperative-pool thread and then the event
/// loop again (two cross-thread handoffs per request). Work that hops elsewhere (an actor with
/// its own executor, a component's own thread resuming a continuation) comes back here.
/// Make one per connection (or per loop), not one per task: it is an object.
public final class EventLoopTaskExecutor: TaskExecutor {
    /// The loop the jobs run on.
    public let eventLoop: any EventLoop

    public init(_ eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let executor = asUnownedTaskExecutor()
        eventLoop.execute { job.runSynchronously(on: executor) }
    }
}
