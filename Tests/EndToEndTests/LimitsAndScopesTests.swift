import Foundation
import Testing

/// `--max-body-size` and Component `scopes`.
@Suite("Body limits and component scopes", .timeLimit(.minutes(1)))
struct LimitsAndScopesTests {
    @Test("a 5 MB publish or binding body gets 413 under the default 4 MB limit, and nothing is published; a larger limit takes it")
    func bodyLimit() async throws {
        let big = Array(repeating: UInt8(ascii: "x"), count: 5 << 20)
        let json = Array(#"{"a":""#.utf8) + big + Array(#""}"#.utf8)
        try await withSidecar(SidecarOptions(), subscriptions: #"[{"pubsubname": "pubsub", "topic": "big", "route": "/big"}]"#) { sidecar, app in
            let publish = try await sidecar.publish(topic: "big", body: json)
            #expect(publish.status == 413, "\(publish.status) \(publish.text.prefix(200))")
            #expect(publish.json?["errorCode"] == "ERR_MALFORMED_REQUEST")
            let binding = try await HTTP.request("POST", sidecar.baseURL + "/v1.0/bindings/none", body: json)
            #expect(binding.status == 413)
            try await sidecar.mustPublish(topic: "big", json: #"{"small": true}"#)
            try await app.waitFor("/big") { $0.data == ["small": true] }
            #expect(app.received("/big").count == 1, "the refused body was published")
        }
        try await withSidecar(SidecarOptions(extraArguments: ["--max-body-size", "8"])) { sidecar, _ in
            let publish = try await sidecar.publish(topic: "big", body: json)
            #expect(publish.status == 204, "\(publish.status)")
        }
    }

    @Test("a client that writes a whole over-large body before reading gets the 413, not a reset; one that stops sending is closed")
    func refusedBodyIsDropped() async throws {
        try await withSidecar(SidecarOptions()) { sidecar, _ in
            let body = [UInt8](repeating: UInt8(ascii: "x"), count: 30 << 20)
            let head = "POST /v1.0/publish/pubsub/big HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: "
            let whole = try RawConnection(port: sidecar.httpPort)
            whole.send(head + "\(body.count)\r\n\r\n")
            let sentWhole = whole.send(body)
            #expect(sentWhole, "the connection was reset while the refused body was still being sent")
            let answer = try await whole.waitUntilClosed(within: .seconds(60), "the 413 and the close")
            #expect(RawConnection.statusLines(answer).first?.hasPrefix("HTTP/1.1 413") == true, "\(String(decoding: answer.prefix(200), as: UTF8.self))")

            let stopped = try RawConnection(port: sidecar.httpPort)
            stopped.send(head + "\(100 << 20)\r\n\r\n")
            stopped.send([UInt8](body.prefix(5 << 20)))
            let stoppedAnswer = try await stopped.waitUntilClosed(within: .seconds(60), "the connection of a client that stopped sending to close")
            #expect(RawConnection.statusLines(stoppedAnswer).first?.hasPrefix("HTTP/1.1 413") == true)
        }
    }

    @Test("a component scoped to other app ids is not loaded: absent from metadata, publishing to it is refused")
    func scopedOut() async throws {
        let scoped = YAML.pubsub(name: "private") + "scopes:\n  - billing\n"
        let resources = ["pubsub.yaml": YAML.pubsub(), "private.yaml": scoped]
        try await withSidecar(SidecarOptions(appID: "orders", resources: resources)) { sidecar, _ in
            let metadata = try await sidecar.metadata()
            let names = metadata["components"]?.array?.compactMap { $0["name"]?.string } ?? []
            #expect(names == ["pubsub"], "\(metadata)")
            let refused = try await sidecar.publish(pubsub: "private", topic: "t", json: "{}")
            #expect(refused.status == 404, "\(refused.text)")
        }
        try await withSidecar(SidecarOptions(appID: "billing", resources: resources)) { sidecar, _ in
            let names = try await sidecar.metadata()["components"]?.array?.compactMap { $0["name"]?.string } ?? []
            #expect(names.sorted() == ["private", "pubsub"])
        }
    }
}
