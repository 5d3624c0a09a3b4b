/// The resource documents of the chaos run: the broker's Component, the Resiliency policy of
/// the delivery, and the app's subscriptions (answered on `GET /dapr/subscribe`).
enum ChaosResources {
    /// The topic the events are published to, and its dead-letter topic.
    static let topic = "chaos"
    static let deadLetterTopic = "chaos-dead"
    /// The per-attempt delivery timeout (`timeouts.app` below).
    static let deliveryTimeout = Duration.seconds(1)

    /// The Component named `pubsub` for `broker`, as sidecar `sidecar` uses it.
    static func component(_ broker: ChaosBroker, port: Int, sidecar: SidecarIndex) -> String {
        var text = """
            apiVersion: dapr.io/v1alpha1
            kind: Component
            metadata:
              name: pubsub
            spec:
              type: \(broker.rawValue)
              version: v1
              metadata:

            """
        for (name, value) in broker.metadata(port: port, sidecar: sidecar) {
            text += "    - name: \(name)\n      value: \"\(value)\"\n"
        }
        return text
    }

    /// Deliveries: 1 s per attempt, 3 retries 200 ms apart, then the dead-letter topic.
    /// Publishes: up to 5 retries 200 ms apart inside the sidecar (a broker restart makes
    /// them fail for longer; the publishers then try again themselves).
    static let resiliency = """
        apiVersion: dapr.io/v1alpha1
        kind: Resiliency
        metadata:
          name: chaos
        spec:
          policies:
            timeouts:
              app: 1s
            retries:
              delivery: {policy: constant, duration: 200ms, maxRetries: 3}
              publish: {policy: constant, duration: 200ms, maxRetries: 5}
          targets:
            components:
              pubsub:
                inbound: {timeout: app, retry: delivery}
                outbound: {retry: publish}

        """

    /// The body of `GET /dapr/subscribe`: the topic with its dead-letter topic, and the
    /// dead-letter topic itself.
    static let subscriptions = """
        [{"pubsubname": "pubsub", "topic": "\(topic)", "route": "/events", "deadLetterTopic": "\(deadLetterTopic)"},
         {"pubsubname": "pubsub", "topic": "\(deadLetterTopic)", "route": "/dead"}]
        """
}
