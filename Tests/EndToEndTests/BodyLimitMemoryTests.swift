import Foundation
import Testing

/// `--max-body-size` refuses a body as soon as the limit is passed, so a client declaring a huge
/// body cannot make the sidecar hold it.
@Suite("Body limit and memory", .timeLimit(.minutes(1)))
struct BodyLimitMemoryTests {
    /// Sends a POST declaring `declared` bytes, writes `sent` of them (write errors ignored: the
    /// sidecar may close first), and returns the status line of the answer ("" if none).
    static func post(port: Int, path: String, declared: Int, sent: Int) throws -> String {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw HarnessError("socket: \(errno)") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw HarnessError("connect: \(errno)") }
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let head = "POST \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: \(declared)\r\n\r\n"
        _ = head.withCString { send(fd, $0, strlen($0), Int32(MSG_NOSIGNAL)) }
        let chunk = [UInt8](repeating: UInt8(ascii: "x"), count: 64 << 10)
        var written = 0
        while written < sent {
            let count = chunk.withUnsafeBytes { send(fd, $0.baseAddress, min(chunk.count, sent - written), Int32(MSG_NOSIGNAL)) }
            if count <= 0 { break }
            written += count
        }
        var answer = [UInt8](repeating: 0, count: 512)
        let read = recv(fd, &answer, answer.count, 0)
        guard read > 0 else { return "" }
        return String(decoding: answer[..<read], as: UTF8.self).split(separator: "\r\n").first.map(String.init) ?? ""
    }

    static func residentKB(_ pid: Int32) -> Int {
        let status = (try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)) ?? ""
        let line = status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") } ?? ""
        return Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0
    }

    @Test("a publish declaring 100 MB gets 413 after 5 MB were sent, the other 95 MB never read; 20 of them do not grow the RSS by their size")
    func refusedEarly() async throws {
        try await withSidecar(SidecarOptions()) { sidecar, _ in
            try await sidecar.mustPublish(topic: "warm", json: "{}")
            let before = Self.residentKB(sidecar.pid)
            for _ in 0..<20 {
                let status = try Self.post(port: sidecar.httpPort, path: "/v1.0/publish/pubsub/big", declared: 100 << 20, sent: 5 << 20)
                #expect(status.hasPrefix("HTTP/1.1 413"), "answer: '\(status)'")
            }
            try await sidecar.mustPublish(topic: "after", json: "{}")
            let after = Self.residentKB(sidecar.pid)
            // 20 refused bodies of 100 MB would be 2 GB if kept; even one held whole is 100 MB.
            #expect(after - before < 64 << 10, "RSS grew from \(before) kB to \(after) kB")
        }
    }
}
