/// A subscription, from a `kind: Subscription` document or from the app's `GET /dapr/subscribe`.
public struct SubscriptionSpec: Sendable, Equatable {
    /// A `routes.rules[]` entry: deliver to `path` when `match` is true.
    public struct Rule: Sendable, Hashable {
        public var match: String
        public var path: String

        public init(match: String, path: String) {
            self.match = match
            self.path = path
        }
    }

    /// `bulkSubscribe`: deliver events to the app in batches.
    public struct BulkOptions: Sendable, Hashable {
        public var enabled: Bool
        public var maxMessagesCount: Int
        public var maxAwaitDuration: Duration

        public init(enabled: Bool, maxMessagesCount: Int = 100, maxAwaitDuration: Duration = .milliseconds(1000)) {
            self.enabled = enabled
            self.maxMessagesCount = maxMessagesCount
            self.maxAwaitDuration = maxAwaitDuration
        }
    }

    /// Where the subscription was declared.
    public enum Source: Sendable, Hashable, CustomStringConvertible {
        case resource(ResourceOrigin)
        case app
        case stream

        public var description: String {
            switch self {
            case .resource(let origin): "\(origin)"
            case .app: "GET /dapr/subscribe"
            case .stream: "streaming subscription"
            }
        }
    }

    public var name: String
    public var pubsubName: String
    public var topic: String
    public var rules: [Rule]
    public var defaultRoute: String?
    public var deadLetterTopic: String?
    public var bulkSubscribe: BulkOptions?
    public var metadata: [String: String]
    public var scopes: [String]
    public var source: Source

    public init(name: String = "", pubsubName: String, topic: String, rules: [Rule] = [], defaultRoute: String? = nil, deadLetterTopic: String? = nil, bulkSubscribe: BulkOptions? = nil, metadata: [String: String] = [:], scopes: [String] = [], source: Source) {
        self.name = name
        self.pubsubName = pubsubName
        self.topic = topic
        self.rules = rules
        self.defaultRoute = defaultRoute
        self.deadLetterTopic = deadLetterTopic
        self.bulkSubscribe = bulkSubscribe
        self.metadata = metadata
        self.scopes = scopes
        self.source = source
    }

    /// True when the subscription is not scoped away from `appID`.
    public func isVisible(to appID: String) -> Bool {
        scopes.isEmpty || scopes.contains(appID)
    }

    /// `metadata.rawPayload: "true"`: the topic carries bytes that are not CloudEvents.
    public var rawPayload: Bool {
        metadata.first(where: { $0.key.lowercased() == "rawpayload" })?.value.lowercased() == "true"
    }
}

extension SubscriptionSpec {
    static func read(_ document: YAMLField, apiVersion: String) throws(ConfigurationError) -> SubscriptionSpec {
        document.warnAboutUnknownMembers(["apiVersion", "kind", "metadata", "spec", "scopes"])
        let name = try document.child("metadata").child("name").requiredString()
        document.context.resource = "Subscription '\(name)'"
        let spec = document.child("spec")
        guard spec.isPresent else { throw spec.error("is required") }
        spec.warnAboutUnknownMembers(["topic", "route", "routes", "pubsubname", "deadLetterTopic", "bulkSubscribe", "metadata"])
        var rules: [Rule] = []
        var defaultRoute: String?
        if apiVersion == "dapr.io/v1alpha1", spec.child("route").isPresent {
            defaultRoute = try spec.child("route").requiredString()
        } else {
            let routes = spec.child("routes")
            routes.warnAboutUnknownMembers(["rules", "default"])
            for rule in try routes.child("rules").items() {
                rule.warnAboutUnknownMembers(["match", "path"])
                rules.append(Rule(match: try rule.child("match").requiredString(), path: try rule.child("path").requiredString()))
            }
            defaultRoute = try routes.child("default").string()
            if rules.isEmpty && defaultRoute == nil {
                throw (spec.child("route").isPresent ? spec.child("route") : routes)
                    .error(apiVersion == "dapr.io/v2alpha1"
                        ? "is required: give 'routes.default' or 'routes.rules' ('route' is the v1alpha1 form)"
                        : "is required: give 'route' or 'routes'")
            }
        }
        var bulk: BulkOptions?
        let bulkField = spec.child("bulkSubscribe")
        if bulkField.isPresent {
            bulkField.warnAboutUnknownMembers(["enabled", "maxMessagesCount", "maxAwaitDurationMs"])
            let count = try bulkField.child("maxMessagesCount").int() ?? 100
            let awaitMs = try bulkField.child("maxAwaitDurationMs").int() ?? 1000
            guard count > 0 else { throw bulkField.child("maxMessagesCount").error("must be at least 1") }
            guard awaitMs >= 0 else { throw bulkField.child("maxAwaitDurationMs").error("must not be negative") }
            bulk = BulkOptions(enabled: try bulkField.child("enabled").bool() ?? false, maxMessagesCount: count, maxAwaitDuration: .milliseconds(awaitMs))
        }
        return SubscriptionSpec(
            name: name,
            pubsubName: try spec.child("pubsubname").requiredString(),
            topic: try spec.child("topic").requiredString(),
            rules: rules,
            defaultRoute: defaultRoute,
            deadLetterTopic: try spec.child("deadLetterTopic").string(),
            bulkSubscribe: bulk,
            metadata: try spec.child("metadata").stringMap(),
            scopes: try document.child("scopes").stringList(),
            source: .resource(document.context.origin))
    }
}
