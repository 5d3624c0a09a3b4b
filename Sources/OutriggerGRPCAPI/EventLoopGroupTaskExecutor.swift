import NIOCore
import NIOPosix

/// A task executor that runs each job on an event loop of a SwiftNIO group: the loop whose
/// thread enqueued it when that is one of the group's loops, any of them otherwise.
///
/// The gRPC API serves under this preference (``GRPCAPIServer``). gRPC's transport wakes an
/// RPC's task from the event loop of its connection (a request's bytes arrived, a write was
/// flushed); with this executor the task then goes on running on that same thread, instead of
/// waking a thread of Swift's cooperative pool, which then hands the response back to the event
/// loop: two cross-thread handoffs per RPC fewer. Actors keep their own executors; a job resumed
/// from another thread (a broker client's callback) lands on some loop of the group.
///
/// Whatever runs under it must not block: it holds up every connection of its loop.
public final class EventLoopGroupTaskExecutor: TaskExecutor {
    /// The loops the jobs run on.
    public let group: MultiThreadedEventLoopGroup

    /// Runs jobs on the loops of `group` (the group the gRPC transport serves on).
    public init(_ group: MultiThreadedEventLoopGroup) {
        self.group = group
    }

    /// Runs `job` on the current thread's loop when it is one of `group`'s, else on the next loop.
    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let executor = asUnownedTaskExecutor()
        group.any().execute { job.runSynchronously(on: executor) }
    }
}
