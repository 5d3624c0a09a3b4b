import CloudEvents
import DaprProto
import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2Posix
import Logging
import OutriggerCore
import OutriggerDelivery
import ServiceLifecycle
import SwiftProtobuf
import Synchronization

/// Reaches a gRPC app on `--app-port` (`--app-protocol grpc`, plaintext HTTP/2) through Dapr's
/// `AppCallback` service: `ListTopicSubscriptions`, `OnTopicEvent`, `OnBulkTopicEvent` (falling
/// back to `AppCallbackAlpha.OnBulkTopicEventAlpha1` for older apps), `ListInputBindings` and
/// `OnBindingEvent`.
///
/// Answers are read as Dapr reads them: `TopicEventResponse.status` SUCCESS (also an empty
/// answer), RETRY or DROP; the gRPC status UNIMPLEMENTED (no handler for the topic) drops the
/// event; any other error, or an app that cannot be reached, retries it.
///
/// A `Service`: `run()` keeps the connection to the app until graceful shutdown. Register it
/// before the subscriptions, so it stops after deliveries have drained.
public final class GRPCAppChannel: AppChannel, Service {
    typealias Transport = HTTP2ClientTransport.Posix

    /// Which bulk method the app answers.
    private enum BulkMethod {
        case stable
        case alpha
    }

    /// A route as the pipeline names it (with a leading `/`), per topic.
    private struct RouteKey: Hashable {
        var pubsubName: String
        var topic: String
        var path: String
    }

    private let client: GRPCClient<Transport>
    private let callback: Dapr_Proto_Runtime_V1_AppCallback.Client<Transport>
    private let callbackAlpha: Dapr_Proto_Runtime_V1_AppCallbackAlpha.Client<Transport>
    private let requestTimeout: Duration
    private let startupTimeout: Duration
    private let logger: Logger
    private let declaredPaths = Mutex<[RouteKey: String]>([:])
    private let bulkMethod = Mutex(BulkMethod.stable)

    /// - Parameters:
    ///   - requestTimeout: how long one call may take when no Resiliency timeout is shorter.
    ///   - startupTimeout: how long `ListTopicSubscriptions` waits for the app's gRPC server.
    ///   - appAPIToken: sent as `dapr-api-token` metadata on every call (`APP_API_TOKEN`).
    public init(
        host: String = "127.0.0.1", port: Int, requestTimeout: Duration = .seconds(60), startupTimeout: Duration = .seconds(30),
        appAPIToken: String? = nil, logger: Logger
    ) throws {
        var config = Transport.Config.defaults
        // grpc-swift reconnects by itself; it gets its waits from the one Backoff's numbers.
        // Quick, because deliveries fail fast meanwhile and are retried by the pipeline.
        let reconnect = Backoff.appReconnect
        config.backoff = .init(initial: reconnect.initial, max: reconnect.maximum, multiplier: reconnect.multiplier, jitter: reconnect.jitter)
        config.flushPerLoopTick()
        let transport = try Transport(target: .ipv4(address: host, port: port), transportSecurity: .plaintext, config: config)
        client = GRPCClient(transport: transport, interceptors: appAPIToken.map { [AppAPITokenClientInterceptor(token: $0)] } ?? [])
        callback = Dapr_Proto_Runtime_V1_AppCallback.Client(wrapping: client)
        callbackAlpha = Dapr_Proto_Runtime_V1_AppCallbackAlpha.Client(wrapping: client)
        self.requestTimeout = requestTimeout
        self.startupTimeout = startupTimeout
        self.logger = logger
    }

    public func run() async throws {
        do {
            try await withGracefulShutdownHandler {
                try await client.runConnections()
            } onGracefulShutdown: {
                self.client.beginGracefulShutdown()
            }
        } catch where Task.isShuttingDownGracefully {
            // Shut down before the client ran (the app exited at once): there is nothing to close.
            logger.debug("gRPC app channel stopped before it connected", metadata: ["error": "\(error)"])
        }
    }

    private var deliveryOptions: CallOptions {
        var options = CallOptions.defaults
        options.timeout = requestTimeout
        options.waitForReady = false
        return options
    }

    /// `ListTopicSubscriptions`; an app that does not implement it subscribes to nothing.
    public func subscriptions() async throws -> [SubscriptionSpec] {
        var options = CallOptions.defaults
        options.timeout = startupTimeout
        options.waitForReady = true
        let response: Dapr_Proto_Runtime_V1_ListTopicSubscriptionsResponse
        do {
            response = try await callback.listTopicSubscriptions(Google_Protobuf_Empty(), options: options)
        } catch let error as RPCError where error.code == .unimplemented {
            return []
        }
        var specs: [SubscriptionSpec] = []
        var paths: [RouteKey: String] = [:]
        for (index, subscription) in response.subscriptions.enumerated() {
            let spec = try SubscriptionSpec(subscription, index: index)
            for path in spec.rules.map(\.path) + (spec.defaultRoute.map { [$0] } ?? []) {
                paths[RouteKey(pubsubName: spec.pubsubName, topic: spec.topic, path: Self.normalised(path)), default: path] = path
            }
            specs.append(spec)
        }
        declaredPaths.withLock { $0 = paths }
        return specs
    }

    /// `ListInputBindings`: the input bindings the app handles; none when it does not implement it.
    public func inputBindings() async throws -> [String] {
        do {
            return try await callback.listInputBindings(Google_Protobuf_Empty(), options: deliveryOptions).bindings
        } catch let error as RPCError where error.code == .unimplemented {
            return []
        }
    }

    public func deliver(_ event: AppEvent) async throws -> AppAnswer {
        let request = Dapr_Proto_Runtime_V1_TopicEventRequest(
            event: event.event, topic: event.topic, pubsubName: event.pubsubName,
            path: declaredPath(event.path, pubsubName: event.pubsubName, topic: event.topic))
        do {
            let response = try await callback.onTopicEvent(request, metadata: traceMetadata(event), options: deliveryOptions)
            return AppAnswer(response.status)
        } catch let error as RPCError {
            return AppAnswer(error)
        }
    }

    /// `OnBulkTopicEvent` (then `OnBulkTopicEventAlpha1` if the app lacks it) with each entry as
    /// a CloudEvent; an entry the app leaves out of `statuses` is retried.
    public func deliverBulk(_ batch: AppBulkEvent) async throws -> [String: AppAnswer] {
        var request = Dapr_Proto_Runtime_V1_TopicEventBulkRequest()
        request.id = Envelope.newID()
        request.topic = batch.topic
        request.pubsubName = batch.pubsubName
        request.type = "com.dapr.event.sent.bulk"
        request.path = declaredPath(batch.path, pubsubName: batch.pubsubName, topic: batch.topic)
        request.entries = batch.entries.map { entry in
            var item = Dapr_Proto_Runtime_V1_TopicEventBulkRequestEntry()
            item.entryID = entry.entryID
            item.contentType = ContentType.cloudEventJSON
            item.cloudEvent = Dapr_Proto_Runtime_V1_TopicEventCERequest(event: entry.event)
            return item
        }
        let entryIDs = batch.entries.map(\.entryID)
        func all(_ answer: AppAnswer) -> [String: AppAnswer] {
            Dictionary(entryIDs.map { ($0, answer) }, uniquingKeysWith: { first, _ in first })
        }
        let response: Dapr_Proto_Runtime_V1_TopicEventBulkResponse
        do {
            response = try await sendBulk(request)
        } catch let error as RPCError {
            return all(AppAnswer(error))
        }
        var answers: [String: AppAnswer] = [:]
        for status in response.statuses { answers[status.entryID] = AppAnswer(status.status) }
        return answers
    }

    private func sendBulk(_ request: Dapr_Proto_Runtime_V1_TopicEventBulkRequest) async throws -> Dapr_Proto_Runtime_V1_TopicEventBulkResponse {
        if bulkMethod.withLock({ $0 }) == .stable {
            do {
                return try await callback.onBulkTopicEvent(request, options: deliveryOptions)
            } catch let error as RPCError where error.code == .unimplemented {
                // An app built before OnBulkTopicEvent: try the alpha service, and stay with it if it answers.
                let response = try await callbackAlpha.onBulkTopicEventAlpha1(request, options: deliveryOptions)
                bulkMethod.withLock { $0 = .alpha }
                logger.debug("the app answers bulk deliveries on AppCallbackAlpha.OnBulkTopicEventAlpha1")
                return response
            }
        }
        return try await callbackAlpha.onBulkTopicEventAlpha1(request, options: deliveryOptions)
    }

    /// Whether `ListInputBindings` names the binding (the route plays no part over gRPC).
    public func wantsBinding(name: String, route: String) async throws -> Bool {
        try await inputBindings().contains(name)
    }

    /// `OnBindingEvent`: any answer is success; an error retries the event, UNIMPLEMENTED drops it.
    public func deliverBinding(_ event: AppBindingEvent) async throws -> AppAnswer {
        var request = Dapr_Proto_Runtime_V1_BindingEventRequest()
        request.name = event.binding
        request.data = Data(event.data)
        request.metadata = event.metadata
        do {
            _ = try await callback.onBindingEvent(request, options: deliveryOptions)
            return .success
        } catch let error as RPCError {
            return AppAnswer(error)
        }
    }

    /// The route as the app declared it: Dapr sends `TopicEventRequest.path` verbatim (the
    /// Python SDK, for one, matches it exactly), while the pipeline names routes with a leading `/`.
    private func declaredPath(_ path: String, pubsubName: String, topic: String) -> String {
        declaredPaths.withLock { $0[RouteKey(pubsubName: pubsubName, topic: topic, path: path)] } ?? path
    }

    private func traceMetadata(_ event: AppEvent) -> Metadata {
        var metadata: Metadata = [:]
        if let traceParent = event.traceParent, !traceParent.isEmpty { metadata.addString(traceParent, forKey: "traceparent") }
        if let traceState = event.traceState, !traceState.isEmpty { metadata.addString(traceState, forKey: "tracestate") }
        return metadata
    }

    private static func normalised(_ path: String) -> String {
        path.hasPrefix("/") ? path : "/" + path
    }
}
