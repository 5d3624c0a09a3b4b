import NIOCore

/// A task executor that runs jobs on SwiftNIO event loops: on one loop when made with an
/// `EventLoop`, or, made with a group, on the loop whose thread enqueued the job when that is
/// one of the group's (else on any of them).
///
/// A task preferring the event loop of the connection it serves runs its non-isolated async
/// code on that loop's thread: the request, the work and the answer stay on one thread instead
/// of waking a cooperative-pool thread and then the event loop again (two cross-thread handoffs
/// per request). The HTTP publish fast path prefers its connection's loop; the gRPC API serves
/// every RPC under the transport's group. Actors with their own executors keep them; a job
/// resumed from another thread (a broker client's callback) comes back to a loop.
///
/// Whatever runs under it must not block: it holds up every connection of its loop. It is an
/// object: make one per connection or per server, not one per task.
public final class EventLoopTaskExecutor: TaskExecutor {
    /// The loop, or the group of loops, the jobs run on.
    public let loops: any EventLoopGroup

    public init(_ loops: any EventLoopGroup) {
        self.loops = loops
    }

    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let executor = asUnownedTaskExecutor()
        // `any()` is the loop itself for an `EventLoop`, and the calling thread's loop for a group.
        loops.any().execute { job.runSynchronously(on: executor) }
    }
}
