/// One PUBLISH received from the broker, held unacknowledged until ``accept()`` or
/// ``reject()``.
///
/// The connection reads nothing else until the message is settled (see ``MQTTConnection``),
/// so settle every message exactly once; later calls do nothing.
public struct MQTTMessage: Sendable {
    /// The topic it was published to (not the subscription's filter).
    public var topic: String
    /// The bytes as published.
    public var payload: [UInt8]
    /// The QoS it was delivered with: the lower of the publish's and the subscription's.
    public var qos: Int
    /// The broker sent it from its retained store (a new subscription), not as a new publish.
    public var retained: Bool
    /// The packet identifier (0 for QoS 0).
    public var messageID: Int
    let delivery: UInt64
    let connection: MQTTConnection

    /// Done: the PUBACK goes to the broker before anything else is read.
    public func accept() { connection.settle(delivery, accepted: true) }

    /// Not done: the connection is dropped without the PUBACK, so the broker delivers the
    /// message again when the session reconnects (QoS 1 on a persistent session). For QoS 0
    /// there is nothing to redeliver and the connection stays up; a QoS 2 message was handed
    /// over at PUBREC (libmosquitto sends it on receipt), so the broker will not send it again.
    public func reject() { connection.settle(delivery, accepted: false) }
}
