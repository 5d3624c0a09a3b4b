import Logging
import MQTTClient
import OutriggerCore

/// One subscription's own MQTT connection, kept by a ``Supervisor`` and read by a
/// ``ConsumerDriver``: the consuming half `pubsub.mqtt3` and `bindings.mqtt3` share.
///
/// - Every (re)connection uses the same client id and subscribes its filter before it is
///   announced, whatever the CONNACK's session-present flag says, so a persistent session
///   resumes where it stopped, and one a restarted broker resumed without the subscription
///   gets it back.
/// - ``proof`` records what the broker granted the session, for the component's publishes to
///   wait on (``LiveSubscriptions``).
/// - The connection holds one message at a time until it is settled (libmosquitto 2.0.11 has
///   no manual acknowledgement; see ``MQTTConnection``), so the driver's bound is 1.
/// - Settling: an ack lets the PUBACK go; a nack of any reason drops the connection before
///   the PUBACK is written, and the supervisor reconnects at once, so the broker redelivers
///   the message on the same session (QoS 1 with `cleanSession: false`; see
///   docs/components/pubsub.mqtt3.md for QoS 0 and 2).
final class TopicConsumer: Sendable {
    let filter: String
    let topicFilter: TopicFilter
    let supervisor: Supervisor<MQTTConnection>
    let proof: SessionSubscriptionProof
    private let qos: Int
    private let clock: AnyClock
    private let logger: Logger

    init(name: String, configuration: MQTTConfiguration, filter: String, qos: Int, clock: AnyClock, logger: Logger) {
        self.filter = filter
        topicFilter = TopicFilter(filter)
        self.qos = qos
        self.clock = clock
        self.logger = logger
        let proof = SessionSubscriptionProof(filter: filter)
        self.proof = proof
        supervisor = Supervisor(
            name: name, clock: clock, logger: logger,
            isTerminal: { ($0 as? MQTTError)?.isTerminal ?? false },
            connect: {
                let connection = try await MQTTConnection.connect(configuration)
                proof.connected(connection)
                do {
                    // On every connection, as daprd does: a resumed session may have lost the
                    // subscription (unsubscribeOnClose, or a broker restart for `$share/…`).
                    try await connection.subscribe(filter, qos: qos)
                } catch {
                    await connection.close()
                    throw error
                }
                return connection
            },
            disconnect: { await $0.close() })
    }

    /// Connects and subscribes; throws the broker's error.
    func start() async throws {
        try await supervisor.start()
    }

    /// Returns once the broker granted this subscription's session a SUBSCRIBE sent after
    /// `instant`, subscribing again on the current connection (after its reconnect, if one is
    /// under way) when there is none. Returns at once when the subscription was closed.
    func confirm(after instant: ContinuousClock.Instant) async throws {
        while !proof.isGranted(after: instant) {
            let lease: Supervisor<MQTTConnection>.Lease
            do {
                lease = try await supervisor.lease()
            } catch is Supervisor<MQTTConnection>.Unavailable {
                return  // closed or given up: no subscription to wait for
            }
            do {
                try await lease.connection.confirmSubscription(filter, qos: qos, sentAfter: instant)
            } catch let error as MQTTError where error.isConnectionProblem {
                // The next lease waits for the reconnect, whose connect subscribes.
                supervisor.connectionLost(lease, error: error)
            }
        }
    }

    /// Starts delivering to `handler`; the subscription's `finish` also closes the connection
    /// (after `unsubscribe` when `unsubscribeOnClose`) and then calls `closed`.
    func consume(
        unsubscribeOnClose: Bool, handler: @escaping @Sendable (MQTTMessage) async throws -> Void, closed: @escaping @Sendable () -> Void = {}
    ) -> Subscription {
        let driver = ConsumerDriver<MQTTMessage>(
            configuration: .init(maxConcurrency: 1), clock: clock, logger: logger,
            handler: handler,
            settle: { settlement in
                for message in settlement.acks { message.accept() }
                for (message, _) in settlement.nacks { message.reject() }
            })
        let supervisor = supervisor
        driver.start(
            recover: { _, attempt in await supervisor.recover(attempt: attempt) },
            pull: { _ in
                let lease = try await supervisor.lease()
                do {
                    return [try await lease.connection.nextMessage()]
                } catch let error as MQTTError {
                    supervisor.connectionLost(lease, error: error)
                    throw error
                }
            })
        let filter = filter
        return Subscription(stopPulling: { driver.stopPulling() }, finish: {
            await driver.finish()
            if unsubscribeOnClose, supervisor.health == .connected, let lease = try? await supervisor.lease() {
                // Bounded: a message arriving meanwhile holds the loop until close() drops it.
                try? await withTimeLimit(.seconds(2)) { try await lease.connection.unsubscribe(filter) }
            }
            await supervisor.close()
            closed()
        })
    }
}
