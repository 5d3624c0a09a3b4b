import CloudEvents
import Logging
import NIOCore
import NIOHTTP1
import OutriggerCore
import OutriggerDelivery

/// Reaches an HTTP app on `--app-port`: `GET /dapr/subscribe`, `POST /{route}`, `POST /{binding}`.
public final class HTTPAppChannel: AppChannel {
    private let client: AppHTTPClient
    private let requestTimeout: Duration
    private let logger: Logger

    /// - Parameters:
    ///   - maxConnections: connections kept to the app; bounds concurrent deliveries over HTTP/1.1.
    ///   - requestTimeout: how long one call may take when no Resiliency timeout is shorter.
    ///   - appAPIToken: sent as `dapr-api-token` on every call (`APP_API_TOKEN`), so the app can
    ///     tell the sidecar's calls from others.
    public init(
        host: String = "127.0.0.1", port: Int, maxConnections: Int = 64, requestTimeout: Duration = .seconds(60), appAPIToken: String? = nil,
        logger: Logger
    ) {
        self.client = AppHTTPClient(
            host: host, port: port, maxConnections: maxConnections, commonHeaders: appAPIToken.map { [(apiTokenHeader, $0)] } ?? [])
        self.requestTimeout = requestTimeout
        self.logger = logger
    }

    public func shutdown() async throws {
        await client.shutdown()
    }

    public func subscriptions() async throws -> [SubscriptionSpec] {
        let response = try await client.request(
            method: .GET, path: "/dapr/subscribe", headers: [], body: [], timeout: requestTimeout, maxResponseBytes: 16 << 20)
        switch response.status {
        case 200..<300:
            return response.body.isEmpty ? [] : try AppSubscriptionList.parse(response.body)
        case 404:
            return []
        default:
            throw AppSubscriptionList.Error(message: "GET /dapr/subscribe answered HTTP \(response.status)")
        }
    }

    public func deliver(_ event: AppEvent) async throws -> AppAnswer {
        var headers = [("content-type", event.contentType), ("pubsubname", event.pubsubName), ("topic", event.topic)]
        if let traceParent = event.traceParent, !traceParent.isEmpty { headers.append(("traceparent", traceParent)) }
        if let traceState = event.traceState, !traceState.isEmpty { headers.append(("tracestate", traceState)) }
        return try await send(path: event.path, headers: headers, body: event.body)
    }

    /// Dapr's bulk envelope: `{"entries":[{"entryId","event","contentType","metadata"}], "id",
    /// "metadata", "pubsubname", "topic", "type"}`; the app answers
    /// `{"statuses":[{"entryId","status"}]}`. A 2xx without statuses means every entry succeeded;
    /// an entry missing from the statuses is retried; 404 drops the batch; other codes retry it.
    public func deliverBulk(_ batch: AppBulkEvent) async throws -> [String: AppAnswer] {
        var body: [UInt8] = Array(#"{"entries":["#.utf8)
        body.reserveCapacity(batch.entries.reduce(256) { $0 + $1.body.count + 96 })
        for (index, entry) in batch.entries.enumerated() {
            if index > 0 { body.append(UInt8(ascii: ",")) }
            body.append(contentsOf: #"{"entryId":"#.utf8)
            JSONText.appendString(entry.entryID, to: &body)
            body.append(contentsOf: #","event":"#.utf8)
            body.append(contentsOf: entry.body)
            body.append(contentsOf: #","contentType":"application/cloudevents+json","metadata":{}}"#.utf8)
        }
        body.append(contentsOf: #"],"id":"#.utf8)
        JSONText.appendString(Envelope.newID(), to: &body)
        body.append(contentsOf: #","metadata":{},"pubsubname":"#.utf8)
        JSONText.appendString(batch.pubsubName, to: &body)
        body.append(contentsOf: #","topic":"#.utf8)
        JSONText.appendString(batch.topic, to: &body)
        body.append(contentsOf: #","type":"com.dapr.event.sent.bulk"}"#.utf8)

        let headers = [("content-type", "application/json"), ("pubsubname", batch.pubsubName), ("topic", batch.topic)]
        let response = try await client.request(
            method: .POST, path: batch.path, headers: headers, body: body, timeout: requestTimeout, maxResponseBytes: 16 << 20)
        return AppAnswer.fromHTTPBulk(status: response.status, body: response.body, entryIDs: batch.entries.map(\.entryID))
    }

    public func deliverBinding(_ event: AppBindingEvent) async throws -> AppAnswer {
        let response = try await client.request(
            method: .POST, path: event.path, headers: event.metadata.sorted { $0.key < $1.key }.map { ($0.key, $0.value) },
            body: event.data, timeout: requestTimeout, maxResponseBytes: 1 << 20)
        return AppAnswer.fromHTTPBinding(status: response.status)
    }

    /// `OPTIONS /{route}`: 404 means the app has no such route; any other answer (405 too)
    /// means it takes the binding's events, as daprd reads it.
    public func wantsBinding(name: String, route: String) async throws -> Bool {
        let response = try await client.request(
            method: .OPTIONS, path: route, headers: [], body: [], timeout: requestTimeout, maxResponseBytes: 64 << 10)
        return response.status != 404
    }

    private func send(path: String, headers: [(String, String)], body: [UInt8]) async throws -> AppAnswer {
        let response = try await client.request(
            method: .POST, path: path, headers: headers, body: body, timeout: requestTimeout, maxResponseBytes: 1 << 20)
        return AppAnswer.fromHTTP(status: response.status, body: response.body)
    }
}

/// The JSON an app answers to `GET /dapr/subscribe`.
public enum AppSubscriptionList {
    public struct Error: Swift.Error, Sendable, CustomStringConvertible {
        public var message: String
        public var description: String { message }
    }

    /// Parses Dapr's list: `[{pubsubname, topic, route | routes{rules[{match,path}], default},
    /// metadata, deadLetterTopic, bulkSubscribe{enabled, maxMessagesCount, maxAwaitDurationMs}}]`.
    public static func parse(_ bytes: [UInt8]) throws -> [SubscriptionSpec] {
        let value: JSONValue
        do {
            value = try JSONValue(parsing: bytes)
        } catch {
            throw Error(message: "GET /dapr/subscribe: the answer is not JSON: \(error)")
        }
        if case .null = value { return [] }
        guard case .array(let items) = value else { throw Error(message: "GET /dapr/subscribe: expected a JSON array") }
        return try items.enumerated().map { index, item in
            func fail(_ text: String) -> Error { Error(message: "GET /dapr/subscribe: item \(index): \(text)") }
            guard let pubsub = item["pubsubname"]?.stringValue, !pubsub.isEmpty else { throw fail("'pubsubname' is required") }
            guard let topic = item["topic"]?.stringValue, !topic.isEmpty else { throw fail("'topic' is required") }
            var rules: [SubscriptionSpec.Rule] = []
            var defaultRoute = item["route"]?.stringValue
            if let routes = item["routes"]?.objectValue {
                if let route = routes["default"]?.stringValue, !route.isEmpty { defaultRoute = route }
                if case .array(let ruleItems)? = routes["rules"] {
                    for rule in ruleItems {
                        guard let match = rule["match"]?.stringValue, let path = rule["path"]?.stringValue, !path.isEmpty else {
                            throw fail("every routes.rules item needs 'match' and 'path'")
                        }
                        rules.append(.init(match: match, path: path))
                    }
                }
            }
            guard defaultRoute != nil || !rules.isEmpty else { throw fail("'route' or 'routes' is required") }
            var metadata: [String: String] = [:]
            for (key, entry) in item["metadata"]?.objectValue ?? JSONObject() {
                metadata[key] = entry.stringValue ?? String(decoding: entry.serialized(), as: UTF8.self)
            }
            var bulk: SubscriptionSpec.BulkOptions?
            if let options = item["bulkSubscribe"]?.objectValue {
                bulk = SubscriptionSpec.BulkOptions(
                    enabled: options["enabled"] == .bool(true),
                    maxMessagesCount: options["maxMessagesCount"]?.doubleValue.map { Int($0) } ?? 100,
                    maxAwaitDuration: .milliseconds(options["maxAwaitDurationMs"]?.doubleValue.map { Int($0) } ?? 1000))
            }
            let deadLetter = item["deadLetterTopic"]?.stringValue
            return SubscriptionSpec(
                pubsubName: pubsub, topic: topic, rules: rules, defaultRoute: defaultRoute,
                deadLetterTopic: deadLetter?.isEmpty == true ? nil : deadLetter,
                bulkSubscribe: bulk, metadata: metadata, source: .app)
        }
    }
}

