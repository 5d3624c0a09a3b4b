import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A one-shot protocol check of a local server: connect, send a greeting, read the first byte
/// of the answer. Runs on a thread of its own (the socket calls block, up to 2 s each), never
/// on the task pool.
enum ProtocolProbe {
    /// The first byte `127.0.0.1:port` answers to `greeting`, or nil (no connection, no answer).
    static func firstByte(port: Int, sending greeting: [UInt8]) async -> UInt8? {
        await withCheckedContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(returning: probe(port: port, greeting: greeting))
            }
        }
    }

    private static func probe(port: Int, greeting: [UInt8]) -> UInt8? {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var timeout = timeval(tv_sec: 2, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
        guard connected, send(fd, greeting, greeting.count, 0) == greeting.count else { return nil }
        var byte: UInt8 = 0
        return recv(fd, &byte, 1, 0) == 1 ? byte : nil
    }
}
