import MQTTClient
import OutriggerCore
import Synchronization

/// The live subscriptions of one component, which its publishes wait for after a reconnect, so
/// that a message the sidecar publishes always finds the sidecar's own matching subscriptions
/// in place on the broker.
///
/// Why: a broker restart drops the publishing connection and every subscription's connection
/// at once, and a restarted mosquitto 2.0.11 resumes the sessions without their `$share/…`
/// subscriptions. A message published on the new connection before the subscriptions'
/// SUBSCRIBEs were processed is acknowledged (PUBACK) and given to nobody.
///
/// The rule: a publish on a connection that connected at instant `c` goes out once every
/// subscription whose filter matches the topic holds a SUBACK for a SUBSCRIBE sent after `c`.
/// That SUBACK came from the broker running after `c`; the publisher's PUBACK comes on the
/// connection made at `c`, so from a broker running from `c` until then: the same one. A
/// subscription without such a grant subscribes again on its current connection (waiting for
/// its reconnect first), which the broker treats as a repeat. A component with no matching
/// subscription publishes at once.
///
/// The wait is bounded by ``waitLimit`` (and by the caller's cancellation, e.g. an outbound
/// resiliency timeout); past it the publish fails, retriable, unsent.
final class LiveSubscriptions: Sendable {
    /// How long a publish waits for the subscriptions: a reconnect's last step normally takes
    /// one round trip, or the handling of the messages the resumed session delivers first.
    static let waitLimit: Duration = .seconds(10)

    private struct State {
        var consumers: [UInt64: TopicConsumer] = [:]
        var nextID: UInt64 = 0
    }

    private let state = Mutex(State())

    /// Adds a subscription; returns the token for ``remove(_:)``.
    func add(_ consumer: TopicConsumer) -> UInt64 {
        state.withLock { state in
            state.nextID += 1
            state.consumers[state.nextID] = consumer
            return state.nextID
        }
    }

    func remove(_ token: UInt64) {
        _ = state.withLock { $0.consumers.removeValue(forKey: token) }
    }

    /// Returns once every subscription matching `topic` is in place on the broker a publisher
    /// that connected at `connectedAt` talks to (see the type's documentation).
    func waitUntilInPlace(for topic: String, publisherConnectedAt connectedAt: ContinuousClock.Instant, clock: AnyClock) async throws {
        let waiting = state.withLock { state in
            state.consumers.values.filter { $0.topicFilter.matches(topic) && !$0.proof.isGranted(after: connectedAt) }
        }
        guard !waiting.isEmpty else { return }
        let filters = waiting.map(\.filter).sorted().joined(separator: "', '")
        do {
            try await withTimeLimit(Self.waitLimit, clock: clock) {
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for consumer in waiting { group.addTask { try await consumer.confirm(after: connectedAt) } }
                    try await group.waitForAll()
                }
            }
        } catch let error as TimeLimitExceeded {
            throw ComponentError(
                .retriable, "mqtt: publish to '\(topic)' not sent: after a reconnect, the subscription '\(filters)' is not in place on the broker again yet (\(error))")
        } catch let error as MQTTError {
            throw ComponentError(.retriable, "mqtt: publish to '\(topic)' not sent: subscribing again to '\(filters)' failed: \(error)")
        }
    }
}
