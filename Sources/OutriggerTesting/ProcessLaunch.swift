import Foundation
import Synchronization

/// Launches children and makes pipes one at a time across the test process.
///
/// Foundation's `Process.run()` on Linux closes the parent's descriptors in the child one by
/// one, up to the highest open when it looked, and learns of the child's exit from a socket
/// pair the child inherits: the exit is seen when every copy of that socket is closed. Its
/// socket pair and a `Pipe` are made without close-on-exec, so one made by another test
/// between that look and the spawn leaks into this child: the other child's exit then goes
/// unseen, and the other pipe's reader gets no end of file, until this child exits (seen in
/// CI: a sidecar that had logged "outrigger stopped" stayed an unreaped zombie for 40 s).
/// Every launch and pipe of the tests goes through here, so none is made during a launch.
public enum ProcessLaunch {
    private static let lock = Mutex(())

    /// Starts `process`, as `process.run()`.
    public static func run(_ process: Process) throws {
        try lock.withLock { _ in try process.run() }
    }

    /// A new pipe, not made while a launch is under way.
    public static func pipe() -> Pipe {
        lock.withLock { _ in Pipe() }
    }
}
