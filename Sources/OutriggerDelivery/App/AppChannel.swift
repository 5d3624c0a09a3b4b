import CloudEvents
import OutriggerCore

/// The way the sidecar reaches the app: HTTP or gRPC. The pipeline knows nothing else of it.
public protocol AppChannel: Sendable {
    /// The subscriptions the app declares (`GET /dapr/subscribe`, `ListTopicSubscriptions`).
    func subscriptions() async throws -> [SubscriptionSpec]
    /// Delivers one event; throwing means the app could not be reached (the pipeline retries).
    func deliver(_ event: AppEvent) async throws -> AppAnswer
    /// Delivers a batch of a bulk subscription; answers per entry id. Throwing retries them all.
    func deliverBulk(_ batch: AppBulkEvent) async throws -> [String: AppAnswer]
    /// Delivers one input-binding event to `POST /{route}`: any 2xx is success, anything else
    /// a failure to retry (no RETRY/DROP bodies for bindings).
    func deliverBinding(_ event: AppBindingEvent) async throws -> AppAnswer
    /// Whether the app takes the input binding's events: HTTP `OPTIONS /{route}` answering
    /// anything but 404; gRPC `ListInputBindings` naming it. Throws when the app is unreachable.
    func wantsBinding(name: String, route: String) async throws -> Bool
}

/// One event on its way to an app route.
public struct AppEvent: Sendable {
    /// The route, e.g. `/orders` (always with a leading slash).
    public var path: String
    /// The structured CloudEvent.
    public var body: [UInt8]
    public var contentType: String
    public var topic: String
    public var pubsubName: String
    /// W3C trace context carried by the event, forwarded as headers.
    public var traceParent: String?
    public var traceState: String?
    /// The CloudEvent, for channels that send fields rather than bytes (gRPC).
    public var event: CloudEvent

    public init(path: String, body: [UInt8], contentType: String, topic: String, pubsubName: String, traceParent: String? = nil, traceState: String? = nil, event: CloudEvent) {
        self.path = path
        self.body = body
        self.contentType = contentType
        self.topic = topic
        self.pubsubName = pubsubName
        self.traceParent = traceParent
        self.traceState = traceState
        self.event = event
    }
}

/// A batch of events for a bulk subscription's route.
public struct AppBulkEvent: Sendable {
    public struct Entry: Sendable {
        public var entryID: String
        public var event: CloudEvent
        /// The structured CloudEvent bytes.
        public var body: [UInt8]

        public init(entryID: String, event: CloudEvent, body: [UInt8]) {
            self.entryID = entryID
            self.event = event
            self.body = body
        }
    }

    public var path: String
    public var topic: String
    public var pubsubName: String
    public var entries: [Entry]

    public init(path: String, topic: String, pubsubName: String, entries: [Entry]) {
        self.path = path
        self.topic = topic
        self.pubsubName = pubsubName
        self.entries = entries
    }
}

/// One input-binding event on its way to the app.
public struct AppBindingEvent: Sendable {
    /// The component's name (gRPC `OnBindingEvent` names it).
    public var binding: String
    /// The HTTP route: the component's `route` metadata, else its name (leading slash included).
    public var path: String
    public var data: [UInt8]
    /// Sent as HTTP headers / gRPC metadata.
    public var metadata: [String: String]

    public init(binding: String, path: String? = nil, data: [UInt8], metadata: [String: String]) {
        self.binding = binding
        self.path = path ?? "/" + binding
        self.data = data
        self.metadata = metadata
    }
}

/// What the app said about an event.
public enum AppAnswer: Sendable, Equatable {
    case success
    /// Try again later; the text says why (status word, HTTP code).
    case retry(String)
    /// Do not deliver again; the text says why.
    case drop(String)
}

extension AppAnswer {
    /// Reads an HTTP answer the way Dapr does.
    ///
    /// 2xx is success unless the body is a JSON object whose `status` is `RETRY` (retry), `DROP`
    /// (drop) or another non-empty word (retry, as an unknown status); an empty, `null`, non-JSON
    /// or status-less 2xx body is success. 404 drops; every other status retries.
    public static func fromHTTP(status: Int, body: [UInt8]) -> AppAnswer {
        switch status {
        case 200..<300:
            guard !body.isEmpty, let value = try? JSONValue(parsing: body),
                  let word = value["status"]?.stringValue, !word.isEmpty
            else { return .success }
            switch word.uppercased() {
            case "SUCCESS": return .success
            case "DROP": return .drop("app answered DROP")
            case "RETRY": return .retry("app answered RETRY")
            default: return .retry("app answered unknown status '\(word)'")
            }
        case 404:
            return .drop("app answered HTTP 404")
        default:
            return .retry("app answered HTTP \(status)")
        }
    }
}

extension AppAnswer {
    /// Reads an HTTP answer to an input-binding event: any 2xx is success, anything else a
    /// failure to retry.
    public static func fromHTTPBinding(status: Int) -> AppAnswer {
        (200..<300).contains(status) ? .success : .retry("app answered HTTP \(status)")
    }

    /// Reads an HTTP answer to a bulk delivery, per entry id: a 2xx without `statuses` means
    /// every entry succeeded; an entry missing from `statuses` is retried; 404 drops the batch;
    /// any other status retries it. Each status word is read as in ``fromHTTP(status:body:)``.
    public static func fromHTTPBulk(status: Int, body: [UInt8], entryIDs: [String]) -> [String: AppAnswer] {
        func all(_ answer: AppAnswer) -> [String: AppAnswer] {
            Dictionary(entryIDs.map { ($0, answer) }, uniquingKeysWith: { first, _ in first })
        }
        guard (200..<300).contains(status) else {
            return all(status == 404 ? .drop("app answered HTTP 404") : .retry("app answered HTTP \(status)"))
        }
        guard let value = try? JSONValue(parsing: body), case .array(let statuses)? = value["statuses"] else {
            return all(.success)
        }
        var answers: [String: AppAnswer] = [:]
        for item in statuses {
            guard let id = item["entryId"]?.stringValue, case .object(let object) = item else { continue }
            answers[id] = fromHTTP(status: 200, body: JSONValue.object(object).serialized())
        }
        return answers
    }
}

/// The channel of a sidecar started without `--app-port`: there is no app to deliver to.
public struct NoAppChannel: AppChannel {
    public struct Unavailable: Error, CustomStringConvertible {
        public var description: String { "no app port is configured (--app-port)" }
    }

    public init() {}

    public func subscriptions() async throws -> [SubscriptionSpec] { [] }
    public func deliver(_ event: AppEvent) async throws -> AppAnswer { throw Unavailable() }
    public func deliverBinding(_ event: AppBindingEvent) async throws -> AppAnswer { throw Unavailable() }
    public func wantsBinding(name: String, route: String) async throws -> Bool { false }
    public func deliverBulk(_ batch: AppBulkEvent) async throws -> [String: AppAnswer] { throw Unavailable() }
}
