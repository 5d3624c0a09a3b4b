import Foundation
import Testing

/// `--max-body-size` refuses a body as soon as the limit is passed, so a client declaring a huge
/// body cannot make the sidecar hold it.
@Suite("Body limit and memory", .timeLimit(.minutes(1)))
struct BodyLimitMemoryTests {
    /// Sends a POST declaring `declared` bytes, writes `sent` of them (the sidecar may close
    /// first), and returns the status line of the answer ("" if none).
    static func post(port: Int, path: String, declared: Int, sent: Int) async throws -> String {
        let connection = try RawConnection(port: port)
        connection.send("POST \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: \(declared)\r\n\r\n")
        connection.send([UInt8](repeating: UInt8(ascii: "x"), count: sent))
        let answer = try await connection.read(within: .seconds(60), "the answer to a \(declared)-byte publish") {
            !RawConnection.statusLines($0).isEmpty
        }
        return RawConnection.statusLines(answer).first ?? ""
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
                let status = try await Self.post(port: sidecar.httpPort, path: "/v1.0/publish/pubsub/big", declared: 100 << 20, sent: 5 << 20)
                #expect(status.hasPrefix("HTTP/1.1 413"), "answer: '\(status)'")
            }
            try await sidecar.mustPublish(topic: "after", json: "{}")
            let after = Self.residentKB(sidecar.pid)
            // 20 refused bodies of 100 MB would be 2 GB if kept; even one held whole is 100 MB.
            #expect(after - before < 64 << 10, "RSS grew from \(before) kB to \(after) kB")
        }
    }
}
