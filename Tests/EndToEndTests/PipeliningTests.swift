import Foundation
import Testing

/// Pipelined HTTP/1.1 requests, some answered by the publish fast path and some by the router:
/// every request is answered, in the order it was sent.
@Suite("HTTP pipelining", .timeLimit(.minutes(1)))
struct PipeliningTests {
    static func request(_ method: String, _ path: String, body: String = "") -> String {
        var text = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        if !body.isEmpty || method == "POST" { text += "Content-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n" }
        return text + "\r\n" + body
    }

    @Test("publishes, router requests and a refused publish sent in one write are answered in order, and the events arrive")
    func inOrder() async throws {
        try await withSidecar(SidecarOptions(), subscriptions: #"[{"pubsubname": "pubsub", "topic": "piped", "route": "/piped"}]"#) { sidecar, app in
            let connection = try RawConnection(port: sidecar.httpPort)
            let requests = [
                Self.request("GET", "/v1.0/healthz"),
                Self.request("POST", "/v1.0/publish/pubsub/piped", body: #"{"n":1}"#),
                Self.request("GET", "/v1.0/metadata"),
                Self.request("POST", "/v1.0/publish/nope/piped", body: #"{"n":2}"#),
                Self.request("POST", "/v1.0/publish/pubsub/piped?metadata.ttlInSeconds=60", body: #"{"n":3}"#),
                Self.request("POST", "/v1.0/publish/pubsub/pi%70ed", body: #"{"n":4}"#),
                Self.request("GET", "/v1.0/healthz"),
            ]
            connection.send(requests.joined())
            let count = requests.count
            let answers = try await connection.read(within: .seconds(60), "\(count) answers") { RawConnection.statusLines($0).count >= count }
            let statuses = RawConnection.statusLines(answers).map { $0.split(separator: " ")[1] }
            #expect(statuses == ["204", "204", "200", "404", "204", "204", "204"], "\(String(decoding: answers.prefix(2000), as: UTF8.self))")
            // The escaped topic goes through the router, which decodes it to `piped`.
            let delivered = try await app.waitFor("/piped", count: 3)
            #expect(Set(delivered.compactMap { $0.data?["n"]?.number }) == [1, 3, 4])

            // Starting with publishes: the later requests wait behind the one being published.
            let second = try RawConnection(port: sidecar.httpPort)
            let more = [
                Self.request("POST", "/v1.0/publish/pubsub/piped", body: #"{"n":5}"#),
                Self.request("POST", "/v1.0/publish/pubsub/piped", body: #"{"n":6}"#),
                Self.request("GET", "/v1.0/metadata"),
                Self.request("POST", "/v1.0/publish/nope/piped", body: #"{"n":7}"#),
                Self.request("POST", "/v1.0/publish/pubsub/piped", body: #"{"n":8}"#),
            ]
            second.send(more.joined())
            let moreCount = more.count
            let moreAnswers = try await second.read(within: .seconds(60), "\(moreCount) answers") { RawConnection.statusLines($0).count >= moreCount }
            let moreStatuses = RawConnection.statusLines(moreAnswers).map { $0.split(separator: " ")[1] }
            #expect(moreStatuses == ["204", "204", "200", "404", "204"], "\(String(decoding: moreAnswers.prefix(2000), as: UTF8.self))")

            // `Connection: close` on a publish: its answer, then the connection closes.
            let third = try RawConnection(port: sidecar.httpPort)
            third.send("POST /v1.0/publish/pubsub/piped HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: 7\r\n\r\n{\"n\":9}")
            let closing = try await third.waitUntilClosed(within: .seconds(60), "the connection to close after the answer")
            #expect(RawConnection.statusLines(closing).map { $0.split(separator: " ")[1] } == ["204"], "\(String(decoding: closing, as: UTF8.self))")
            // HTTP/1.0 without keep-alive: the same.
            let fourth = try RawConnection(port: sidecar.httpPort)
            fourth.send("POST /v1.0/publish/pubsub/piped HTTP/1.0\r\nContent-Type: application/json\r\nContent-Length: 8\r\n\r\n{\"n\":10}")
            let closed10 = try await fourth.waitUntilClosed(within: .seconds(60), "the HTTP/1.0 connection to close after the answer")
            #expect(RawConnection.statusLines(closed10).map { $0.split(separator: " ")[1] } == ["204"], "\(String(decoding: closed10, as: UTF8.self))")
            let expected: Set<Double> = [1, 3, 4, 5, 6, 8, 9, 10]
            let all = try await app.requests.wait(for: .seconds(60), "events 1, 3, 4, 5, 6, 8, 9 and 10 on /piped") { requests in
                Set(requests.filter { $0.path == "/piped" }.compactMap { $0.data?["n"]?.number }) == expected
            }
            #expect(all.filter { $0.path == "/piped" }.count >= expected.count)
        }
    }
}
