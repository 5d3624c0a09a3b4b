import Foundation
import Hummingbird
import Logging
import NIOCore

/// One HTTP request the test app received.
struct ReceivedRequest: Sendable, CustomStringConvertible {
    var method: String
    var path: String
    /// Header names in lower case; repeated headers joined with ", ".
    var headers: [String: String]
    var body: [UInt8]
    /// 1-based: how many requests with this path and this event id (or body) arrived so far,
    /// this one included. A first delivery is attempt 1, its first retry attempt 2, ...
    var attempt: Int
    var received: ContinuousClock.Instant

    var text: String { String(decoding: body, as: UTF8.self) }
    /// The body as JSON; `nil` when it is not JSON.
    var json: JSON? { try? JSON.parse(body) }
    /// The CloudEvent's `id`, when the body is a structured CloudEvent.
    var eventID: String? { json?["id"]?.string }
    /// The CloudEvent's `data`.
    var data: JSON? { json?["data"] }

    var description: String { "\(method) \(path) #\(attempt) \(text.prefix(300))" }
}

/// How the test app answers a request.
indirect enum Reply: Sendable {
    /// 200 `{"status":"SUCCESS"}`
    case success
    /// 200 `{"status":"RETRY"}`
    case retry
    /// 200 `{"status":"DROP"}`
    case drop
    /// 200 with an empty body.
    case emptyOK
    /// 200 with the body `null`.
    case jsonNull
    /// This status and body (`application/json` when the body is not empty).
    case status(Int, body: String = "")
    /// 200 with this body as `text/plain`.
    case text(String)
    /// Holds the request for `Duration` (less when the test app stops), then answers.
    case after(Duration, Reply)
}

/// The app the sidecar delivers to: an in-process Hummingbird server that records every request
/// and answers as the test scripts it. `GET /dapr/subscribe` answers `subscriptions` (404 when nil).
final class TestApp: Sendable {
    typealias Script = @Sendable (ReceivedRequest) async -> Reply

    let port: Int
    /// Every request received, in arrival order.
    let requests: Observed<[ReceivedRequest]>
    private let stopping: Observed<Bool>
    private let task: Task<Void, Never>

    private init(port: Int, requests: Observed<[ReceivedRequest]>, stopping: Observed<Bool>, task: Task<Void, Never>) {
        self.port = port
        self.requests = requests
        self.stopping = stopping
        self.task = task
    }

    /// Starts the app on `port` (0: a free port the system picks) and returns once it listens.
    static func start(port: Int = 0, subscriptions: String? = nil, script: @escaping Script = { _ in .success }) async throws -> TestApp {
        let requests = Observed<[ReceivedRequest]>([])
        let stopping = Observed(false)
        let listening = Observed<Result<Int, HarnessError>?>(nil)
        let responder = CallbackResponder<BasicRequestContext> { request, _ in
            try await respond(to: request, subscriptions: subscriptions, script: script, requests: requests, stopping: stopping)
        }
        var logger = Logger(label: "e2e-test-app")
        logger.logLevel = .critical
        let app = Application(
            responder: responder,
            configuration: .init(address: .hostname("127.0.0.1", port: port), serverName: "e2e-test-app"),
            onServerRunning: { channel in
                let bound = channel.localAddress?.port ?? 0
                listening.update { $0 = $0 ?? (bound > 0 ? .success(bound) : .failure(HarnessError("the test app has no local port"))) }
            },
            logger: logger)
        let task = Task {
            do {
                try await app.run()
            } catch {
                listening.update { $0 = $0 ?? .failure(HarnessError("the test app could not listen on port \(port): \(error)")) }
            }
            listening.update { $0 = $0 ?? .failure(HarnessError("the test app stopped before listening on port \(port)")) }
        }
        let result: Result<Int, HarnessError>?
        do {
            result = try await listening.wait(for: .seconds(60), "the test app to listen") { $0 != nil }
        } catch {
            task.cancel()
            throw error
        }
        switch result {
        case .success(let bound)?:
            return TestApp(port: bound, requests: requests, stopping: stopping, task: task)
        case .failure(let error)?:
            task.cancel()
            throw error
        case nil:
            task.cancel()
            throw HarnessError("the test app did not start")
        }
    }

    /// Releases held requests and stops the server.
    func stop() async {
        stopping.set(true)
        task.cancel()
        await task.value
    }

    /// Requests received so far on `path` (POST unless `method` says otherwise).
    func received(_ path: String, method: String = "POST") -> [ReceivedRequest] {
        requests.value.filter { $0.path == path && $0.method == method }
    }

    /// Waits until at least `count` requests arrived on `path`; returns them (all of them).
    @discardableResult
    func waitFor(_ path: String, count: Int = 1, method: String = "POST", timeout: Duration = .seconds(60)) async throws -> [ReceivedRequest] {
        let all = try await requests.wait(for: timeout, "\(count) \(method) request(s) on \(path); received so far: \(requests.value)") { requests in
            requests.count { $0.path == path && $0.method == method } >= count
        }
        return all.filter { $0.path == path && $0.method == method }
    }

    /// Waits until a request on `path` satisfies `match`; returns it.
    @discardableResult
    func waitFor(_ path: String, timeout: Duration = .seconds(60), where match: @escaping @Sendable (ReceivedRequest) -> Bool) async throws -> ReceivedRequest {
        let all = try await requests.wait(for: timeout, "a matching request on \(path); received so far: \(requests.value)") { requests in
            requests.contains { $0.path == path && match($0) }
        }
        return all.first { $0.path == path && match($0) }!
    }

    private static func respond(
        to request: Request, subscriptions: String?, script: Script,
        requests: Observed<[ReceivedRequest]>, stopping: Observed<Bool>
    ) async throws -> Response {
        let buffer = try await request.body.collect(upTo: 16 << 20)
        var headers: [String: String] = [:]
        for field in request.headers {
            let name = field.name.canonicalName.lowercased()
            headers[name] = headers[name].map { $0 + ", " + field.value } ?? field.value
        }
        let body = Array(buffer.readableBytesView)
        let path = request.uri.path
        let method = request.method.rawValue
        let key = (try? JSON.parse(body))?["id"]?.string ?? String(decoding: body, as: UTF8.self)
        let received = requests.update { list -> ReceivedRequest in
            let attempt = list.count { $0.path == path && $0.method == method && (($0.json?["id"]?.string) ?? $0.text) == key } + 1
            let received = ReceivedRequest(method: method, path: path, headers: headers, body: body, attempt: attempt, received: .now)
            list.append(received)
            return received
        }
        if method == "GET" && path == "/dapr/subscribe" {
            guard let subscriptions else { return answer(.status(404)) }
            return answer(.status(200, body: subscriptions))
        }
        var reply = await script(received)
        while case .after(let hold, let next) = reply {
            _ = try? await stopping.wait(for: hold, "the hold to end") { $0 }
            reply = next
        }
        return answer(reply)
    }

    private static func answer(_ reply: Reply) -> Response {
        switch reply {
        case .success: json(200, #"{"status":"SUCCESS"}"#)
        case .retry: json(200, #"{"status":"RETRY"}"#)
        case .drop: json(200, #"{"status":"DROP"}"#)
        case .emptyOK: Response(status: .ok)
        case .jsonNull: json(200, "null")
        case .status(let code, let body) where body.isEmpty: Response(status: .init(code: code))
        case .status(let code, let body): json(code, body)
        case .text(let body):
            Response(status: .ok, headers: [.contentType: "text/plain"], body: .init(byteBuffer: ByteBuffer(string: body)))
        case .after(_, let next): answer(next)
        }
    }

    private static func json(_ status: Int, _ body: String) -> Response {
        Response(status: .init(code: status), headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: body)))
    }
}
