#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Quick, blocking checks of an IPv4 TCP port: whether something accepts connections there
/// (the app port, a broker) or whether it could be bound (choosing free ports in tests).
public enum TCPPortCheck {
    /// True when a connection to `host:port` succeeds at once. `host` is an IPv4 address;
    /// `localhost` means 127.0.0.1.
    public static func accepts(host: String = "127.0.0.1", port: Int) -> Bool {
        withSocket(host: host, port: port) { fd, address, length in connect(fd, address, length) == 0 }
    }

    /// True when `host:port` can be bound right now.
    public static func isFree(host: String = "127.0.0.1", port: Int) -> Bool {
        withSocket(host: host, port: port) { fd, address, length in bind(fd, address, length) == 0 }
    }

    /// A port the kernel reports free now: `host:0` bound, its port read back, the socket closed.
    public static func freePort(host: String = "127.0.0.1") -> Int? {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr(host == "localhost" ? "127.0.0.1" : host)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0
            }
        }
        return bound ? Int(UInt16(bigEndian: address.sin_port)) : nil
    }

    private static func withSocket(host: String, port: Int, _ body: (Int32, UnsafePointer<sockaddr>, socklen_t) -> Bool) -> Bool {
        guard let portNumber = UInt16(exactly: port) else { return false }
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(portNumber.bigEndian)
        address.sin_addr.s_addr = inet_addr(host == "localhost" ? "127.0.0.1" : host)
        return withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                body(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
    }
}
