import NIOCore
import Testing

@testable import OutriggerHTTPAPI

/// ``AppHTTPClient`` against ``TestAppServer``, a real socket on 127.0.0.1.
@Suite struct AppHTTPClientTests {
    private func withServer(
        maxConnections: Int = 4, maxQueuedRequests: Int = 100,
        _ body: (AppHTTPClient, TestAppServer) async throws -> Void
    ) async throws {
        let server = try await TestAppServer.start()
        let client = AppHTTPClient(host: "127.0.0.1", port: server.port, maxConnections: maxConnections, maxQueuedRequests: maxQueuedRequests)
        do {
            try await body(client, server)
        } catch {
            await client.shutdown()
            try await server.stop()
            throw error
        }
        await client.shutdown()
        try await server.stop()
    }

    private func post(_ client: AppHTTPClient, _ path: String, body: String = "", timeout: Duration = .seconds(60), maxResponseBytes: Int = 1 << 20) async throws -> (status: Int, body: String) {
        let answer = try await client.request(
            method: .POST, path: path, headers: [("content-type", "text/plain")], body: Array(body.utf8), timeout: timeout,
            maxResponseBytes: maxResponseBytes)
        return (answer.status, String(decoding: answer.body, as: UTF8.self))
    }

    @Test func keepAliveReusesOneConnection() async throws {
        try await withServer(maxConnections: 1) { client, server async throws in
            for index in 0..<20 {
                let answer = try await post(client, "/ok", body: "event \(index)")
                #expect(answer.status == 200)
                #expect(answer.body == "event \(index)")
            }
            #expect(server.snapshot.accepted == 1)
            #expect(server.snapshot.requests == 20)
        }
    }

    @Test func noContentAndEmptyGet() async throws {
        try await withServer { client, _ async throws in
            #expect(try await post(client, "/empty").status == 204)
            let answer = try await client.request(method: .GET, path: "/empty", headers: [], body: [], timeout: .seconds(60))
            #expect(answer.status == 204 && answer.body.isEmpty)
        }
    }

    @Test func framingAndHostHeaders() async throws {
        try await withServer { client, server async throws in
            let answer = try await client.request(
                method: .POST, path: "/headers",
                headers: [("Content-Length", "999"), ("Transfer-Encoding", "chunked"), ("topic", "orders")],
                body: Array("abc".utf8), timeout: .seconds(60))
            let head = String(decoding: answer.body, as: UTF8.self).lowercased()
            #expect(head.hasPrefix("post /headers http/1.1\r\n"))
            #expect(head.contains("content-length: 3"))
            #expect(!head.contains("content-length: 999") && !head.contains("transfer-encoding"))
            #expect(head.contains("host: 127.0.0.1:\(server.port)"))
            #expect(head.contains("topic: orders"))

            let get = try await client.request(method: .GET, path: "/headers", headers: [], body: [], timeout: .seconds(60))
            #expect(!String(decoding: get.body, as: UTF8.self).lowercased().contains("content-length"))
        }
    }

    @Test func invalidHeadersAndPathsAreRefusedBeforeSending() async throws {
        try await withServer { client, server async throws in
            await #expect(throws: AppHTTPClientError.invalidHeader(name: "x")) {
                try await client.request(method: .POST, path: "/ok", headers: [("x", "a\r\nevil: 1")], body: [], timeout: .seconds(60))
            }
            await #expect(throws: AppHTTPClientError.invalidHeader(name: "bad name")) {
                try await client.request(method: .POST, path: "/ok", headers: [("bad name", "v")], body: [], timeout: .seconds(60))
            }
            await #expect(throws: AppHTTPClientError.invalidPath("/a b")) {
                try await client.request(method: .POST, path: "/a b", headers: [], body: [], timeout: .seconds(60))
            }
            #expect(server.snapshot.accepted == 0)
        }
    }

    @Test func connectionCloseFromTheAppIsHonoured() async throws {
        try await withServer(maxConnections: 1) { client, server async throws in
            for _ in 0..<3 {
                let answer = try await post(client, "/close")
                #expect(answer.status == 200 && answer.body == "bye")
            }
            #expect(server.snapshot.accepted == 3)
            // The last connection closed; the next request opens a fresh one and succeeds.
            try await server.waitFor(.closed, count: 3)
            #expect(try await post(client, "/ok", body: "after").body == "after")
        }
    }

    @Test func chunkedAnswer() async throws {
        try await withServer(maxConnections: 1) { client, server async throws in
            #expect(try await post(client, "/chunked").body == "hello world")
            #expect(try await post(client, "/chunked").body == "hello world")
            #expect(server.snapshot.accepted == 1)
        }
    }

    @Test func answerDelimitedByClose() async throws {
        try await withServer(maxConnections: 1) { client, server async throws in
            #expect(try await post(client, "/eof").body == "until-close")
            #expect(try await post(client, "/ok", body: "next").body == "next")
            #expect(server.snapshot.accepted == 2)
        }
    }

    @Test func appDyingMidRequestFailsTheRequest() async throws {
        try await withServer(maxConnections: 1) { client, server async throws in
            await #expect(throws: AppHTTPClientError.connectionClosed) { try await post(client, "/die") }
            // The dead connection was dropped, not reused.
            #expect(try await post(client, "/ok", body: "x").body == "x")
            #expect(server.snapshot.accepted == 2)
        }
    }

    @Test func appNotListeningFailsTheRequest() async throws {
        let server = try await TestAppServer.start()
        let port = server.port
        try await server.stop()
        let client = AppHTTPClient(host: "127.0.0.1", port: port, maxConnections: 2)
        await #expect(throws: (any Error).self) { try await post(client, "/ok") }
        await client.shutdown()
    }

    @Test func timeoutFailsTheRequestAndClosesItsConnection() async throws {
        try await withServer(maxConnections: 1) { client, server async throws in
            let start = ContinuousClock.now
            await #expect(throws: AppHTTPClientError.timeout) { try await post(client, "/hang", timeout: .milliseconds(200)) }
            // Generous for a loaded CI box; without the timeout `/hang` never answers.
            #expect(ContinuousClock.now - start < .seconds(30))
            try await server.waitFor(.closed)
            #expect(try await post(client, "/ok", body: "x").body == "x")
        }
    }

    @Test func timeoutCoversTheWaitForAConnection() async throws {
        try await withServer(maxConnections: 1) { client, server async throws in
            let hanging = Task { try await post(client, "/hang", timeout: .seconds(30)) }
            try await server.waitFor(.request("/hang"))
            await #expect(throws: AppHTTPClientError.timeout) { try await post(client, "/ok", timeout: .milliseconds(100)) }
            hanging.cancel()
            await #expect(throws: CancellationError.self) { try await hanging.value }
        }
    }

    @Test func cancellationFailsTheRequestAndClosesItsConnection() async throws {
        try await withServer(maxConnections: 1) { client, server async throws in
            let task = Task { try await post(client, "/hang", timeout: .seconds(30)) }
            try await server.waitFor(.request("/hang"))
            task.cancel()
            await #expect(throws: CancellationError.self) { try await task.value }
            try await server.waitFor(.closed)
            #expect(try await post(client, "/ok", body: "x").body == "x")
        }
    }

    @Test func cancellingAWaiterLeavesTheQueue() async throws {
        try await withServer(maxConnections: 1) { client, server async throws in
            let hanging = Task { try await post(client, "/hang", timeout: .seconds(30)) }
            try await server.waitFor(.request("/hang"))
            let waiting = Task { try await post(client, "/ok", timeout: .seconds(30)) }
            waiting.cancel()
            await #expect(throws: CancellationError.self) { try await waiting.value }
            hanging.cancel()
            await #expect(throws: CancellationError.self) { try await hanging.value }
            #expect(try await post(client, "/ok", body: "x").body == "x")
        }
    }

    @Test func neverMoreThanMaxConnections() async throws {
        try await withServer(maxConnections: 3) { client, server async throws in
            try await withThrowingTaskGroup(of: Int.self) { group in
                // A generous deadline: the 60 requests queue for 3 connections, and the test is
                // about the connection bound, not about time (on a busy 2-core box the queue's
                // last request waited past 10 s in full runs).
                for _ in 0..<60 { group.addTask { try await post(client, "/slow", timeout: .seconds(60)).status } }
                for try await status in group { #expect(status == 200) }
            }
            #expect(server.snapshot.maxOpen <= 3)
            #expect(server.snapshot.accepted == 3)
            #expect(server.snapshot.requests == 60)
        }
    }

    @Test func queueIsBounded() async throws {
        try await withServer(maxConnections: 1, maxQueuedRequests: 0) { client, server async throws in
            let hanging = Task { try await post(client, "/hang", timeout: .seconds(30)) }
            try await server.waitFor(.request("/hang"))
            await #expect(throws: AppHTTPClientError.tooManyQueuedRequests(limit: 0)) { try await post(client, "/ok") }
            hanging.cancel()
            _ = try? await hanging.value
        }
    }

    @Test func oversizedAnswerFails() async throws {
        try await withServer(maxConnections: 1) { client, _ async throws in
            await #expect(throws: AppHTTPClientError.responseTooLarge(limit: 1000)) {
                try await post(client, "/big", maxResponseBytes: 1000)
            }
            #expect(try await post(client, "/big", maxResponseBytes: 2000).body.count == 2000)
        }
    }

    @Test func shutdownClosesEverythingAndRefusesLaterRequests() async throws {
        let server = try await TestAppServer.start()
        let client = AppHTTPClient(host: "127.0.0.1", port: server.port, maxConnections: 2)
        let hanging = [
            Task { try await post(client, "/hang", timeout: .seconds(30)) },
            Task { try await post(client, "/hang", timeout: .seconds(30)) },
        ]
        try await server.waitFor(.request("/hang"), count: 2)
        #expect(server.snapshot.open == 2)
        // Queued behind the two busy connections, or arriving after shutdown: refused either way.
        let queued = Task { try await post(client, "/ok", timeout: .seconds(30)) }
        await client.shutdown()
        for task in hanging {
            await #expect(throws: AppHTTPClientError.connectionClosed) { try await task.value }
        }
        await #expect(throws: AppHTTPClientError.shutdown) { try await queued.value }
        await #expect(throws: AppHTTPClientError.shutdown) { try await post(client, "/ok") }
        try await server.waitFor(.closed, count: 2)
        #expect(server.snapshot.open == 0)
        try await server.stop()
    }
}
