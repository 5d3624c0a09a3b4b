import MQTTClient
import Synchronization

/// What the broker is known to hold for one subscription's session: when the latest SUBSCRIBE
/// it granted to the session was sent.
///
/// The proof is carried across a reconnect that resumes the session (CONNACK session-present:
/// the broker kept the session, and with it the subscription) and forgotten on one that starts
/// a new session. A restarted mosquitto 2.0.11 resumes sessions *without* their `$share/…`
/// subscriptions, so a carried proof counts only when its SUBSCRIBE was sent after the
/// publisher connected to the broker that is running now (see ``LiveSubscriptions``).
final class SessionSubscriptionProof: Sendable {
    private struct State {
        /// The latest grant of the session's earlier connections.
        var carried: ContinuousClock.Instant?
        var connection: MQTTConnection?
    }

    let filter: String
    private let state = Mutex(State())

    init(filter: String) {
        self.filter = filter
    }

    /// The session has a new connection (its SUBSCRIBE follows).
    func connected(_ connection: MQTTConnection) {
        state.withLock { state in
            if connection.sessionPresent {
                state.carried = Self.later(state.carried, state.connection?.grantedSubscription(filter))
            } else {
                state.carried = nil
            }
            state.connection = connection
        }
    }

    /// Whether the broker granted the session a SUBSCRIBE of the filter sent after `instant`.
    func isGranted(after instant: ContinuousClock.Instant) -> Bool {
        state.withLock { state in
            guard let latest = Self.later(state.carried, state.connection?.grantedSubscription(filter)) else { return false }
            return latest > instant
        }
    }

    private static func later(_ first: ContinuousClock.Instant?, _ second: ContinuousClock.Instant?) -> ContinuousClock.Instant? {
        guard let first else { return second }
        guard let second else { return first }
        return max(first, second)
    }
}
