/// A JetStream consumer's configuration, as far as this client sets it.
public struct ConsumerConfiguration: Sendable, Equatable {
    /// Where a new consumer starts in its stream.
    public enum DeliverPolicy: Sendable, Equatable {
        case all
        case last
        case new
        case startSequence(UInt64)
        /// Nanoseconds since the Unix epoch.
        case startTime(nanosecondsSinceEpoch: Int64)
    }

    /// Which acknowledgements the server expects.
    public enum AckPolicy: String, Sendable, Equatable {
        case explicit, all, none
    }

    /// The durable name; the consumer outlives its subscribers.
    public var durableName: String
    /// Free text the server shows with the consumer.
    public var description: String?
    /// Only messages on this subject (wildcards allowed).
    public var filterSubject: String
    /// Where a new consumer starts.
    public var deliverPolicy: DeliverPolicy
    /// Which acknowledgements the server expects.
    public var ackPolicy: AckPolicy
    /// How long the server waits for an acknowledgement before delivering again; `nil`: the
    /// server's default (30 s).
    public var ackWait: Duration?
    /// The most deliveries of one message; `nil`: unlimited.
    public var maxDeliver: Int?
    /// Redelivery delays after AckWait expirations, one per delivery (the last repeats).
    public var backOff: [Duration]
    /// Delivered and not yet acknowledged messages the server allows at once (all
    /// subscribers together); `nil`: the server's default.
    public var maxAckPending: Int?
    /// Replicas of the consumer's state; `nil`: the stream's.
    public var replicas: Int?
    /// Keep the consumer's state in memory instead of the stream's storage.
    public var memoryStorage: Bool
    /// Makes it a push consumer delivering to this subject; `nil` (a pull consumer) is what
    /// ``NATSConnection/pullSubscribe(subject:stream:consumer:)`` reads.
    public var deliverSubject: String?

    /// A consumer of `filterSubject` named `durableName`; every other field as the server
    /// defaults it unless given.
    public init(
        durableName: String, description: String? = nil, filterSubject: String, deliverPolicy: DeliverPolicy = .all, ackPolicy: AckPolicy = .explicit,
        ackWait: Duration? = nil, maxDeliver: Int? = nil, backOff: [Duration] = [], maxAckPending: Int? = nil, replicas: Int? = nil,
        memoryStorage: Bool = false, deliverSubject: String? = nil
    ) {
        self.durableName = durableName
        self.description = description
        self.filterSubject = filterSubject
        self.deliverPolicy = deliverPolicy
        self.ackPolicy = ackPolicy
        self.ackWait = ackWait
        self.maxDeliver = maxDeliver
        self.backOff = backOff
        self.maxAckPending = maxAckPending
        self.replicas = replicas
        self.memoryStorage = memoryStorage
        self.deliverSubject = deliverSubject
    }
}

/// What the server says about a consumer.
public struct ConsumerInfo: Sendable, Equatable {
    /// The stream it reads.
    public var stream: String
    /// Its (durable) name.
    public var name: String
    /// The subject it delivers messages of.
    public var filterSubject: String
    /// Push consumers have a deliver subject; pull consumers have none.
    public var isPull: Bool
    /// How long the server waits for an acknowledgement (its default filled in).
    public var ackWait: Duration
    /// Pull requests waiting at the server for messages.
    public var waitingPulls: Int
    /// Delivered messages not yet acknowledged.
    public var ackPending: Int
}

/// What the server says about a stream.
public struct StreamInfo: Sendable, Equatable {
    /// The stream's name.
    public var name: String
    /// The subjects it captures.
    public var subjects: [String]
    /// How many messages it holds.
    public var messages: UInt64
}
