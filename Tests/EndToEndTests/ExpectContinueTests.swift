import Foundation
import Testing

/// `Expect: 100-continue`: a client that asks for it waits for `100 Continue` before it sends
/// the body, so the sidecar sends one for every HTTP/1.1 request that carries it, after the
/// answers owed before it.
@Suite("HTTP Expect: 100-continue", .timeLimit(.minutes(1)))
struct ExpectContinueTests {
    static let subscriptions = #"[{"pubsubname": "pubsub", "topic": "expect", "route": "/expect"}]"#
    static let continueLine = "HTTP/1.1 100 Continue\r\n\r\n"

    static func head(_ path: String, body: String, version: String = "HTTP/1.1", expect: Bool = true) -> String {
        "POST \(path) \(version)\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            + (expect ? "Expect: 100-continue\r\n" : "") + "Content-Length: \(body.utf8.count)\r\n\r\n"
    }

    /// Sends the head, waits for `100 Continue`, sends the body; returns what came after the 100.
    static func exchange(_ connection: RawConnection, path: String, body: String) async throws -> String {
        #expect(connection.send(head(path, body: body)))
        let interim = try await connection.read(within: .seconds(30), "100 Continue for \(path)") { $0.count >= continueLine.utf8.count }
        #expect(String(decoding: interim, as: UTF8.self) == continueLine)
        #expect(connection.send(body))
        let answer = try await connection.read(within: .seconds(30), "the answer to \(path)") {
            String(decoding: $0, as: UTF8.self).contains("\r\n\r\n")
        }
        return String(decoding: answer, as: UTF8.self)
    }

    @Test("a publish and a bulk publish get 100 Continue, then their answer; the event arrives")
    func continued() async throws {
        try await withSidecar(SidecarOptions(), subscriptions: Self.subscriptions) { sidecar, app in
            let connection = try RawConnection(port: sidecar.httpPort)
            let single = try await Self.exchange(connection, path: "/v1.0/publish/pubsub/expect", body: #"{"n":1}"#)
            #expect(single.hasPrefix("HTTP/1.1 204"), "\(single)")
            let bulkBody = #"[{"entryId":"2","event":{"n":2},"contentType":"application/json"}]"#
            let bulk = try await Self.exchange(connection, path: "/v1.0-alpha1/publish/bulk/pubsub/expect", body: bulkBody)
            #expect(bulk.hasPrefix("HTTP/1.1 204"), "\(bulk)")
            try await app.waitFor("/expect", count: 2)
            #expect(Set(app.received("/expect").compactMap { $0.data } ) == [["n": 1], ["n": 2]], sidecar.comment)
        }
    }

    @Test("behind a router request still being answered, 100 Continue follows that answer")
    func afterRouterAnswer() async throws {
        try await withSidecar(SidecarOptions()) { sidecar, _ in
            let connection = try RawConnection(port: sidecar.httpPort)
            let body = #"{"n":3}"#
            #expect(connection.send("GET /v1.0/metadata HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n" + Self.head("/v1.0/publish/pubsub/expect", body: body)))
            let interim = try await connection.read(within: .seconds(30), "the metadata answer, then 100 Continue") {
                String(decoding: $0, as: UTF8.self).hasSuffix(Self.continueLine)
            }
            #expect(RawConnection.statusLines(interim).map { $0.split(separator: " ")[1] } == ["200", "100"])
            #expect(connection.send(body))
            let answer = try await connection.read(within: .seconds(30), "the publish answer") { RawConnection.statusLines($0).count >= 1 }
            #expect(RawConnection.statusLines(answer) == ["HTTP/1.1 204 No Content"])
        }
    }

    @Test("no 100 Continue without the header, or on HTTP/1.0")
    func notAsked() async throws {
        try await withSidecar(SidecarOptions()) { sidecar, _ in
            for (version, expect) in [("HTTP/1.1", false), ("HTTP/1.0", true)] {
                let connection = try RawConnection(port: sidecar.httpPort)
                let body = #"{"n":4}"#
                #expect(connection.send(Self.head("/v1.0/publish/pubsub/expect", body: body, version: version, expect: expect) + body))
                let answer = try await connection.read(within: .seconds(30), "the answer (\(version))") {
                    String(decoding: $0, as: UTF8.self).contains("\r\n\r\n")
                }
                #expect(RawConnection.statusLines(answer).first?.contains(" 204 ") == true, "\(version): \(String(decoding: answer, as: UTF8.self))")
            }
        }
    }
}
