import Logging
import MQTTClient
import OutriggerCore

/// The publishing connection of a component, kept by a ``Supervisor``: publishes wait for the
/// broker's acknowledgement and fail at once, retriable, while there is no connection. Before
/// it goes out, a publish waits for the component's matching ``subscriptions`` to be in place
/// on the broker this connection talks to (at once unless one of them or this connection
/// reconnected; at most ``LiveSubscriptions/waitLimit``).
final class MQTTPublisher: Sendable {
    let supervisor: Supervisor<MQTTConnection>
    /// The component's subscriptions a publish must find in place.
    let subscriptions: LiveSubscriptions
    private let address: String
    private let clock: AnyClock

    init(
        name: String, configuration: MQTTConfiguration, address: String, clock: AnyClock, logger: Logger,
        subscriptions: LiveSubscriptions = LiveSubscriptions()
    ) {
        self.address = address
        self.clock = clock
        self.subscriptions = subscriptions
        supervisor = Supervisor(
            name: name, clock: clock, logger: logger,
            isTerminal: { ($0 as? MQTTError)?.isTerminal ?? false },
            connect: { try await MQTTConnection.connect(configuration) },
            disconnect: { await $0.close() })
    }

    /// Publishes and returns once the broker acknowledged it (PUBACK for QoS 1).
    func publish(topic: String, payload: [UInt8], qos: Int, retain: Bool) async throws {
        let lease = try await connected()
        if let connectedAt = lease.connection.connectedAt {
            try await subscriptions.waitUntilInPlace(for: topic, publisherConnectedAt: connectedAt, clock: clock)
        }
        do {
            try await lease.connection.publish(topic: topic, payload: payload, qos: qos, retain: retain)
        } catch let error as MQTTError {
            if error.isConnectionProblem { supervisor.connectionLost(lease, error: error) }
            let kind: ComponentError.Kind = error.isConnectionProblem ? .retriable : .terminal
            throw ComponentError(kind, "mqtt: failed to publish to '\(topic)': \(error)")
        }
    }

    /// An UNSUBSCRIBE/UNSUBACK round trip for a filter nobody uses (MQTT 3.1.1 has no ping a
    /// client library exposes).
    func ping() async throws {
        let lease = try await connected()
        do {
            try await lease.connection.unsubscribe("outrigger/ping")
        } catch let error as MQTTError {
            if error.isConnectionProblem { supervisor.connectionLost(lease, error: error) }
            throw ComponentError(.retriable, "mqtt: broker at \(address) did not answer: \(error)")
        }
    }

    /// The current connection, failing at once (retriable) while there is none; a connection
    /// found broken is reported so the supervisor replaces it.
    private func connected() async throws -> Supervisor<MQTTConnection>.Lease {
        let health = supervisor.health
        guard health == .connected else {
            throw ComponentError(health == .closed ? .terminal : .retriable, "mqtt: not connected to \(address): \(health)")
        }
        let lease = try await supervisor.lease()
        if let reason = lease.connection.endReason {
            supervisor.connectionLost(lease, error: reason)
            throw ComponentError(.retriable, "mqtt: not connected to \(address): \(reason)")
        }
        return lease
    }

    /// Makes the first connection; a failure is a start-up error naming the field to fix.
    func start(component: String) async throws {
        do {
            try await supervisor.start()
        } catch let error as MQTTError {
            throw ComponentConfigurationError(component: component, field: "url", reason: "does not connect to \(address): \(error)")
        }
    }
}
