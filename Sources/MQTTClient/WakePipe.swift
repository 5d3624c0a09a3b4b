#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// A non-blocking pipe that wakes a thread sleeping in `poll`: other threads queue packets on
/// a libmosquitto handle and call ``signal()`` so the loop thread writes them at once.
///
/// A signal writes only while the loop thread may be asleep: between ``mayWait()`` (before the
/// thread looks at what is queued) and ``woke()`` (after `poll` returned), and once in that
/// window. Packets queued while the thread is busy reading are found by its next look, so
/// under load they cost no system call and no wake-up each.
final class WakePipe: Sendable {
    let readFD: Int32
    private let writeFD: Int32
    /// The loop thread may be (about to be) asleep and nobody has signalled it yet.
    private let waiting = Atomic(false)

    init() {
        var fds: [Int32] = [-1, -1]
        if pipe(&fds) == 0 {
            for fd in fds {
                _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
                _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
            }
        } else {
            fds = [-1, -1]
        }
        readFD = fds[0]
        writeFD = fds[1]
    }

    deinit {
        if readFD >= 0 { close(readFD) }
        if writeFD >= 0 { close(writeFD) }
    }

    /// Wakes the loop thread if it may be asleep; called after the work was queued.
    func signal() {
        guard waiting.exchange(false, ordering: .sequentiallyConsistent) else { return }
        var byte: UInt8 = 1
        _ = write(writeFD, &byte, 1)
    }

    /// The loop thread, before it looks at what is queued and then sleeps: work queued after
    /// this point signals, work queued before it is seen by that look.
    func mayWait() {
        waiting.store(true, ordering: .sequentiallyConsistent)
    }

    /// The loop thread, once `poll` returned: until the next ``mayWait()`` it looks at the
    /// queue again by itself.
    func woke() {
        waiting.store(false, ordering: .sequentiallyConsistent)
    }

    /// Empties the pipe (called by the loop thread after `poll` saw it readable).
    func drain() {
        var buffer = [UInt8](repeating: 0, count: 64)
        while read(readFD, &buffer, buffer.count) > 0 {}
    }
}
