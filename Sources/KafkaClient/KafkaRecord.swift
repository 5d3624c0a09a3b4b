/// A partition of a topic.
public struct KafkaTopicPartition: Sendable, Hashable, CustomStringConvertible {
    public var topic: String
    public var partition: Int32

    public init(topic: String, partition: Int32) {
        self.topic = topic
        self.partition = partition
    }

    public var description: String { "\(topic)[\(partition)]" }
}

/// One record header; Kafka allows several with the same name, in order.
public struct KafkaHeader: Sendable, Hashable {
    public var name: String
    public var value: [UInt8]?

    public init(name: String, value: [UInt8]?) {
        self.name = name
        self.value = value
    }
}

/// A record to produce.
public struct KafkaProducerRecord: Sendable {
    public var topic: String
    /// `nil`: the configured partitioner chooses from the key.
    public var partition: Int32?
    public var key: [UInt8]?
    public var value: [UInt8]
    public var headers: [KafkaHeader]

    public init(topic: String, partition: Int32? = nil, key: [UInt8]? = nil, value: [UInt8], headers: [KafkaHeader] = []) {
        self.topic = topic
        self.partition = partition
        self.key = key
        self.value = value
        self.headers = headers
    }
}

/// Where the broker stored a produced record.
public struct KafkaDeliveryReport: Sendable, Hashable {
    public var topic: String
    public var partition: Int32
    public var offset: Int64
}

/// A consumed record, copied out of librdkafka's buffers.
public struct KafkaRecord: Sendable {
    public var topic: String
    public var partition: Int32
    public var offset: Int64
    /// `nil` for a record without a key.
    public var key: [UInt8]?
    /// `nil` for a tombstone (a record without a value).
    public var value: [UInt8]?
    public var headers: [KafkaHeader]
    /// Milliseconds since the Unix epoch, when the record carries a timestamp.
    public var timestamp: Int64?
    /// The fetch epoch of the record's partition when it was read: a new, higher epoch starts
    /// whenever the partition is assigned or rewound (``KafkaConsumer/rewind(_:to:)``), so a
    /// record read before that can be told from one read after.
    public var fetchEpoch: UInt64

    public var topicPartition: KafkaTopicPartition { KafkaTopicPartition(topic: topic, partition: partition) }

    public init(topic: String, partition: Int32, offset: Int64, key: [UInt8]? = nil, value: [UInt8]?, headers: [KafkaHeader] = [], timestamp: Int64? = nil, fetchEpoch: UInt64 = 0) {
        self.topic = topic
        self.partition = partition
        self.offset = offset
        self.key = key
        self.value = value
        self.headers = headers
        self.timestamp = timestamp
        self.fetchEpoch = fetchEpoch
    }
}
