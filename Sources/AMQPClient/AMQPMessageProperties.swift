/// The `basic` content properties of a message (the ones Dapr's components read or write).
public struct AMQPMessageProperties: Sendable, Equatable {
    /// `content-type`.
    public var contentType: String?
    /// 1 transient, 2 persistent; `nil`/0: not sent (the broker treats it as transient).
    public var deliveryMode: UInt8?
    /// 0...255; honoured by queues declared with `x-max-priority`.
    public var priority: UInt8?
    /// Per-message TTL in milliseconds, as text (`"60000"`).
    public var expiration: String?
    /// `message-id`.
    public var messageID: String?
    /// `correlation-id`.
    public var correlationID: String?
    /// `type`.
    public var type: String?
    /// Application headers (scalar values only).
    public var headers: [String: AMQPFieldValue]

    /// Properties; `nil` ones are not sent.
    public init(
        contentType: String? = nil, deliveryMode: UInt8? = nil, priority: UInt8? = nil, expiration: String? = nil, messageID: String? = nil,
        correlationID: String? = nil, type: String? = nil, headers: [String: AMQPFieldValue] = [:]
    ) {
        self.contentType = contentType
        self.deliveryMode = deliveryMode
        self.priority = priority
        self.expiration = expiration
        self.messageID = messageID
        self.correlationID = correlationID
        self.type = type
        self.headers = headers
    }
}
