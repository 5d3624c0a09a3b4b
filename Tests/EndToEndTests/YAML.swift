/// Dapr resource documents for the tests' resources folders.
enum YAML {
    /// A YAML single-quoted scalar.
    static func quoted(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "'", with: "''") + "'"
    }

    static func pubsub(name: String = "pubsub", type: String = "pubsub.in-memory") -> String {
        component(name: name, type: type, metadata: [("maxBufferedMessages", "1000")])
    }

    /// A `pubsub.redis` component on the Redis of `conformance/brokers.sh`.
    static func redisPubsub(name: String = "pubsub", processingTimeout: String = "60s") -> String {
        component(name: name, type: "pubsub.redis", metadata: [("redisHost", "127.0.0.1:6379"), ("processingTimeout", processingTimeout)])
    }

    /// A `dapr.io/v1alpha1` Component with string metadata.
    static func component(name: String, type: String, metadata: [(String, String)]) -> String {
        """
        apiVersion: dapr.io/v1alpha1
        kind: Component
        metadata:
          name: \(name)
        spec:
          type: \(type)
          version: v1
          metadata:

        """ + metadata.map { "    - name: \($0.0)\n      value: \(quoted($0.1))\n" }.joined()
    }

    /// A `dapr.io/v1alpha1` Subscription (`spec.route`).
    static func subscriptionV1(
        name: String, topic: String, route: String, pubsub: String = "pubsub",
        deadLetterTopic: String? = nil, metadata: [String: String] = [:], scopes: [String] = []
    ) -> String {
        var text = """
            apiVersion: dapr.io/v1alpha1
            kind: Subscription
            metadata:
              name: \(name)
            spec:
              pubsubname: \(pubsub)
              topic: \(quoted(topic))
              route: \(quoted(route))

            """
        text += common(deadLetterTopic: deadLetterTopic, metadata: metadata, scopes: scopes)
        return text
    }

    /// A `dapr.io/v2alpha1` Subscription (`spec.routes.rules` and `spec.routes.default`).
    static func subscriptionV2(
        name: String, topic: String, rules: [(match: String, path: String)] = [], defaultRoute: String? = nil,
        pubsub: String = "pubsub", deadLetterTopic: String? = nil, metadata: [String: String] = [:], scopes: [String] = []
    ) -> String {
        var text = """
            apiVersion: dapr.io/v2alpha1
            kind: Subscription
            metadata:
              name: \(name)
            spec:
              pubsubname: \(pubsub)
              topic: \(quoted(topic))
              routes:

            """
        if !rules.isEmpty {
            text += "    rules:\n"
            for rule in rules {
                text += "      - match: \(quoted(rule.match))\n        path: \(quoted(rule.path))\n"
            }
        }
        if let defaultRoute { text += "    default: \(quoted(defaultRoute))\n" }
        text += common(deadLetterTopic: deadLetterTopic, metadata: metadata, scopes: scopes)
        return text
    }

    private static func common(deadLetterTopic: String?, metadata: [String: String], scopes: [String]) -> String {
        var text = ""
        if let deadLetterTopic { text += "  deadLetterTopic: \(quoted(deadLetterTopic))\n" }
        if !metadata.isEmpty {
            text += "  metadata:\n"
            for (key, value) in metadata.sorted(by: { $0.key < $1.key }) { text += "    \(key): \(quoted(value))\n" }
        }
        if !scopes.isEmpty {
            text += "scopes:\n"
            for scope in scopes { text += "  - \(scope)\n" }
        }
        return text
    }

    /// A Resiliency document giving `pubsub`'s inbound direction a constant retry policy.
    /// With `timeout`, each attempt is also limited to that long.
    static func resiliency(pubsub: String = "pubsub", maxRetries: Int, duration: String = "50ms", timeout: String? = nil) -> String {
        """
        apiVersion: dapr.io/v1alpha1
        kind: Resiliency
        metadata:
          name: e2e-resiliency
        spec:
          policies:
        \(timeout.map { "    timeouts:\n      e2e: \($0)\n" } ?? "")\
            retries:
              e2e:
                policy: constant
                duration: \(duration)
                maxRetries: \(maxRetries)
          targets:
            components:
              \(pubsub):
                inbound:
                  retry: e2e
        \(timeout == nil ? "" : "          timeout: e2e\n")
        """
    }

    /// Several documents in one file.
    /// A `secretstores.local.env` component named `name`.
    static func envSecretStore(name: String = "env") -> String {
        """
        apiVersion: dapr.io/v1alpha1
        kind: Component
        metadata:
          name: \(name)
        spec:
          type: secretstores.local.env
          version: v1
        """
    }

    static func documents(_ documents: String...) -> String {
        documents.joined(separator: "---\n")
    }
}
