import CNats

#if canImport(Glibc)
import Glibc
#endif

/// One message fetched from a pull consumer; `natsMsg_Destroy` in `deinit`.
///
/// Its fields are copied out when it is fetched. Acknowledging goes through its
/// ``JetStreamSubscription`` (``JetStreamSubscription/settle(acks:naks:)``,
/// ``JetStreamSubscription/markInProgress(_:)``), which it keeps alive until it is released.
public final class JetStreamMessage: Sendable {
    let message: NATSPointer
    /// The subscription it came from: acknowledgements need it (and its connection) alive.
    public let subscription: JetStreamSubscription
    /// The subject it was published on.
    public let subject: String
    /// Its body.
    public let data: [UInt8]
    /// Header fields (first value of each); empty when the message has none.
    public let headers: [String: String]
    /// Its sequence in the stream.
    public let streamSequence: UInt64
    /// How many times the server has delivered it, this time included.
    public let deliveries: UInt64
    /// When the stream stored it, in nanoseconds since the Unix epoch.
    public let timestamp: Int64

    init(_ message: OpaquePointer, subscription: JetStreamSubscription) {
        self.message = NATSPointer(raw: message)
        self.subscription = subscription
        subject = natsMsg_GetSubject(message).map { String(cString: $0) } ?? ""
        data = bytes(of: message)
        headers = Self.headers(of: message)
        var metadata: UnsafeMutablePointer<jsMsgMetaData>?
        if natsMsg_GetMetaData(&metadata, message) == NATS_OK, let metadata {
            streamSequence = metadata.pointee.Sequence.Stream
            deliveries = metadata.pointee.NumDelivered
            timestamp = metadata.pointee.Timestamp
            jsMsgMetaData_Destroy(metadata)
        } else {
            streamSequence = 0
            deliveries = 1
            timestamp = 0
        }
    }

    deinit {
        natsMsg_Destroy(message.raw)
    }

    private static func headers(of message: OpaquePointer) -> [String: String] {
        var keys: UnsafeMutablePointer<UnsafePointer<CChar>?>?
        var count: Int32 = 0
        guard natsMsgHeader_Keys(message, &keys, &count) == NATS_OK, let keys else { return [:] }
        defer { free(keys) }
        var headers: [String: String] = [:]
        for index in 0..<Int(count) {
            guard let key = keys[index] else { continue }
            var value: UnsafePointer<CChar>?
            if natsMsgHeader_Get(message, key, &value) == NATS_OK, let value {
                headers[String(cString: key)] = String(cString: value)
            }
        }
        return headers
    }
}
