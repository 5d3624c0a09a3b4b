import Logging
import MQTTClient
import OutriggerCore

/// One subscription's own MQTT connection, kept by a ``Supervisor`` and read by a
/// ``ConsumerDriver``: the consuming half `pubsub.mqtt3` and `bindings.mqtt3` share.
///
/// - Every (re)connection uses the same client id and subscribes its filter before it is
///   announced, so a persistent session resumes where it stopped.
/// - The connection holds one message at a time until it is settled (libmosquitto 2.0.11 has
///   no manual acknowledgement; see ``MQTTConnection``), so the driver's bound is 1.
/// - Settling: an ack lets the PUBACK go; a nack of any reason drops the connection before
///   the PUBACK is written, and the supervisor reconnects at once, so the broker redelivers
///   the message on the same session (QoS 1 with `cleanSession: false`; see
///   docs/components/pubsub.mqtt3.md for QoS 0 and 2).
final class TopicConsumer: Sendable {
    let filter: String
    let supervisor: Supervisor<MQTTConnection>
    private let clock: AnyClock
    private let logger: Logger

    init(name: String, configuration: MQTTConfiguration, filter: String, qos: Int, clock: AnyClock, logger: Logger) {
        self.filter = filter
        self.clock = clock
        self.logger = logger
        supervisor = Supervisor(
            name: name, clock: clock, logger: logger,
            isTerminal: { ($0 as? MQTTError)?.isTerminal ?? false },
            connect: {
                let connection = try await MQTTConnection.connect(configuration)
                do {
                    // On every connection, as daprd does: a resumed session may have lost the
                    // subscription (unsubscribeOnClose).
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
