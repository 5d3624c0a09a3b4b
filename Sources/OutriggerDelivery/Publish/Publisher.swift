import CloudEvents
import Foundation
import OutriggerCore

/// The outbound path shared by the HTTP and gRPC front doors: wrap the app's bytes in a
/// CloudEvent (or not, with `rawPayload`), apply TTL, hand it to the component.
public struct Publisher: Sendable {
    public let appID: String
    public let components: LoadedComponents
    /// Resiliency documents whose `outbound` targets retry publishes to a component.
    public let policies: ResiliencyTable
    /// Starts the publish span and the context the envelope carries.
    public var tracer: SidecarTracer = .propagationOnly

    public init(appID: String, components: LoadedComponents, resiliencies: [ResiliencySpec] = []) {
        self.init(appID: appID, components: components, policies: ResiliencyTable(resiliencies))
    }

    public init(appID: String, components: LoadedComponents, policies: ResiliencyTable) {
        self.appID = appID
        self.components = components
        self.policies = policies
    }

    /// The Resiliency documents in force now.
    public var resiliencies: [ResiliencySpec] { policies.specs }

    /// Runs `operation` under the component's outbound policy (see ``OutboundPolicy``).
    func withOutboundPolicy<T: Sendable>(_ component: String, _ operation: @escaping @Sendable () async throws -> T) async throws -> T {
        try await OutboundPolicy(resiliencies: resiliencies).run(component, operation)
    }

    /// One publish request as the app made it.
    public struct Request: Sendable {
        public var pubsubName: String
        public var topic: String
        public var data: [UInt8]
        public var contentType: String?
        /// `metadata.X` query parameters / gRPC metadata.
        public var metadata: [String: String]
        public var traceParent: String
        public var traceState: String

        public init(pubsubName: String, topic: String, data: [UInt8], contentType: String?, metadata: [String: String] = [:], traceParent: String = "", traceState: String = "") {
            self.pubsubName = pubsubName
            self.topic = topic
            self.data = data
            self.contentType = contentType
            self.metadata = metadata
            self.traceParent = traceParent
            self.traceState = traceState
        }
    }

    /// The component for `name`, or the Dapr error to answer.
    public func pubsub(_ name: String, topic: String) throws(PublishError) -> any PubSub {
        if let pubsub = components.pubsub(named: name) {
            guard !topic.isEmpty else { throw .topicEmpty(name) }
            return pubsub
        }
        guard !components.pubsubNames.isEmpty else { throw .notConfigured }
        guard !name.isEmpty else { throw .pubsubEmpty }
        guard let pubsub = components.pubsub(named: name) else { throw .pubsubNotFound(name) }
        guard !topic.isEmpty else { throw .topicEmpty(name) }
        return pubsub
    }

    /// The message the broker receives for `request`.
    public func message(for request: Request) throws(PublishError) -> OutgoingMessage {
        let metadata = request.metadata
        let raw = metadata.lowercasedValue("rawPayload")?.lowercased() == "true"
        var ttl: Int?
        if let text = metadata.lowercasedValue("ttlInSeconds") {
            guard let seconds = Int(text), seconds >= 0 else {
                throw .malformed("metadata ttlInSeconds must be a non-negative integer, got '\(text)'")
            }
            ttl = seconds
        }
        if raw {
            return OutgoingMessage(topic: request.topic, data: request.data, contentType: request.contentType ?? "application/octet-stream", metadata: metadata)
        }
        var event: CloudEvent
        if let contentType = request.contentType, ContentType.isCloudEvent(contentType) {
            do {
                event = try Envelope.fromPublished(request.data, topic: request.topic, pubsubName: request.pubsubName, traceParent: request.traceParent, traceState: request.traceState)
            } catch {
                throw .cloudEventSerialization("the body is not a valid CloudEvent: \(error)")
            }
        } else {
            event = Envelope.wrap(
                data: request.data, dataContentType: request.contentType,
                id: nil, source: appID, type: nil, subject: nil,
                topic: request.topic, pubsubName: request.pubsubName, traceParent: request.traceParent, traceState: request.traceState)
        }
        for (key, value) in metadata {
            let lower = key.lowercased()
            guard lower.hasPrefix("cloudevent.") else { continue }
            switch String(lower.dropFirst("cloudevent.".count)) {
            case "id": event.id = value
            case "source": event.source = value
            case "type": event.type = value
            case "subject": event.subject = value
            case "datacontenttype": event.dataContentType = value
            case "specversion": event.specVersion = value
            case "time": event.time = value
            case let name: event.extensions[name] = .string(value)
            }
        }
        if let ttl {
            event.expiration = CloudEventTime.format(secondsSince1970: Date().timeIntervalSince1970 + Double(ttl))
        }
        return OutgoingMessage(topic: request.topic, data: event.structuredBytes(), contentType: ContentType.cloudEventJSON, metadata: metadata)
    }

    /// Wraps and publishes; throws ``PublishError`` with the Dapr error to answer. The request's
    /// `traceparent` is the parent of the publish span, whose context the envelope carries.
    public func publish(_ request: Request) async throws(PublishError) {
        let pubsub = try pubsub(request.pubsubName, topic: request.topic)
        let span = publishSpan(pubsubName: request.pubsubName, topic: request.topic, traceParent: request.traceParent, traceState: request.traceState)
        var request = request
        (request.traceParent, request.traceState) = (span.traceParent, span.traceState)
        let message: OutgoingMessage
        do throws(PublishError) {
            message = try self.message(for: request)
        } catch {
            span.end(error: error.description)
            throw error
        }
        do {
            try await withOutboundPolicy(request.pubsubName) { try await pubsub.publish(message) }
        } catch {
            span.end(error: "\(error)")
            throw .publishFailed(request.pubsubName, request.topic, "\(error)")
        }
        span.end()
    }

    /// The span of one publish (or one bulk publish) to `topic`.
    func publishSpan(pubsubName: String, topic: String, traceParent: String, traceState: String) -> TraceSpan {
        tracer.start("publish \(topic)", kind: .producer, parent: traceParent, traceState: traceState, attributes: [
            ("messaging.operation.type", "publish"), ("messaging.destination.name", topic), ("dapr.pubsub", pubsubName),
        ])
    }
}

/// Why a publish was refused, with Dapr's error code and HTTP status.
public enum PublishError: Error, Sendable, Equatable, CustomStringConvertible {
    case notConfigured
    case pubsubEmpty
    case pubsubNotFound(String)
    case topicEmpty(String)
    case malformed(String)
    case cloudEventSerialization(String)
    case publishFailed(String, String, String)

    /// Dapr's `errorCode`.
    public var code: String {
        switch self {
        case .notConfigured: "ERR_PUBSUB_NOT_CONFIGURED"
        case .pubsubEmpty: "ERR_PUBSUB_EMPTY"
        case .pubsubNotFound: "ERR_PUBSUB_NOT_FOUND"
        case .topicEmpty: "ERR_TOPIC_NAME_EMPTY"
        case .malformed: "ERR_PUBSUB_REQUEST_METADATA"
        case .cloudEventSerialization: "ERR_PUBSUB_CLOUD_EVENTS_SER"
        case .publishFailed: "ERR_PUBSUB_PUBLISH_MESSAGE"
        }
    }

    /// Dapr's HTTP status for the code.
    public var httpStatus: Int {
        switch self {
        case .notConfigured, .malformed, .cloudEventSerialization: 400
        case .pubsubEmpty, .pubsubNotFound, .topicEmpty: 404
        case .publishFailed: 500
        }
    }

    public var description: String {
        switch self {
        case .notConfigured: "no pubsub is configured"
        case .pubsubEmpty: "pubsub name is empty"
        case .pubsubNotFound(let name): "pubsub '\(name)' not found"
        case .topicEmpty(let name): "topic is empty in pubsub \(name)"
        case .malformed(let text): text
        case .cloudEventSerialization(let text): text
        case .publishFailed(let pubsub, let topic, let reason): "error when publish to topic \(topic) in pubsub \(pubsub): \(reason)"
        }
    }
}

extension Dictionary where Key == String, Value == String {
    /// The value of `key`, matched case-insensitively (Dapr metadata keys are).
    func lowercasedValue(_ key: String) -> String? {
        if let value = self[key] { return value }
        let lower = key.lowercased()
        return first { $0.key.lowercased() == lower }?.value
    }
}
