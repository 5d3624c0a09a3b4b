import DaprProto
import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2Posix
import SwiftProtobuf
import Synchronization
import Testing

/// A gRPC app in the test process: grpc-swift serving Dapr's `AppCallback` on a port the kernel
/// picks, with the subscriptions and answers each test gives, recording every call.
final class TestApp: Sendable {
    let handler: AppCallbackHandler
    private let server: GRPCServer<HTTP2ServerTransport.Posix>
    private let transport: HTTP2ServerTransport.Posix
    private let serving: Task<Void, Never>

    var calls: Watched<AppCallbackHandler.Calls> { handler.calls }
    /// The method name and metadata of every call the sidecar made, in arrival order.
    let metadata: Watched<[(method: String, metadata: [String: String])]>

    static func start(
        subscriptions: [Dapr_Proto_Runtime_V1_TopicSubscription],
        inputBindings: [String] = [],
        script: @escaping AppCallbackHandler.Script = { _, _ in .success(.success) },
        bulkScript: @escaping AppCallbackHandler.BulkScript = { _, _ in .success }
    ) async throws -> TestApp {
        let handler = AppCallbackHandler(subscriptions: subscriptions, inputBindings: inputBindings, script: script, bulkScript: bulkScript)
        let transport = HTTP2ServerTransport.Posix(address: .ipv4(host: "127.0.0.1", port: 0), transportSecurity: .plaintext)
        let metadata = Watched<[(method: String, metadata: [String: String])]>([])
        let server = GRPCServer(transport: transport, services: [handler], interceptors: [MetadataRecorder(calls: metadata)])
        let serving = Task { _ = try? await server.serve() }
        let app = TestApp(handler: handler, server: server, transport: transport, metadata: metadata, serving: serving)
        _ = try await app.port
        return app
    }

    private init(
        handler: AppCallbackHandler, server: GRPCServer<HTTP2ServerTransport.Posix>, transport: HTTP2ServerTransport.Posix,
        metadata: Watched<[(method: String, metadata: [String: String])]>, serving: Task<Void, Never>
    ) {
        self.handler = handler
        self.metadata = metadata
        self.server = server
        self.transport = transport
        self.serving = serving
    }

    /// The port the app listens on (waits until it listens).
    var port: Int {
        get async throws {
            guard let address = try await transport.listeningAddress.ipv4 else { throw HarnessFailure("the test app has no IPv4 address") }
            return address.port
        }
    }

    func stop() async {
        server.beginGracefulShutdown()
        await serving.value
    }
}

/// Records the method and the string metadata of every call before the service handles it.
struct MetadataRecorder: ServerInterceptor {
    let calls: Watched<[(method: String, metadata: [String: String])]>

    func intercept<Input: Sendable, Output: Sendable>(
        request: StreamingServerRequest<Input>,
        context: ServerContext,
        next: @Sendable (StreamingServerRequest<Input>, ServerContext) async throws -> StreamingServerResponse<Output>
    ) async throws -> StreamingServerResponse<Output> {
        var values: [String: String] = [:]
        for (key, value) in request.metadata {
            if case .string(let text) = value { values[key] = text }
        }
        let method = context.descriptor.method
        calls.update { $0.append((method, values)) }
        return try await next(request, context)
    }
}

/// The test app's `AppCallback` service.
final class AppCallbackHandler: Dapr_Proto_Runtime_V1_AppCallback.SimpleServiceProtocol, Sendable {
    /// What the app answers to the `attempt`-th delivery (1-based) of an event: a status, or a gRPC error.
    typealias Script = @Sendable (_ event: TopicEvent, _ attempt: Int) -> Result<EventStatus, RPCError>
    /// The status of the `attempt`-th delivery of a bulk entry.
    typealias BulkScript = @Sendable (_ entry: Dapr_Proto_Runtime_V1_TopicEventBulkRequestEntry, _ attempt: Int) -> EventStatus

    struct Calls: Sendable {
        var events: [TopicEvent] = []
        var bulks: [Dapr_Proto_Runtime_V1_TopicEventBulkRequest] = []
        var bindingEvents: [Dapr_Proto_Runtime_V1_BindingEventRequest] = []
        var listed = 0
    }

    let calls = Watched(Calls())
    let subscriptions: [Dapr_Proto_Runtime_V1_TopicSubscription]
    /// What `ListInputBindings` answers.
    let inputBindings: [String]
    private let script: Script
    private let bulkScript: BulkScript
    private let attempts = Mutex<[String: Int]>([:])

    init(subscriptions: [Dapr_Proto_Runtime_V1_TopicSubscription], inputBindings: [String] = [], script: @escaping Script, bulkScript: @escaping BulkScript) {
        self.subscriptions = subscriptions
        self.inputBindings = inputBindings
        self.script = script
        self.bulkScript = bulkScript
    }

    // MARK: AppCallback

    func listTopicSubscriptions(request: Google_Protobuf_Empty, context: ServerContext) async throws -> Dapr_Proto_Runtime_V1_ListTopicSubscriptionsResponse {
        calls.update { $0.listed += 1 }
        var response = Dapr_Proto_Runtime_V1_ListTopicSubscriptionsResponse()
        response.subscriptions = subscriptions
        return response
    }

    func onTopicEvent(request: TopicEvent, context: ServerContext) async throws -> Dapr_Proto_Runtime_V1_TopicEventResponse {
        let attempt = attempts.withLock { attempts -> Int in
            attempts[request.id, default: 0] += 1
            return attempts[request.id, default: 0]
        }
        calls.update { $0.events.append(request) }
        var response = Dapr_Proto_Runtime_V1_TopicEventResponse()
        response.status = try script(request, attempt).get()
        return response
    }

    func onBulkTopicEvent(request: Dapr_Proto_Runtime_V1_TopicEventBulkRequest, context: ServerContext) async throws -> Dapr_Proto_Runtime_V1_TopicEventBulkResponse {
        calls.update { $0.bulks.append(request) }
        var response = Dapr_Proto_Runtime_V1_TopicEventBulkResponse()
        response.statuses = request.entries.map { entry in
            let attempt = attempts.withLock { attempts -> Int in
                attempts[entry.cloudEvent.id, default: 0] += 1
                return attempts[entry.cloudEvent.id, default: 0]
            }
            var status = Dapr_Proto_Runtime_V1_TopicEventBulkResponseEntry()
            status.entryID = entry.entryID
            status.status = bulkScript(entry, attempt)
            return status
        }
        return response
    }

    func onInvoke(request: Dapr_Proto_Common_V1_InvokeRequest, context: ServerContext) async throws -> Dapr_Proto_Common_V1_InvokeResponse {
        throw RPCError(code: .unimplemented, message: "not used by these tests")
    }

    func listInputBindings(request: Google_Protobuf_Empty, context: ServerContext) async throws -> Dapr_Proto_Runtime_V1_ListInputBindingsResponse {
        var response = Dapr_Proto_Runtime_V1_ListInputBindingsResponse()
        response.bindings = inputBindings
        return response
    }

    func onBindingEvent(request: Dapr_Proto_Runtime_V1_BindingEventRequest, context: ServerContext) async throws -> Dapr_Proto_Runtime_V1_BindingEventResponse {
        calls.update { $0.bindingEvents.append(request) }
        return Dapr_Proto_Runtime_V1_BindingEventResponse()
    }

    func onJobEvent(request: Dapr_Proto_Runtime_V1_JobEventRequest, context: ServerContext) async throws -> Dapr_Proto_Runtime_V1_JobEventResponse {
        throw RPCError(code: .unimplemented, message: "not used by these tests")
    }
}

/// Starts a ``TestApp`` and a sidecar delivering to it over gRPC (`--app-protocol grpc`), waits
/// until `ready` holds for the sidecar's metadata, runs `body`, and stops both.
func withGRPCApp(
    subscriptions: [Dapr_Proto_Runtime_V1_TopicSubscription],
    inputBindings: [String] = [],
    script: @escaping AppCallbackHandler.Script = { _, _ in .success(.success) },
    bulkScript: @escaping AppCallbackHandler.BulkScript = { _, _ in .success },
    resources: [String: String] = ["pubsub.yaml": Resources.pubsub, "resiliency.yaml": Resources.fastRetries()],
    environment: [String: String] = [:],
    ready: @escaping @Sendable (Dapr_Proto_Runtime_V1_GetMetadataResponse) -> Bool,
    sourceLocation: SourceLocation = #_sourceLocation,
    _ body: (Sidecar, DaprClient, TestApp) async throws -> Void
) async throws {
    let app = try await TestApp.start(subscriptions: subscriptions, inputBindings: inputBindings, script: script, bulkScript: bulkScript)
    do {
        try await withSidecar(
            resources: resources, arguments: ["--app-port", String(try await app.port), "--app-protocol", "grpc"],
            environment: environment, ready: ready, sourceLocation: sourceLocation
        ) { sidecar, client in
            try await body(sidecar, client, app)
        }
    } catch {
        await app.stop()
        throw error
    }
    await app.stop()
}

extension Dapr_Proto_Runtime_V1_TopicSubscription {
    /// A subscription as an app lists it.
    static func make(
        topic: String, rules: [(match: String, path: String)] = [], defaultPath: String = "",
        deadLetterTopic: String = "", metadata: [String: String] = [:], bulk: (count: Int32, awaitMs: Int32)? = nil
    ) -> Self {
        var subscription = Self()
        subscription.pubsubName = "pubsub"
        subscription.topic = topic
        subscription.metadata = metadata
        subscription.deadLetterTopic = deadLetterTopic
        var routes = Dapr_Proto_Runtime_V1_TopicRoutes()
        routes.rules = rules.map { rule in
            var topicRule = Dapr_Proto_Runtime_V1_TopicRule()
            topicRule.match = rule.match
            topicRule.path = rule.path
            return topicRule
        }
        routes.default = defaultPath
        subscription.routes = routes
        if let bulk {
            var config = Dapr_Proto_Runtime_V1_BulkSubscribeConfig()
            config.enabled = true
            config.maxMessagesCount = bulk.count
            config.maxAwaitDurationMs = bulk.awaitMs
            subscription.bulkSubscribe = config
        }
        return subscription
    }
}

extension Dapr_Proto_Runtime_V1_BulkPublishRequest {
    /// A bulk publish to `pubsub`/`topic` of JSON events, each `(entryID, json)`.
    static func json(topic: String, _ entries: [(id: String, json: String)]) -> Self {
        var request = Self()
        request.pubsubName = "pubsub"
        request.topic = topic
        request.entries = entries.map { id, json in
            var entry = Dapr_Proto_Runtime_V1_BulkPublishRequestEntry()
            entry.entryID = id
            entry.event = Data(json.utf8)
            entry.contentType = "application/json"
            return entry
        }
        return request
    }
}
