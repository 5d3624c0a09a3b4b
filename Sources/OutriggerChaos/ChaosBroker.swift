/// The durable pub/sub components the chaos run covers, with what each needs to be run fairly:
/// its component metadata (consumer group shared by the two sidecars), how its broker is
/// "restarted" without losing what it acknowledged, and how long the survivor of a `kill -9`
/// needs to take the killed sidecar's messages over.
public enum ChaosBroker: String, Sendable, CaseIterable {
    /// Redis Streams.
    case redis = "pubsub.redis"
    /// Kafka (here librdkafka's mock cluster).
    case kafka = "pubsub.kafka"
    /// RabbitMQ.
    case rabbitmq = "pubsub.rabbitmq"
    /// MQTT 3.1.1 (mosquitto).
    case mqtt3 = "pubsub.mqtt3"
    /// NATS JetStream.
    case jetstream = "pubsub.jetstream"

    /// Accepts `redis` as well as `pubsub.redis`.
    public init?(name: String) {
        guard let broker = Self(rawValue: name) ?? Self(rawValue: "pubsub." + name) else { return nil }
        self = broker
    }

    /// The component's metadata for sidecar `sidecar`, on a broker listening on `port`.
    func metadata(port: Int, sidecar: SidecarIndex) -> [(String, String)] {
        switch self {
        case .redis:
            // processingTimeout: how long an entry of the killed sidecar waits before the
            // survivor claims it.
            [("redisHost", "127.0.0.1:\(port)"), ("consumerID", "chaos"), ("processingTimeout", "5s"), ("redeliverInterval", "1s"), ("concurrency", "50")]
        case .kafka:
            [
                ("brokers", "127.0.0.1:\(port)"), ("authType", "none"), ("consumerGroup", "chaos"), ("initialOffset", "oldest"),
                ("sessionTimeout", "6s"), ("heartbeatInterval", "500ms"), ("consumerFetchMaxWait", "10ms"),
            ]
        case .rabbitmq:
            [
                ("connectionString", "amqp://guest:guest@127.0.0.1:\(port)/"), ("consumerID", "chaos"), ("durable", "true"),
                ("deletedWhenUnused", "false"), ("deliveryMode", "2"),
            ]
        case .mqtt3:
            // Each replica needs its own client id prefix; the shared subscription is the group.
            [
                ("url", "tcp://127.0.0.1:\(port)"), ("consumerID", "chaos-\(sidecar)"), ("qos", "1"), ("cleanSession", "false"),
                ("sharedSubscriptions", "true"),
            ]
        case .jetstream:
            [("natsURL", "nats://127.0.0.1:\(port)"), ("streamName", "chaos"), ("queueGroupName", "chaos"), ("ackWait", "5s")]
        }
    }

    /// How long a killed sidecar stays down, so that the survivor can take its messages over
    /// (the broker's redelivery time plus a margin).
    var takeoverWindow: Duration {
        switch self {
        case .redis: .seconds(8)  // processingTimeout 5 s, looked for every 1 s
        case .kafka: .seconds(10)  // session timeout 6 s, then a rebalance
        case .rabbitmq: .seconds(3)  // the broker requeues when the connection drops
        case .mqtt3: .seconds(3)  // no takeover: the session waits for its own client id
        case .jetstream: .seconds(8)  // ackWait 5 s
        }
    }

    /// What the "broker restart" fault does to this broker.
    public var restartDescription: String {
        switch self {
        case .redis: "kill -9, restart (AOF, appendfsync everysec)"
        case .kafka: "frozen 10 s (SIGSTOP/SIGCONT) instead: the mock keeps its log in memory, a restart would empty it"
        case .rabbitmq: "kill -9 of the node, restart (durable queue, persistent messages)"
        case .mqtt3: "SIGTERM, restart (mosquitto saves its store on the way out; kill -9 loses what it took since its last save)"
        case .jetstream: "kill -9, restart (file store, -sd)"
        }
    }

    /// What two sidecars of one consumer group can share on this broker.
    public var sharingNote: String {
        switch self {
        case .redis: "one consumer group (consumerID); the survivor claims the killed sidecar's pending entries after processingTimeout"
        case .kafka: "one consumer group; the killed member's partitions move to the survivor after the session timeout"
        case .rabbitmq: "one queue (consumerID); the broker requeues the killed consumer's unacknowledged messages at once"
        case .mqtt3:
            "shared subscription ($share/<group>/topic): new messages go to the survivor, but the killed sidecar's in-flight messages stay in its own persistent session until it reconnects (MQTT 3.1.1 cannot hand them over); mosquitto 2.0.11 does not restore shared subscriptions from its store, so after a restart a sidecar's publish waits until its own subscription is granted again (a sidecar that only publishes is not covered)"
        case .jetstream: "one durable pull consumer; the killed sidecar's unacknowledged messages come back to the survivor after ackWait"
        }
    }
}
