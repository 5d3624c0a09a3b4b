/// A message delivered to a consumer (`basic.deliver` with its content).
public struct AMQPDelivery: Sendable {
    /// Settles the delivery on the channel it came from (see ``AMQPChannel/ack(_:multiple:)``).
    public var deliveryTag: UInt64
    /// The broker delivered it before (to this or another consumer) without an acknowledgement.
    public var redelivered: Bool
    /// The exchange it was published to (empty: the default exchange).
    public var exchange: String
    /// The routing key it was published with.
    public var routingKey: String
    /// The message body.
    public var body: [UInt8]
    /// The content properties.
    public var properties: AMQPMessageProperties
    /// The channel that delivered it: acknowledgements must go there.
    public var channel: AMQPChannel

    /// A delivery (tests build them; the connection's thread makes the real ones).
    public init(deliveryTag: UInt64, redelivered: Bool, exchange: String, routingKey: String, body: [UInt8], properties: AMQPMessageProperties, channel: AMQPChannel) {
        self.deliveryTag = deliveryTag
        self.redelivered = redelivered
        self.exchange = exchange
        self.routingKey = routingKey
        self.body = body
        self.properties = properties
        self.channel = channel
    }
}
