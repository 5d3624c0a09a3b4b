import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A listener that never accepts, with its queue of one (backlog 0) taken by a connection of
/// its own: the kernel drops further connection attempts, which then hang in SYN retries as
/// they would behind a firewall that drops them.
public final class FullBacklogListener {
    public let port: Int
    private let listener: Int32
    private let queued: Int32

    public init() throws {
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        let queued = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ready = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(listener, $0, length) == 0 && listen(listener, 0) == 0 && getsockname(listener, $0, &length) == 0
                    && connect(queued, $0, length) == 0
            }
        }
        guard ready else {
            Glibc.close(listener)
            Glibc.close(queued)
            throw POSIXError(.EADDRNOTAVAIL)
        }
        self.listener = listener
        self.queued = queued
        port = Int(UInt16(bigEndian: address.sin_port))
    }

    public func close() {
        Glibc.close(queued)
        Glibc.close(listener)
    }
}
