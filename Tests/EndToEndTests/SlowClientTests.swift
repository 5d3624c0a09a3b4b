import Testing

/// Clients that send too slowly or stop halfway: the sidecar closes them after
/// `--http-read-timeout` and goes on serving everyone else.
@Suite("Slow and truncated HTTP clients", .timeLimit(.minutes(2)))
struct SlowClientTests {
    static let subscriptions = #"[{"pubsubname": "pubsub", "topic": "slow", "route": "/slow"}]"#
    static let options = SidecarOptions(extraArguments: ["--http-read-timeout", "2s"])
    static let head = "POST /v1.0/publish/pubsub/slow HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n"

    /// Publishes a marker from a well-behaved client and checks it is the only event delivered.
    static func expectOnlyMarker(_ sidecar: SidecarProcess, _ app: TestApp) async throws {
        try await sidecar.mustPublish(topic: "slow", json: #"{"marker": true}"#)
        try await app.waitFor("/slow")
        try await sidecar.waitForCounters(topic: "slow", ["delivered": 1, "inFlight": 0])
        #expect(app.received("/slow").map(\.data) == [["marker": true]], sidecar.comment)
    }

    @Test("a request head sent a byte at a time is closed after the read timeout; others are served meanwhile")
    func slowHead() async throws {
        try await withSidecar(Self.options, subscriptions: Self.subscriptions) { sidecar, app in
            let connection = try RawConnection(port: sidecar.httpPort)
            // The hostile client: one byte every 100 ms, a head that never ends, until cut off.
            let trickle = Task {
                for byte in Self.head.utf8.dropLast(2) {
                    guard connection.send([byte]) else { return }
                    try await Task.sleep(for: .milliseconds(100))
                }
            }
            defer { trickle.cancel() }
            try await Self.expectOnlyMarker(sidecar, app)
            try await connection.waitUntilClosed(within: .seconds(30), "the sidecar to close the slow head")
        }
    }

    @Test("a body that stops arriving is closed after the read timeout and nothing is published")
    func stalledBody() async throws {
        try await withSidecar(Self.options, subscriptions: Self.subscriptions) { sidecar, app in
            let connection = try RawConnection(port: sidecar.httpPort)
            #expect(connection.send(Self.head + #"{"partial":"#))
            try await connection.waitUntilClosed(within: .seconds(30), "the sidecar to close the stalled body")
            try await Self.expectOnlyMarker(sidecar, app)
        }
    }

    @Test("a body trickled a byte at a time is closed once the read timeout after its head has passed")
    func trickledBody() async throws {
        try await withSidecar(Self.options, subscriptions: Self.subscriptions) { sidecar, app in
            let connection = try RawConnection(port: sidecar.httpPort)
            #expect(connection.send(Self.head))
            // Each byte is activity, so an idle timeout alone would never fire.
            let trickle = Task {
                for _ in 0..<1_000 {
                    guard connection.send(" ") else { return }
                    try await Task.sleep(for: .milliseconds(100))
                }
            }
            defer { trickle.cancel() }
            try await connection.waitUntilClosed(within: .seconds(30), "the sidecar to close the trickled body")
            try await Self.expectOnlyMarker(sidecar, app)
        }
    }

    @Test("a body cut short by a client that closes (Content-Length larger than sent) publishes nothing")
    func truncatedBody() async throws {
        try await withSidecar(Self.options, subscriptions: Self.subscriptions) { sidecar, app in
            for _ in 0..<20 {
                let connection = try RawConnection(port: sidecar.httpPort)
                connection.send(Self.head + #"{"partial": true}"#)
                connection.close()
            }
            try await Self.expectOnlyMarker(sidecar, app)
            #expect(sidecar.isRunning)
        }
    }

    @Test("a connection that keeps publishing stays open past the read timeout, and is closed once idle for it")
    func busyKeepAlive() async throws {
        // A read timeout of 4 s: the client here may pause between publishes (a loaded box) for
        // up to that long before the sidecar would rightly close the connection as idle.
        try await withSidecar(SidecarOptions(extraArguments: ["--http-read-timeout", "4s"])) { sidecar, _ in
            let connection = try RawConnection(port: sidecar.httpPort)
            let publish = "POST /v1.0/publish/pubsub/busy HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}"
            let start = ContinuousClock.now
            var answered = 0
            // Publishes answered one after another for over twice the read timeout: the
            // connection is never idle that long, so it must stay open.
            while ContinuousClock.now - start < .seconds(9) {
                let (_, closed) = connection.drain()
                #expect(!closed, "the sidecar closed a busy connection after \(answered) publishes")
                guard !closed, connection.send(publish) else { break }
                let answer = try await connection.read(within: .seconds(30), "the answer to publish \(answered)") {
                    String(decoding: $0, as: UTF8.self).contains("\r\n\r\n")
                }
                #expect(String(decoding: answer, as: UTF8.self).hasPrefix("HTTP/1.1 204"))
                answered += 1
                try await Task.sleep(for: .milliseconds(100))
            }
            #expect(answered >= 10)
            try await connection.waitUntilClosed(within: .seconds(30), "the sidecar to close the connection once idle")
        }
    }

    @Test("an idle keep-alive connection is closed after the read timeout")
    func idleKeepAlive() async throws {
        try await withSidecar(Self.options) { sidecar, _ in
            let connection = try RawConnection(port: sidecar.httpPort)
            #expect(connection.send("GET /v1.0/healthz HTTP/1.1\r\nHost: x\r\n\r\n"))
            let answer = try await connection.waitUntilClosed(within: .seconds(30), "the sidecar to close the idle connection")
            #expect(String(decoding: answer, as: UTF8.self).hasPrefix("HTTP/1.1 204"))
        }
    }
}
