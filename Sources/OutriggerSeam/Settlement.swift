/// Finished messages handed to a component in one go, so it can use the broker's batch
/// acknowledgement (XACK of many ids, `basic.ack` with `multiple`, one offset commit).
///
/// Within each list messages are in the order their handlers finished.
public struct Settlement<Message: Sendable>: Sendable {
    /// Handled: acknowledge.
    public var acks: [Message]
    /// Not handled: make the broker deliver it again, as its reason says.
    public var nacks: [(message: Message, reason: NackReason)]

    public init(acks: [Message] = [], nacks: [(message: Message, reason: NackReason)] = []) {
        self.acks = acks
        self.nacks = nacks
    }

    public var count: Int { acks.count + nacks.count }
    public var isEmpty: Bool { acks.isEmpty && nacks.isEmpty }
}
