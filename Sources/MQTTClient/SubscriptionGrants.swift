/// Which SUBSCRIBEs of one connection the broker has answered, each with the instant it was
/// sent: the bookkeeping behind ``MQTTConnection/confirmSubscription(_:qos:sentAfter:)``, as a
/// value with no I/O.
///
/// A SUBACK answers a SUBSCRIBE the broker has processed, so a grant of a SUBSCRIBE *sent
/// after* an instant proves the subscription was in place on the broker that was running at
/// some moment after that instant — what a publisher that connected at that instant needs to
/// know (see docs/components/pubsub.mqtt3.md, "Broker restarts").
struct SubscriptionGrants {
    enum Answer: Equatable {
        /// A SUBSCRIBE sent after the instant was granted.
        case granted
        /// The latest SUBSCRIBE sent after the instant was refused (SUBACK 0x80).
        case refused
        /// A SUBSCRIBE sent after the instant awaits its SUBACK.
        case waiting
        /// None was sent after the instant: send one.
        case needsSubscribe
    }

    private struct Sent {
        var filter: String
        var at: ContinuousClock.Instant
    }

    /// SUBSCRIBEs written, by packet id, not answered yet.
    private var pending: [Int32: Sent] = [:]
    /// Per filter: a SUBSCRIBE being queued (its packet id not known yet), since when.
    private var queueing: [String: ContinuousClock.Instant] = [:]
    /// Per filter: when the latest granted SUBSCRIBE was sent.
    private(set) var granted: [String: ContinuousClock.Instant] = [:]
    /// Per filter: when the latest refused SUBSCRIBE was sent.
    private var refused: [String: ContinuousClock.Instant] = [:]

    /// What is known of `filter` for SUBSCRIBEs sent after `instant`.
    func answer(for filter: String, sentAfter instant: ContinuousClock.Instant) -> Answer {
        if let at = granted[filter], at > instant { return .granted }
        if let at = refused[filter], at > instant { return .refused }
        if let at = queueing[filter], at > instant { return .waiting }
        if pending.values.contains(where: { $0.filter == filter && $0.at > instant }) { return .waiting }
        return .needsSubscribe
    }

    /// A SUBSCRIBE of `filter` is about to be queued (so concurrent callers wait for it).
    mutating func queueing(_ filter: String, at instant: ContinuousClock.Instant) {
        queueing[filter] = instant
    }

    /// The SUBSCRIBE queued at `instant` has packet id `mid`.
    mutating func sent(_ filter: String, mid: Int32, at instant: ContinuousClock.Instant) {
        if queueing[filter] == instant { queueing[filter] = nil }
        pending[mid] = Sent(filter: filter, at: instant)
    }

    /// The SUBSCRIBE of `filter` queued at `instant` could not be queued.
    mutating func notSent(_ filter: String, at instant: ContinuousClock.Instant) {
        if queueing[filter] == instant { queueing[filter] = nil }
    }

    /// The broker answered packet `mid` with `code` (the granted QoS, or 0x80); returns the
    /// filter when `mid` was a SUBSCRIBE recorded here.
    mutating func answered(_ mid: Int32, code: Int32) -> String? {
        guard let sent = pending.removeValue(forKey: mid) else { return nil }
        if code == 0x80 {
            refused[sent.filter] = max(refused[sent.filter] ?? sent.at, sent.at)
        } else {
            granted[sent.filter] = max(granted[sent.filter] ?? sent.at, sent.at)
        }
        return sent.filter
    }
}
