import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A plain TCP connection to 127.0.0.1 for clients no HTTP library would be: bytes sent a few at
/// a time, bodies cut short, garbage instead of a protocol. Non-blocking after connect, so a
/// read never holds a thread of the test process's small pool.
final class RawConnection: @unchecked Sendable {
    // @unchecked: each test uses its connection from one task at a time.
    private var descriptor: Int32

    /// Connects (blocking, loopback: immediate) to `port`.
    init(port: Int) throws {
        descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw HarnessError("socket() failed: errno \(errno)") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            let code = errno
            _ = Glibc.close(descriptor)
            throw HarnessError("connect to port \(port) failed: errno \(code)")
        }
        _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) | O_NONBLOCK)
    }

    deinit { close() }

    /// Sends all of `bytes`; false once the peer has closed the connection.
    @discardableResult
    func send(_ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes { Glibc.send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if sent > 0 {
                offset += sent
            } else if errno != EAGAIN && errno != EWOULDBLOCK {
                return false
            }
        }
        return true
    }

    @discardableResult
    func send(_ text: String) -> Bool { send(Array(text.utf8)) }

    /// What arrived so far without waiting, and whether the peer has closed its side.
    func drain() -> (bytes: [UInt8], closed: Bool) {
        var received: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = chunk.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            if count > 0 {
                received += chunk[..<count]
            } else if count == 0 {
                return (received, true)
            } else {
                return (received, errno != EAGAIN && errno != EWOULDBLOCK)
            }
        }
    }

    /// Waits (polling) until the sidecar closes the connection; returns everything it sent.
    @discardableResult
    func waitUntilClosed(within limit: Duration, _ what: String) async throws -> [UInt8] {
        let received = Observed<[UInt8]>([])
        try await poll(every: .milliseconds(50), for: limit, what) { [self] () -> Bool? in
            let (bytes, closed) = drain()
            received.update { $0 += bytes }
            return closed ? true : nil
        }
        return received.value
    }

    /// Waits (polling) until at least `count` bytes arrived; returns them.
    func read(atLeast count: Int, within limit: Duration, _ what: String) async throws -> [UInt8] {
        try await read(within: limit, what) { $0.count >= count }
    }

    /// Waits (polling) until what arrived so far satisfies `done`; returns it.
    func read(within limit: Duration, _ what: String, until done: @escaping @Sendable ([UInt8]) -> Bool) async throws -> [UInt8] {
        let received = Observed<[UInt8]>([])
        return try await poll(every: .milliseconds(20), for: limit, what) { [self] () -> [UInt8]? in
            let (bytes, _) = drain()
            return received.update { all -> [UInt8]? in
                all += bytes
                return done(all) ? all : nil
            }
        }
    }

    /// The status lines of the HTTP/1.1 responses in `bytes`, in order (a response follows the
    /// previous body directly, not on a line of its own).
    static func statusLines(_ bytes: [UInt8]) -> [String] {
        String(decoding: bytes, as: UTF8.self).components(separatedBy: "HTTP/1.1 ").dropFirst()
            .map { "HTTP/1.1 " + ($0.components(separatedBy: "\r\n").first ?? "") }
    }

    func close() {
        if descriptor >= 0 { _ = Glibc.close(descriptor) }
        descriptor = -1
    }
}

extension SidecarProcess {
    /// Sends `method path` with `body` exactly as written, bytes an HTTP library would re-encode
    /// or refuse; returns the status and the body of the answer.
    func rawRequest(_ method: String, _ path: String, body: [UInt8] = []) async throws -> (status: Int, body: String) {
        let connection = try RawConnection(port: httpPort)
        connection.send("\(method) \(path) HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: \(body.count)\r\n\r\n")
        connection.send(body)
        let answer = String(decoding: try await connection.waitUntilClosed(within: .seconds(60), "an answer to \(method) \(path)"), as: UTF8.self)
        let status = answer.split(separator: " ", maxSplits: 2).dropFirst().first.flatMap { Int($0) } ?? 0
        let text = answer.range(of: "\r\n\r\n").map { String(answer[$0.upperBound...]) } ?? ""
        return (status, text)
    }

    /// The `--dapr-grpc-port` the sidecar was started with.
    var grpcPort: Int? {
        guard let index = arguments.firstIndex(of: "--dapr-grpc-port"), index + 1 < arguments.count else { return nil }
        return Int(arguments[index + 1])
    }
}
