#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import OutriggerCore
import Synchronization

/// TCP ports on 127.0.0.1 for the sidecars tests start.
///
/// An allocator hands out ports from a range below the kernel's ephemeral range (32768+), so a
/// port cannot be taken meanwhile by an outgoing connection; each test process starts in its own
/// slot of the range (chosen by pid) so concurrent runs rarely meet, and each candidate is
/// checked free by binding it. No two allocators of one process hand out the same port: the
/// test targets run in one process, and two allocators over one range started from the same
/// pid-chosen slot once gave a private broker the port a sidecar test had just been given.
public final class LoopbackPortAllocator: Sendable {
    private let range: Range<Int>
    private let next: Mutex<Int>
    /// Every port handed out in this process, by any allocator.
    private static let handedOut = Mutex(Set<Int>())

    public init(range: Range<Int>, slotSize: Int = 400) {
        self.range = range
        let slots = max(range.count / slotSize, 1)
        self.next = Mutex(range.lowerBound + Int(getpid()) % slots * slotSize)
    }

    /// A port that was free a moment ago.
    public func allocate() -> Int {
        while true {
            let port = next.withLock { next -> Int in
                defer { next = next + 1 >= range.upperBound ? range.lowerBound : next + 1 }
                return next
            }
            guard Self.handedOut.withLock({ $0.insert(port).inserted }) else { continue }
            if TCPPortCheck.isFree(port: port) { return port }
        }
    }
}
