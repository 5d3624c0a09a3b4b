import Foundation
import Synchronization

/// TCP ports on 127.0.0.1 for the sidecars tests start.
///
/// An allocator hands out ports from a range below the kernel's ephemeral range (32768+), so a
/// port cannot be taken meanwhile by an outgoing connection; each test process starts in its own
/// slot of the range (chosen by pid) so concurrent runs rarely meet, and each candidate is
/// checked free by binding it.
public final class LoopbackPortAllocator: Sendable {
    private let range: Range<Int>
    private let next: Mutex<Int>

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
            if Self.isFree(port) { return port }
        }
    }

    /// Whether `port` can be bound on 127.0.0.1 right now.
    public static func isFree(_ port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
    }
}
